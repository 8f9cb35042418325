"""The README's moderation example runs as written and changes the fact it names, and only that one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from dbfixtures import template_db  # noqa: F401 (a fixture)
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from knowledge.models import Fact, FactRevision

ROOT = Path(__file__).resolve().parents[1]


def moderation_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Moderation", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_example_finds_the_id_first_and_edits_that_fact(tmp_path: Path, template_db: Path) -> None:  # noqa: F811
    script = moderation_example()
    assert "facts list" in script.splitlines()[0] and not re.search(r"facts (edit|history|undo) \d", script)
    db = tmp_path / "kb.sqlite3"
    shutil.copyfile(template_db, db)
    env = {
        **{k: v for k, v in os.environ.items() if k != "LOG_LEVEL"},
        "DATABASE_URL": f"sqlite:///{db}",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "facts.csv").is_file() and "试运行" in out.stdout
    with Session(create_engine(f"sqlite:///{db}")) as session:
        edited = {r.fact_id for r in session.scalars(select(FactRevision))}
        [fact] = [session.get(Fact, fid) for fid in edited]  # one fact changed: the one the example found
        assert fact.subject == "抓获各类违法犯罪嫌疑人" and "鼓楼派出所" in fact.sentence
        assert (fact.value, fact.unit) == (42, "名")  # edited to 45, then undone
