"""The command-line contracts other tools rely on, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert len(rows) == 16
    assert {"id", "title", "place", "facts"} <= set(rows[0])


def test_default_command_without_token_is_a_console_chat(kb_url: str) -> None:
    out = run(["bot"], kb_url, stdin="荆门打掉了多少个电信诈骗窝点\n退出\n")
    assert out.returncode == 0, out.stderr
    assert "33个" in out.stdout
    assert "再见" in out.stdout
