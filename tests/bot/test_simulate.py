"""``python -m bot simulate``: conversation files replayed against the real Telegram Application."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from bot.engine import Engine
from bot.simulate import (
    ConversationError,
    expand,
    load_conversation,
    plain_text,
    run_files,
    shipped_conversations,
    summary_line,
    telegram_html_problem,
    write_junit,
)

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = sorted((ROOT / "conversations").glob("*.yaml"))

PASSING = """
name: 荆门追问
steps:
  - user: 荆门打掉了多少个电信诈骗窝点
    expect: {contains: ["33个"], intent: fact, buttons: ["📄 原文"], no_error: true, max_ms: 3000}
  - press: 📄 原文
    expect: {contains: ["打掉电信诈骗窝点33个"]}
  - inline: 荆门 诈骗
    expect: {contains: ["33个"], results_min: 1}
"""

FAILING = """
steps:
  - user: 荆门打掉了多少个电信诈骗窝点
    expect: {contains: ["34个"], intent: summary}
  - user: 那鼓楼呢
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def simulate(paths: list[Path], engine: Engine) -> tuple[list, str]:
    out = io.StringIO()
    results = run_files(paths, engine=engine, out=out)
    return results, out.getvalue()


def test_passing_and_failing_conversations(tmp_path: Path, engine: Engine) -> None:
    good = write(tmp_path, "good.yaml", PASSING)
    bad = write(tmp_path, "bad.yaml", FAILING)
    results, out = simulate([good, bad], engine)
    assert [r.passed for r in results] == [True, False]
    assert results[0].name == "荆门追问" and results[1].name == "bad"  # the stem by default
    assert "user ▸ 荆门打掉了多少个电信诈骗窝点" in out
    assert "bot ◂ 📊 荆门市公安局，打掉电信诈骗窝点：33个" in out  # tags stripped
    assert "[📄 原文] [📊 本文数据] [📝 摘要]" in out
    assert "✓ contains: “33个”" in out
    assert "✗ contains: missing “34个”" in out
    assert "✗ intent: expected summary, got fact" in out
    assert results[1].failures == [
        "step 1: contains: missing “34个”",
        "step 1: intent: expected summary, got fact",
    ]
    assert summary_line(results) == "1 passed, 1 failed"


@pytest.mark.parametrize(
    ("text", "step", "reason"),
    [
        ("steps: [\n  - user: a\n  - {user: b", None, "YAML error at line"),
        ("name: 没有步骤\n", None, "missing steps"),
        ("steps:\n  - user: 荆门\n  - shout: 荆门\n", 2, "unknown step kind or key shout"),
        ("steps:\n  - user: 荆门\n    expect: {contain: [x]}\n", 1, "unknown expectation contain"),
        ("steps:\n  - user: 荆门\n  - user: 新昌\n    expect: {regex: '('}\n", 2, "is invalid"),
        ("steps:\n  - {user: 荆门, press: 原文}\n", 1, "exactly one of"),
        ("chat: channel\nsteps: [{user: 荆门}]\n", None, "chat must be one of"),
    ],
)
def test_malformed_files_name_the_step_and_reason(
    tmp_path: Path, text: str, step: int | None, reason: str
) -> None:
    with pytest.raises(ConversationError) as info:
        load_conversation(write(tmp_path, "broken.yaml", text))
    assert info.value.step == step and reason in info.value.reason


def test_malformed_file_is_reported_and_the_others_still_run(tmp_path: Path, engine: Engine) -> None:
    broken = write(tmp_path, "broken.yaml", "steps:\n  - user: 荆门\n  - shout: 荆门\n")
    missing_button = write(
        tmp_path, "nobutton.yaml", "steps:\n  - user: 今天天气怎么样\n  - press: 📄 原文\n  - user: 荆门\n"
    )
    good = write(tmp_path, "good.yaml", PASSING)
    results, out = simulate([broken, missing_button, good, tmp_path / "absent.yaml"], engine)
    assert [r.passed for r in results] == [False, False, True, False]
    assert f"{broken}: step 2: unknown step kind or key shout" in out
    assert (
        results[1]
        .failures[0]
        .startswith("step 2: no button “📄 原文” on the last bot message; it offers [❓")
    )
    assert "#3" not in "\n".join(results[1].transcript), "a step that cannot be done ends the conversation"
    assert "cannot read file" in results[3].failures[0]
    assert all(r.malformed for r in (results[0], results[1], results[3]))


def test_junit_xml(tmp_path: Path, engine: Engine) -> None:
    files = [write(tmp_path, "good.yaml", PASSING), write(tmp_path, "bad.yaml", FAILING)]
    files.append(write(tmp_path, "broken.yaml", "steps: 3\n"))
    results, _ = simulate(files, engine)
    write_junit(results, tmp_path / "out" / "junit.xml")
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert suite.tag == "testsuite" and suite.get("tests") == "3" and suite.get("failures") == "2"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["荆门追问", "bad", "broken"]
    assert cases[0].find("failure") is None and "user ▸" in cases[0].findtext("system-out")
    failure = cases[1].find("failure")
    assert failure.get("message").startswith("step 1: contains: missing “34个”")
    assert "bot ◂" in failure.text
    assert cases[2].find("failure").get("type") == "MalformedConversation"
    assert "missing steps" in cases[2].find("failure").get("message")


def test_group_mentions_and_moderator(tmp_path: Path, engine: Engine) -> None:
    conv = """
chat: group
moderator: true
steps:
  - user: 鼓楼派出所抓获了多少嫌疑人
    expect: {replies_max: 0}
  - user: 鼓楼派出所抓获了多少嫌疑人
    mention: true
    expect: {contains: ["42名"], replies_min: 1}
  - command: /about
    mention: true
    expect: {contains: ["您是管理员"]}
"""
    results, out = simulate([write(tmp_path, "group.yaml", conv)], engine)
    assert results[0].passed, out
    assert "user ▸ @FactTestBot 鼓楼派出所抓获了多少嫌疑人" in out and "（没有回复）" in out
    assert "user ▸ /about@FactTestBot" in out


def test_html_checks() -> None:
    assert plain_text("<b>a &lt;b&gt; &amp; c</b>") == "a <b> & c"
    assert telegram_html_problem("<b>fine</b> &lt;b&gt; <i>x</i>") is None
    assert telegram_html_problem("<b>open") == "unclosed <b>"
    assert telegram_html_problem("<div>x</div>") == "unsupported start tag <div>"
    assert telegram_html_problem("a & b") == "unescaped '&' in text"
    assert telegram_html_problem("&nbsp;") == "unsupported entity &nbsp;"


def cli(args: list[str], kb_url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "DATABASE_URL": kb_url},
        timeout=180,
    )


def test_recorded_console_session_replays(tmp_path: Path, kb_url: str) -> None:
    """``chat --record`` writes a file that ``simulate`` replays as it was (choice 1 = a button)."""
    recorded = tmp_path / "rec" / "session.yaml"
    lines = "荆门打掉了多少个电信诈骗窝点\n原文呢\n诈骗 多少\n1\n退出\n"
    chat = cli(["chat", "--record", str(recorded)], kb_url, stdin=lines)
    assert chat.returncode == 0, chat.stderr
    steps = yaml.safe_load(recorded.read_text(encoding="utf-8"))["steps"]
    assert [next(iter(s)) for s in steps] == ["user", "user", "user", "press"]
    junit = tmp_path / "junit.xml"
    done = cli(["simulate", str(recorded), "--database-url", kb_url, "--junit", str(junit)], kb_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("1 passed, 0 failed")
    assert ET.parse(junit).getroot().get("failures") == "0"


def test_cli_usage_and_failure_exit_codes(tmp_path: Path, kb_url: str) -> None:
    (tmp_path / "empty").mkdir()
    usage = cli(["simulate", str(tmp_path / "empty")], kb_url)
    assert usage.returncode == 2 and "python -m bot simulate" in usage.stderr
    bad = write(tmp_path, "bad.yaml", FAILING)
    failed = cli(["simulate", str(bad), "--database-url", kb_url], kb_url)
    assert failed.returncode == 1
    assert failed.stdout.rstrip().splitlines()[-1] == "0 passed, 1 failed"


def test_without_files_the_shipped_conversations_run() -> None:
    assert expand([shipped_conversations()]) == CONVERSATIONS


def test_shipped_conversations_all_pass(engine: Engine) -> None:
    assert len(CONVERSATIONS) >= 10
    results, out = simulate(CONVERSATIONS, engine)
    failed = [r for r in results if not r.passed]
    assert not failed, out
    assert summary_line(results) == f"{len(results)} passed, 0 failed"
