"""The command-line contracts other tools rely on, run as real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot import texts
from bot.botapi_stub import BotApiStub

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], kb_url: str, stdin: str | None = None, env: dict[str, str] | None = None):
    full_env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    full_env.update({"DATABASE_URL": kb_url, **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=120,
    )


def test_ask_json_with_a_message(kb_url: str) -> None:
    out = run(["bot", "ask", "荆门打掉了多少个电信诈骗窝点", "--json"], kb_url)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["intent"] == "fact"
    assert "33个" in data["reply"]
    assert data["citation"]["title"]


def test_ask_json_reads_one_message_per_line(kb_url: str) -> None:
    out = run(["bot", "ask", "--json"], kb_url, stdin="鼓楼派出所抓获了多少嫌疑人\n今天天气怎么样\n\n帮助\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["intent"] for d in lines] == ["fact", "none", "help", "help"]
    assert all(set(d) >= {"intent", "reply"} for d in lines)


def test_knowledge_export_json_lists_facts_with_ids(kb_url: str) -> None:
    out = run(["knowledge", "export", "--format", "json"], kb_url)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) > 100
    assert all(isinstance(r["id"], int) for r in rows)
    assert {"subject", "value", "unit", "change", "comparison", "period", "agency", "sentence"} <= set(
        rows[0]
    )


def test_knowledge_articles(kb_url: str) -> None:
    out = run(["knowledge", "articles", "--json"], kb_url)
    rows = json.loads(out.stdout)
    assert len(rows) == 17
    assert {"id", "title", "place", "facts"} <= set(rows[0])


def test_default_command_without_token_is_a_console_chat(kb_url: str) -> None:
    out = run(["bot"], kb_url, stdin="荆门打掉了多少个电信诈骗窝点\n退出\n")
    assert out.returncode == 0, out.stderr
    assert "33个" in out.stdout
    assert "再见" in out.stdout


# ---------------------------------------------------------------------------------- readable failures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh(tmp_path: Path, **env: str) -> dict[str, str]:
    """An environment with its own data home and no DATABASE_URL (``run`` adds the one given)."""
    base = {
        k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL")
    }
    return {**base, "FACTBOT_HOME": str(tmp_path / "home"), **env}


def _bot(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_run_with_telegram_unreachable_is_one_sentence(kb_url: str, tmp_path: Path) -> None:
    env = _fresh(
        tmp_path,
        TELEGRAM_BOT_TOKEN=BotApiStub().token,
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{_free_port()}/bot",
        DATABASE_URL=kb_url,
    )
    out = _bot(["run"], env)
    assert out.returncode == 1
    assert out.stderr.strip() == texts.NETWORK_FAILURE.format(error="NetworkError")


@pytest.mark.parametrize("level", ["", "DEBUG"])
def test_run_with_a_rejected_token_is_one_sentence_unless_debugging(
    kb_url: str, tmp_path: Path, level: str
) -> None:
    with BotApiStub() as api:
        wrong = f"{api.bot_id}:{'X' * 35}"
        env = _fresh(tmp_path, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_BASE_URL=api.base_url, DATABASE_URL=kb_url)
        out = _bot(["run"], {**env, "LOG_LEVEL": level})
    assert out.returncode == 2 and wrong not in out.stderr
    if level:
        assert "Traceback" in out.stderr and out.stderr.rstrip().endswith(texts.INVALID_TOKEN_REMOTE)
    else:
        assert out.stderr.strip() == texts.INVALID_TOKEN_REMOTE


@pytest.mark.parametrize("command", [["ask", "荆门"], ["chat"], ["simulate"]])
def test_missing_corpus_is_one_sentence_naming_the_settings(tmp_path: Path, command: list[str]) -> None:
    out = _bot(command, _fresh(tmp_path, FACTBOT_SEEDS=str(tmp_path / "nope")), stdin="")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    [line] = out.stderr.strip().splitlines()
    assert str(tmp_path / "nope") in line and "FACTBOT_SEEDS" in line and "--seeds" in line


def test_unreachable_database_is_one_sentence_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql://factbot:s3cretPW@127.0.0.1:{_free_port()}/factbot"
    out = _bot(["ask", "荆门"], _fresh(tmp_path, DATABASE_URL=url))
    assert out.returncode == 2 and "s3cretPW" not in out.stderr
    [line] = out.stderr.strip().splitlines()
    assert "DATABASE_URL" in line


def test_seeds_option_builds_from_the_given_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "seeds" / "004_3532d753de79e93f.txt", corpus)
    out = _bot(["ask", "--json", "--seeds", str(corpus), "有哪些地方的报道"], _fresh(tmp_path))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "home" / "factbot.sqlite3").is_file()  # FACTBOT_HOME holds the data
    listed = json.loads(out.stdout)["reply"]
    assert "荆门" in listed and "鼓楼" not in listed  # only the chosen folder's reports


@pytest.mark.parametrize("command", [["ask", "荆门打掉了多少个电信诈骗窝点"], ["chat"]])
def test_log_level_debug_is_honoured(kb_url: str, command: list[str]) -> None:
    quiet = run(["bot", *command], kb_url, stdin="荆门打掉了多少个电信诈骗窝点\n")
    loud = run(["bot", *command], kb_url, stdin="荆门打掉了多少个电信诈骗窝点\n", env={"LOG_LEVEL": "DEBUG"})
    assert quiet.returncode == loud.returncode == 0
    assert "DEBUG bot.engine" not in quiet.stderr and "DEBUG bot.engine" in loud.stderr


def test_a_closed_pipe_ends_quietly(kb_url: str, tmp_path: Path) -> None:
    script = (
        f'seq 300 | sed "s/.*/荆门打掉了多少个电信诈骗窝点/" | {sys.executable} -m bot ask 2>"$1" | head -1'
    )
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script, "_", str(tmp_path / "err")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "DATABASE_URL": kb_url}, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0 and "33个" in out.stdout
    assert (tmp_path / "err").read_text() == ""
