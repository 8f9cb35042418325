"""Hearing about new knowledge-base revisions from PostgreSQL instead of asking on every message.

``knowledge.store.bump_revision`` sends ``pg_notify`` with each revision it commits. One thread
per process and database LISTENs and counts what it hears; an engine reads the database again
only when that count (or this process's own commits) moved. While the connection is down the
engines fall back to one primary-key read per message, so nothing is missed.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine

from knowledge.store import REVISION_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_S = 2.0
IDLE_CHECK_S = 30.0  # a silent connection is probed this often, so a dead one is noticed


class RevisionListener:
    """``heard`` grows with every notification and every (re)connection; ``listening`` says
    whether a silence can be trusted."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self.heard = 0
        self.listening = False
        threading.Thread(target=self._run, name="factbot-listen", daemon=True).start()

    def _run(self) -> None:
        import psycopg

        while True:
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {REVISION_CHANNEL}")
                    self.heard += 1  # whatever was committed before LISTEN: look once
                    self.listening = True
                    while True:
                        for _ in conn.notifies(timeout=IDLE_CHECK_S, stop_after=1):
                            self.heard += 1
                        conn.execute("SELECT 1")  # raises when the connection is gone
            except Exception as exc:  # the engines poll meanwhile; try again shortly
                if self.listening:
                    log.warning("revision notifications lost (%s); polling until reconnected", exc)
            self.listening = False
            self.heard += 1
            time.sleep(RECONNECT_S)


_listeners: dict[str, RevisionListener] = {}
_lock = threading.Lock()


def listener_for(bind: Engine) -> RevisionListener | None:
    """The process's listener for ``bind``'s database (PostgreSQL only; channels span schemas)."""
    if bind.dialect.name != "postgresql":
        return None
    query = {k: v for k, v in bind.url.query.items() if k != "options"}
    conninfo = bind.url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    with _lock:
        listener = _listeners.get(conninfo)
        if listener is None:
            listener = _listeners[conninfo] = RevisionListener(conninfo)
        return listener
