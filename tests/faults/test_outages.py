# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and used by name
"""Issue 12, item 10: database outages, rerun against the real Application and PostgreSQL.

The outage is real: the bot reaches PostgreSQL through a TCP proxy in this test, which is shut
(every connection cut) and opened again; the shared server itself is never touched.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy import text
from telegram_fixtures import MOD, MOD_CHAT, command_update, feed, running_app, stub, text_update  # noqa: F401

from bot.engine import Engine
from knowledge.db import get_engine

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "鼓楼派出所抓获了多少嫌疑人"


class Proxy:
    """A TCP forwarder to ``target`` that can be cut (an outage) and opened again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self._up.clear()
        with self._lock:
            for s in self._open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._open.clear()

    def restore(self) -> None:
        self._up.set()

    def close(self) -> None:
        self.cut()
        self._listener.close()


@pytest.fixture
def pg_through_proxy(db_url: str, backend: str) -> Iterator[tuple[str, Proxy]]:
    if backend != "postgresql":
        pytest.skip("an outage of a server: PostgreSQL (SQLite's file does not go away)")
    url = get_engine(db_url).url
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        yield proxied, proxy
    finally:
        get_engine(proxied).dispose()
        proxy.close()


def replies(stub) -> list[str]:
    return [c.params["text"] for c in stub.calls_of("sendMessage")]


async def test_a_database_outage_gets_one_message_per_question_and_recovers(stub, pg_through_proxy) -> None:
    url, proxy = pg_through_proxy
    engine = Engine.open(url)
    async with running_app(stub, engine) as app:
        await feed(app, stub, text_update(QUESTION))
        assert "42名" in replies(stub)[-1]
        proxy.cut()
        for update in (
            text_update(QUESTION),
            text_update("荆门打掉了多少个电信诈骗窝点"),
            command_update("/history 1", user=MOD, chat=MOD_CHAT),
        ):
            stub.clear()
            await feed(app, stub, update)
            assert len(replies(stub)) == 1, replies(stub)  # not twice (draft handler + question)
        proxy.restore()
        stub.clear()
        await feed(app, stub, text_update(QUESTION))  # the pool's dead connections: pre-pinged away
        assert "42名" in replies(stub)[-1]


def test_the_first_query_after_a_server_restart_succeeds(pg_through_proxy) -> None:
    """Every pooled connection dropped at once (what a restart does): checked out, pinged, replaced."""
    url, proxy = pg_through_proxy
    engine = get_engine(url)
    with engine.connect() as conn:
        conn.execute(text("select 1"))
    proxy.cut()
    proxy.restore()
    with engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1


@pytest.mark.parametrize("where", ["unreachable-postgresql", "read-only-sqlite"])
def test_bot_run_says_in_one_sentence_what_is_wrong_with_the_database(where: str, tmp_path: Path) -> None:
    if where == "unreachable-postgresql":
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"postgresql://factbot:hunter2secret@127.0.0.1:{port}/kb"
    else:
        (tmp_path / "empty.sqlite3").write_bytes(b"")
        url = f"sqlite:///file:{tmp_path / 'empty.sqlite3'}?mode=ro&uri=true"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789",
        "DATABASE_URL": url,
        "FACTBOT_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "hunter2secret" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "数据库" in lines[0], done.stderr
