"""Logging for every command: level from ``LOG_LEVEL``, secrets redacted, tracebacks only at DEBUG.

A user who mistyped a URL wants one sentence, not 100 lines of a library's traceback; whoever
debugs sets ``LOG_LEVEL=DEBUG`` and gets everything, the tracebacks included.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["LOG_LEVEL_ENV", "RedactingFormatter", "configure_logging", "debugging", "route_jieba"]

LOG_LEVEL_ENV = "LOG_LEVEL"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def level_from_env(default: int = logging.WARNING) -> int:
    name = os.environ.get(LOG_LEVEL_ENV, "").strip().upper()
    return logging.getLevelNamesMapping().get(name, default)


def debugging() -> bool:
    return level_from_env() <= logging.DEBUG


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks out secrets (httpx and PTB log URLs that contain the token).

    Below DEBUG a logged exception shows as its one-line summary instead of its traceback.
    """

    def __init__(self, secrets_: Iterable[str], fmt: str | None = None, *, tracebacks: bool = True) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets_ if s]
        self._tracebacks = tracebacks

    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]  # noqa: N802 (logging's name)
        if self._tracebacks:
            return super().formatException(ei)
        return f"  ({ei[0].__name__}: {str(ei[1]).splitlines()[0] if str(ei[1]) else ''})"

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return super().formatStack(stack_info) if self._tracebacks else ""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


def env_secrets() -> list[str]:
    """What must never reach a log: the bot token, the webhook secret, the database password."""
    found = [os.environ.get(k, "").strip() for k in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")]
    url = os.environ.get("DATABASE_URL", "").strip()
    with contextlib.suppress(ArgumentError, ValueError):
        found.append(make_url(url).password or "" if url else "")
    return [s for s in found if s]


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (a redirect, a test's capture)."""

    @property
    def stream(self):  # type: ignore[no-untyped-def, override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def configure_logging(secrets_: Iterable[str] = (), default: int = logging.WARNING) -> None:
    """One stderr handler on the root logger at ``LOG_LEVEL`` (else ``default``: a one-shot command
    stays quiet, a server says INFO); call again (e.g. with a token) to replace it."""
    resolved = level_from_env(default)
    handler = StderrHandler()
    handler.setFormatter(
        RedactingFormatter([*env_secrets(), *secrets_], FORMAT, tracebacks=resolved <= logging.DEBUG)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, StderrHandler):  # ours from an earlier call; others' (pytest's) stay
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(resolved)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request, token in URL


def route_jieba() -> None:
    """jieba prints its start-up lines ("Building prefix dict …") to stderr through a handler of
    its own, breaking progress bars; send them through logging instead, where they are DEBUG."""
    import jieba

    jieba.default_logger.removeHandler(jieba.log_console)
    jieba.default_logger.setLevel(logging.NOTSET)
