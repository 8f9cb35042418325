"""How every command ends: one sentence saying what to do, exit status 1 or 2, never a traceback
(unless ``LOG_LEVEL=DEBUG``); a reader that closed the pipe (``… | head -1``) ends it quietly.

``python -m knowledge`` and ``python -m bot`` both run their commands through :func:`run_command`;
the bot adds what only it knows (Telegram's errors) as an ``explain`` hook.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable

from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from knowledge.logs import configure_logging, debugging

__all__ = ["USER_ERROR", "Explain", "explain", "run_command"]

USER_ERROR = 2  # something the user can fix: a path, a setting, a file
FAILURE = 1  # something went wrong that is not obviously the user's doing (network, a bug)
INTERRUPTED = 130
Explain = Callable[[BaseException], "tuple[str, int] | None"]

log = logging.getLogger(__name__)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def explain(exc: BaseException) -> tuple[str, int]:
    """The sentence and exit status for a failure of a FactBot command."""
    curate = sys.modules.get("knowledge.curate")  # loaded by the commands that can raise its errors
    if curate is not None and isinstance(exc, curate.CurationError):
        return f"错误：{exc}", USER_ERROR
    if isinstance(exc, ArgumentError):
        return f"数据库地址无效（{_first_line(exc)}）：请检查 DATABASE_URL 或 --database-url。", USER_ERROR
    if isinstance(exc, SQLAlchemyError):
        cause = _first_line(getattr(exc, "orig", None) or exc)
        return (
            f"无法使用数据库（{type(exc).__name__}：{cause}）：请检查 DATABASE_URL 是否正确、数据库是否在运行，"
            "或不设 DATABASE_URL 以使用内置的 SQLite。",
            USER_ERROR,
        )
    if isinstance(exc, FileNotFoundError) and exc.filename is None:
        # knowledge.build: "找不到语料目录：…"
        return f"{exc}。请用 --seeds 或环境变量 FACTBOT_SEEDS 指定存放报道文本的文件夹。", USER_ERROR
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件 {exc.filename}：请检查路径是否正确。", USER_ERROR
    if isinstance(exc, PermissionError):
        return f"没有权限读写 {exc.filename}：请换一个可写的位置，或设置 FACTBOT_HOME。", USER_ERROR
    if isinstance(exc, IsADirectoryError | NotADirectoryError):
        return f"{exc.filename} 不是所需的文件或文件夹：请检查路径。", USER_ERROR
    if isinstance(exc, UnicodeDecodeError):
        return "文件不是 UTF-8 编码：请另存为 UTF-8 后再试。", USER_ERROR
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"无法读写{where}（{exc.strerror or _first_line(exc)}）：请检查路径和磁盘空间。", USER_ERROR
    return (
        f"意外错误（{type(exc).__name__}：{_first_line(exc)}）：请设置 LOG_LEVEL=DEBUG 重试以查看详情。",
        FAILURE,
    )


def _quiet_stdout() -> None:
    """The reader is gone: point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run_command(
    func: Callable[[argparse.Namespace], int], args: argparse.Namespace, hook: Explain | None = None
) -> int:
    """Run one command with logging from ``LOG_LEVEL`` and every failure as one readable sentence."""
    configure_logging()
    try:
        return int(func(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the ^C stays on its own line
        return INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except Exception as exc:
        message, status = (hook(exc) if hook else None) or explain(exc)
        if debugging():
            traceback.print_exc(file=sys.stderr)
        print(message, file=sys.stderr)
        return status
