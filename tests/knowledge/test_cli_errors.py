"""Every failure a user can cause is one sentence with exit status 1 or 2; DEBUG adds the traceback."""

from __future__ import annotations

import argparse
import logging
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from knowledge.cli_errors import USER_ERROR, explain, run_command
from knowledge.curate import CurationError
from knowledge.logs import RedactingFormatter


def fails_with(exc: BaseException):  # type: ignore[no-untyped-def]
    def command(_args: argparse.Namespace) -> int:
        raise exc

    return command


def real_operational_error() -> OperationalError:
    engine = create_engine("sqlite:////nonexistent-folder/x.sqlite3")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        return exc
    raise AssertionError("expected the connection to fail")


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (FileNotFoundError("找不到语料目录：/x"), "FACTBOT_SEEDS"),
        (FileNotFoundError(2, "No such file or directory", "/x/facts.csv"), "/x/facts.csv"),
        (PermissionError(13, "Permission denied", "/root/x"), "FACTBOT_HOME"),
        (CurationError("数据 #1 不存在"), "数据 #1 不存在"),
        (real_operational_error(), "DATABASE_URL"),
    ],
)
def test_user_failures_are_one_sentence_with_status_2(exc: BaseException, words: str) -> None:
    message, status = explain(exc)
    assert status == USER_ERROR and words in message and "\n" not in message


def test_anything_else_points_at_log_level_debug() -> None:
    message, status = explain(RuntimeError("boom"))
    assert status == 1 and "LOG_LEVEL=DEBUG" in message and "boom" in message


def test_traceback_only_at_debug(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    command = fails_with(FileNotFoundError("找不到语料目录：/x"))
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert run_command(command, argparse.Namespace()) == 2
    quiet = capsys.readouterr().err
    assert quiet.count("\n") == 1 and "Traceback" not in quiet
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    assert run_command(command, argparse.Namespace()) == 2
    assert "Traceback" in capsys.readouterr().err


def test_a_hook_explains_what_only_its_caller_knows(capsys: pytest.CaptureFixture[str]) -> None:
    hook = lambda exc: ("自定义说明。", 1) if isinstance(exc, KeyError) else None  # noqa: E731
    assert run_command(fails_with(KeyError("k")), argparse.Namespace(), hook) == 1
    assert capsys.readouterr().err == "自定义说明。\n"


def test_ctrl_c_is_status_130_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(fails_with(KeyboardInterrupt()), argparse.Namespace()) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_logged_exceptions_are_one_line_below_debug() -> None:
    try:
        raise ConnectionError("refused")
    except ConnectionError:
        record = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, "failed %s", ("x",), None)
        record.exc_info = sys.exc_info()
    quiet = RedactingFormatter(["x"], "%(message)s", tracebacks=False).format(record)
    assert quiet == "failed <redacted>\n  (ConnectionError: refused)"
    record.exc_text = None
    assert "Traceback" in RedactingFormatter([], "%(message)s", tracebacks=True).format(record)
