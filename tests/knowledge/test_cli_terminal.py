"""``python -m knowledge build`` and ``export`` as a person sees them: on a terminal and through a pipe."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from dbfixtures import template_db  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
JIEBA_LINES = ("Building prefix dict", "Loading model", "Prefix dict has been built", "Dumping model")


def env_for(url: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}, "DATABASE_URL": url, "TERM": "xterm"}


def in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal; everything it showed, as text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    proc = subprocess.Popen(
        [sys.executable, "-m", *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=ROOT, env=env
    )
    os.close(slave)
    shown = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(master)
    return proc.wait(timeout=120), shown.decode("utf-8", "replace")


def test_build_on_a_terminal_shows_one_bar_and_a_one_line_summary(tmp_path: Path) -> None:
    code, shown = in_terminal(["knowledge", "build"], env_for(f"sqlite:///{tmp_path / 'kb.sqlite3'}"))
    assert code == 0, shown
    assert not any(line in shown for line in JIEBA_LINES), shown  # jieba's start-up chatter is gone
    files = len(list((ROOT / "seeds").iterdir()))
    assert f"{files}/{files}" in shown and shown.count("构建:") >= 1
    lines = [line for line in shown.replace("\r", "\n").splitlines() if line.strip()]
    assert (
        lines[-1].startswith(f"已构建 {files} 个文件")
        and sum(line.startswith("已构建") for line in lines) == 1
    )


def test_build_through_a_pipe_prints_only_the_summary(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "knowledge", "build"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_for(f"sqlite:///{tmp_path / 'kb.sqlite3'}"),
        timeout=120,
    )
    assert out.returncode == 0 and out.stderr == ""
    [summary] = out.stdout.splitlines()
    assert summary.startswith("已构建")


def test_jieba_lines_go_through_logging_at_debug(tmp_path: Path) -> None:
    env = {**env_for(f"sqlite:///{tmp_path / 'kb.sqlite3'}"), "LOG_LEVEL": "DEBUG"}
    out = subprocess.run(
        [sys.executable, "-m", "knowledge", "build"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0
    assert "DEBUG jieba: Building prefix dict" in out.stderr or "DEBUG jieba: Loading model" in out.stderr


def test_export_json_is_indented_on_a_terminal_and_one_line_in_a_pipe(template_db: Path) -> None:  # noqa: F811
    kb_url = f"sqlite:///{template_db}"
    code, shown = in_terminal(["knowledge", "export", "--format", "json"], env_for(kb_url))
    assert code == 0 and shown.startswith('[\r\n  {\r\n    "id": ')
    piped = subprocess.run(
        [sys.executable, "-m", "knowledge", "export", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_for(kb_url),
        timeout=120,
    )
    assert piped.returncode == 0 and len(piped.stdout.splitlines()) == 1
    assert json.loads(piped.stdout) == json.loads(shown.replace("\r\n", "\n"))
