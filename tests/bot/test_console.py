"""The console chat: numbered follow-ups, Telegram's commands, line editing, history, clean exits.

Keys go through prompt_toolkit's pipe input (the real line editor) or a real pseudo-terminal.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot import texts
from bot.console import ConsoleChat, PlainScreen, RichScreen, line_reader, prompt_reader, run_chat
from bot.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "荆门打掉了多少个电信诈骗窝点"


def chat_on(engine: Engine, lines: str) -> str:
    out = io.StringIO()
    assert run_chat(ConsoleChat(engine, PlainScreen(out)), line_reader(io.StringIO(lines))) == 0
    return out.getvalue()


def test_follow_ups_are_numbered_shortcuts(engine: Engine) -> None:
    text = chat_on(engine, f"{QUESTION}\n1\n1\n2\n")
    answer, excerpt, facts, summary = text.split("（您选择了：")
    assert (
        "33个" in answer
        and "[1] 📄 原文" in answer
        and "[2] 📊 本文数据" in answer
        and "[3] 📝 摘要" in answer
    )
    assert (
        excerpt.startswith("📄 原文") and "打掉电信诈骗窝点33个" in excerpt and "[1] 📊 本文数据" in excerpt
    )
    assert facts.startswith("📊 本文数据") and "中的数据（共" in facts and "[2] 📝 摘要" in facts
    assert summary.startswith("📝 摘要") and "摘要：" in summary and "来源：《荆门公安" in summary


def test_unsure_answers_offer_their_choices_by_number(engine: Engine) -> None:
    unsure = engine.answer("诈骗 多少")
    assert unsure.intent == "none" and unsure.suggestions  # the premise: an answer with choices
    text = chat_on(engine, "诈骗 多少\n1\n")
    assert f"[1] {unsure.suggestions[0]}" in text
    assert f"（您选择了：{unsure.suggestions[0]}）" in text
    assert text.split("（您选择了：", 1)[1].count("来源：") >= 1  # the choice answered with its source


def test_help_articles_and_reset_work_as_in_telegram(engine: Engine) -> None:
    articles = engine.snapshot.articles
    text = chat_on(engine, f"/help\n/articles\n{len(articles)}\n{QUESTION}\n/reset\n原文呢\n/nope\n")
    assert texts.help_text([], "").splitlines()[0] in text
    assert f"共 {len(articles)} 篇" in text and f"[{len(articles)}] 《{articles[-1].title}》" in text
    assert f"《{articles[-1].title}》摘要" in text  # the number picked that article
    assert texts.RESET_DONE in text
    after_reset = text.split(texts.RESET_DONE, 1)[1]
    assert "33个" not in after_reset and "/nope" in after_reset


def typed(keys, script: list[str], editor):  # type: ignore[no-untyped-def]
    """The reader, with each entry of ``script`` typed once its prompt is up (history loads then)."""
    lines = iter(script)

    def read(prompt: str) -> str:
        threading.Timer(0.3, keys.send_text, [next(lines)]).start()
        return editor(prompt)

    return read


def test_line_editing_history_and_ctrl_d(engine: Engine, tmp_path: Path) -> None:
    out = io.StringIO()
    history = tmp_path / "history"
    script = [
        f"{QUESTION}\r",
        "\x1b[A\r",  # ↑ brings the question back, Enter asks it again
        "鼓楼派出所抓获了多少嫌疑人吗吗\x7f\x7f\r",  # two backspaces
        "\x04",  # Ctrl-D on an empty line
    ]
    with create_pipe_input() as keys:
        read = typed(keys, script, prompt_reader(history, input=keys, output=DummyOutput()))
        assert run_chat(ConsoleChat(engine, PlainScreen(out)), read) == 0
    text = out.getvalue()
    assert text.count("打掉电信诈骗窝点：33个") == 2 and "42名" in text
    assert text.endswith("\n再见！\n")
    assert "鼓楼派出所抓获了多少嫌疑人\n" in history.read_text(encoding="utf-8")


def test_ctrl_c_ends_the_chat_cleanly(engine: Engine) -> None:
    out = io.StringIO()
    with create_pipe_input() as keys:
        keys.send_text("荆门\x03")  # Ctrl-C mid-line
        read = prompt_reader(None, input=keys, output=DummyOutput())
        assert run_chat(ConsoleChat(engine, PlainScreen(out)), read) == 0
    assert out.getvalue().endswith("\n再见！\n")


def test_rich_screen_colours_and_frames_the_reply(engine: Engine) -> None:
    out = io.StringIO()
    screen = RichScreen(out, force_terminal=True, color_system="standard")  # what a terminal gets
    ConsoleChat(engine, screen).ask(QUESTION)
    text = out.getvalue()
    assert "\x1b[" in text and "╭" in text and "33个" in text and "[1]" in text


def _read_until(fd: int, needle: str, seen: bytearray, timeout: float = 60, after: str = "") -> str:
    """Read the terminal until ``needle`` shows (after the last ``after``, when given)."""
    deadline = time.monotonic() + timeout

    def shown() -> bool:
        text = seen.decode("utf-8", "replace")
        return needle in (text.rpartition(after)[2] if after else text)

    while not shown():
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} not seen in {seen.decode('utf-8', 'replace')[-2000:]!r}"
        if select.select([fd], [], [], left)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
    return seen.decode("utf-8", "replace")


def test_in_a_terminal_the_chat_edits_lines_and_ends_on_ctrl_d(kb_url: str) -> None:
    """``python -m bot chat`` on a real pseudo-terminal: prompt_toolkit in, rich out, Ctrl-D out."""
    master, slave = pty.openpty()
    env = {**os.environ, "DATABASE_URL": kb_url, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env
    )
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, "您 ▸", seen)
        os.write(master, f"{QUESTION}\r".encode())
        _read_until(master, "您 ▸", seen, after="33个")  # keys typed before the prompt is up are the tty's
        os.write(master, b"\x04")
        text = _read_until(master, "再见", seen)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert "╭" in text and "\x1b[" in text  # rich's frame and colour on a terminal
