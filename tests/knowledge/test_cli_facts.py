"""``python -m knowledge facts|moderators …``: happy paths, exit code 2 on errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dbfixtures import *  # noqa: F403

from knowledge.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "000_5fd57195d5ce075f#0"


def run(url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--database-url", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def fact_id(url: str, capsys: pytest.CaptureFixture[str], subject: str) -> int:
    code, out, _ = run(url, capsys, "facts", "list", "--article", ARTICLE, "--all")
    assert code == 0
    line = next(line for line in out.splitlines() if f" {subject}  " in line)
    return int(line.split()[0].lstrip("#").rstrip("*"))


def test_facts_commands_happy_path(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    fid = fact_id(db_url, capsys, "破获本地案件")
    code, out, _ = run(db_url, capsys, "facts", "show", str(fid))
    assert code == 0 and "破获本地案件" in out and "版本 1" in out

    code, out, _ = run(
        db_url,
        capsys,
        "facts",
        "edit",
        str(fid),
        "数值=50",
        "变化=上升",
        "--reason",
        "核对",
        "--expect-version",
        "1",
    )
    assert code == 0 and "版本 2" in out and "49.0 → 50.0" in out

    code, out, _ = run(db_url, capsys, "facts", "history", str(fid))
    assert code == 0 and "核对" in out and "value: 49.0 → 50.0" in out

    code, out, _ = run(db_url, capsys, "facts", "undo", str(fid))
    assert code == 0 and "50.0 → 49.0" in out
    code, out, err = run(db_url, capsys, "facts", "undo", str(fid))  # a second undo does not redo
    assert code == 2 and "没有可撤销的修改了" in err and out == ""
    assert "数值：49" in run(db_url, capsys, "facts", "show", str(fid))[1]

    code, out, _ = run(db_url, capsys, "facts", "delete", str(fid), "--reason", "重复")
    assert code == 0 and "active → retired" in out
    code, out, _ = run(db_url, capsys, "facts", "list", "--query", "破获本地案件")
    assert str(fid) not in out.split()[0:1]
    code, out, _ = run(db_url, capsys, "facts", "restore", str(fid), "--reason", "误删")
    assert code == 0 and "retired → active" in out

    code, out, _ = run(
        db_url,
        capsys,
        "facts",
        "add",
        "--article",
        ARTICLE,
        "--subject",
        "新增巡逻车",
        "--value",
        "三",
        "--unit",
        "辆",
        "--reason",
        "补充",
        "--actor",
        "tg:42",
    )
    assert code == 0 and "已添加数据" in out and "管理员添加" in out


def test_actor_defaults_to_cli_user(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("USER", "carol")
    fid = fact_id(db_url, capsys, "破获本地案件")
    assert run(db_url, capsys, "facts", "edit", str(fid), "数值=50", "--reason", "r")[0] == 0
    assert "cli:carol" in run(db_url, capsys, "facts", "history", str(fid))[1]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["facts", "show", "999999"], "找不到编号"),
        (["facts", "edit", "{fid}", "数值=abc", "--reason", "r"], "不是有效的数字"),
        (["facts", "edit", "{fid}", "单位=光年", "--reason", "r"], "未知单位"),
        (["facts", "edit", "{fid}", "颜色=红", "--reason", "r"], "未知字段"),
        (["facts", "edit", "{fid}", "数值=5", "--reason", "r" * 10_000], "原因过长"),
        (["facts", "edit", "{fid}", "数值=5", "--reason", "r", "--expect-version", "7"], "当前版本 1"),
        (
            [
                "facts",
                "add",
                "--article",
                "x#9",
                "--subject",
                "s",
                "--value",
                "1",
                "--unit",
                "起",
                "--reason",
                "r",
            ],
            "找不到文章",
        ),
        (
            [
                "facts",
                "add",
                "--article",
                ARTICLE,
                "--subject",
                "<b>s</b>",
                "--value",
                "1",
                "--unit",
                "起",
                "--reason",
                "r",
            ],
            "HTML",
        ),
        (["facts", "undo", "{fid}"], "没有可撤销"),
        (["facts", "import", "/nonexistent.csv"], "找不到文件"),
        (["moderators", "add", "abc"], "不是有效的数字用户 ID"),
        (["moderators", "add"], "需要用户 ID"),
    ],
)
def test_errors_exit_2_with_message(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    fid = str(fact_id(db_url, capsys, "破获本地案件"))
    before = run(db_url, capsys, "facts", "export", "--format", "json")[1]
    code, out, err = run(db_url, capsys, *[a.replace("{fid}", fid) for a in argv])
    assert code == 2 and words in err and "Traceback" not in err
    assert run(db_url, capsys, "facts", "export", "--format", "json")[1] == before


def test_export_import_round_trip_csv_with_bom(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "facts.csv"
    assert run(db_url, capsys, "facts", "export", "--format", "csv", "--output", str(path))[0] == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,article_key,")
    before = run(db_url, capsys, "facts", "export", "--format", "json")[1]
    code, out, _ = run(db_url, capsys, "facts", "import", str(path), "--dry-run")
    assert code == 0 and "试运行" in out and "修改 0 条" in out
    text = data.decode("utf-8-sig").replace(",49.0,49起,", ",50,49起,")
    path.write_bytes(text.encode("utf-8-sig"))
    code, out, _ = run(db_url, capsys, "facts", "import", str(path))
    assert code == 0 and "修改 1 条" in out
    after = json.loads(run(db_url, capsys, "facts", "export", "--format", "json")[1])
    changed = [r for r in after if r not in json.loads(before)]
    assert len(changed) == 1 and changed[0]["value"] == 50 and changed[0]["value_text"] == "50起"


def test_export_csv_with_a_chinese_header_imports_back(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "数据.csv"
    assert run(db_url, capsys, "facts", "export", "--header", "zh", "--output", str(path))[0] == 0
    assert path.read_bytes().startswith("\ufeff编号,文章,".encode())
    code, out, _ = run(db_url, capsys, "facts", "import", str(path), "--dry-run")
    assert code == 0 and "修改 0 条" in out


def test_legacy_export_json_is_stable(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db_url, capsys, "export", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and isinstance(rows, list) and rows
    assert list(rows[0])[:4] == ["id", "article_key", "article_title", "subject"]


def test_moderators_cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("MODERATOR_IDS", "5")
    assert "已添加管理员 77" in run(db_url, capsys, "moderators", "add", "77")[1]
    out = run(db_url, capsys, "moderators", "list")[1]
    assert "5  环境变量" in out and "77  由 cli:" in out
    assert "已移除管理员 77" in run(db_url, capsys, "moderators", "remove", "77")[1]


def test_subprocess_error_has_no_traceback(db_url: str, tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "knowledge",
            "--database-url",
            db_url,
            "facts",
            "edit",
            "1",
            "数值=很多",
            "--reason",
            "r",
        ],
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "数值“很多”不是有效的数字" in out.stderr and "Traceback" not in out.stderr
