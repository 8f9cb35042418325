"""Per-chat conversation context, kept in the database so restarts and several workers share it.

Every question reads its chat's context and writes the new one, so both are single Core
statements on an autocommit connection: one primary-key ``SELECT`` and one upsert
(``INSERT … ON CONFLICT DO UPDATE``, PostgreSQL's or SQLite's), one round trip each, with no ORM
session, no ``BEGIN``/``COMMIT`` and no identity map. The last write wins, which is right for
a context: it is the state after the chat's latest answer.

Writing a context is best-effort: a locked SQLite file (another writer, ``knowledge build``), a
full disk or a database outage must not cost the user the answer. A failed write is logged and
kept in this process (read back by ``get``), then written with the next write that succeeds; a
kept context older than the TTL, or beyond ``UNSAVED_LIMIT`` chats, is dropped with a log line.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable

from bot.answer import FollowUp
from knowledge.db import SQLITE_BUSY_TIMEOUT_MS
from knowledge.models import ChatContext

__all__ = ["CONTEXT_TTL", "ContextStore"]

log = logging.getLogger(__name__)

CONTEXT_TTL = timedelta(minutes=30)  # after this much silence a follow-up starts afresh
UNSAVED_LIMIT = 1_000  # chats whose context waits in memory for the database to take writes again
# How long a context write waits for another writer's lock before it gives up (SQLite's busy
# timeout is 5 s, PostgreSQL waits for ever: an answer must wait neither); it is written later.
WRITE_WAIT_MS = 200

_TABLE = ChatContext.__table__
_VALUES = {
    "chat_id": bindparam("chat_id", type_=_TABLE.c.chat_id.type),
    "data": bindparam("data", type_=_TABLE.c.data.type),
    "updated_at": bindparam("updated_at", type_=_TABLE.c.updated_at.type),
}
_SELECT = select(_TABLE.c.data, _TABLE.c.updated_at).where(_TABLE.c.chat_id == _VALUES["chat_id"])
_DELETE = delete(_TABLE).where(_TABLE.c.chat_id == _VALUES["chat_id"])
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.chat_id == _VALUES["chat_id"])
    .values(data=_VALUES["data"], updated_at=_VALUES["updated_at"])
)


def _upsert(dialect: str) -> Executable | None:
    """``INSERT … ON CONFLICT (chat_id) DO UPDATE`` where the dialect has it, else None."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        return None
    stmt = insert(_TABLE).values(_VALUES)
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.chat_id],
        set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
    )


class ContextStore:
    """``load``/``save`` a chat's :class:`~bot.answer.FollowUp` (``get``/``put``: the JSON dict it is
    stored as), ``clear``; thread-safe (each call takes a pooled connection)."""

    def __init__(self, factory: sessionmaker[Session], ttl: timedelta = CONTEXT_TTL) -> None:
        bind = factory.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("ContextStore needs a sessionmaker bound to an Engine")
        self._engine = bind.execution_options(isolation_level="AUTOCOMMIT")
        self._upsert = _upsert(bind.dialect.name)
        self._dialect = bind.dialect.name
        self._ttl = ttl
        self._unsaved: dict[int, dict[str, Any]] = {}  # chat → params of a write that failed
        self._unsaved_lock = threading.Lock()

    def get(self, chat_id: int) -> dict[str, Any] | None:
        """The chat's context, or None when there is none or it is older than the TTL."""
        with self._unsaved_lock:
            kept = self._unsaved.get(chat_id)
        if kept is not None:
            data, updated = kept["data"], kept["updated_at"]
        else:
            try:
                with self._engine.connect() as conn:
                    row = conn.execute(_SELECT, {"chat_id": chat_id}).first()
            except DBAPIError as exc:  # the question is still answered, as a fresh one
                log.warning("chat %s: context not read (%s)", chat_id, exc.orig)
                return None
            if row is None:
                return None
            data = row.data
            updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - updated > self._ttl:
            return None
        return dict(data or {})

    def load(self, chat_id: int) -> FollowUp | None:
        """The chat's follow-up state, or None (none, expired, unreadable); what older versions
        stored is read as far as it goes (``FollowUp.from_dict``)."""
        data = self.get(chat_id)
        return None if data is None else FollowUp.from_dict(data)

    def save(self, chat_id: int, state: FollowUp) -> None:
        """Replace the chat's follow-up state; never raises for the database (see ``put``)."""
        self.put(chat_id, state.to_dict())

    def put(self, chat_id: int, data: dict[str, Any]) -> None:
        """Replace the chat's context (one upsert), with any that waited; never raises for the database."""
        now = datetime.now(UTC)
        with self._unsaved_lock:
            self._unsaved.pop(chat_id, None)  # this write supersedes the one that waited
            waiting = list(self._unsaved.values())
        params = {"chat_id": chat_id, "data": data, "updated_at": now}
        try:
            with self._engine.connect() as conn:
                self._short_wait(conn, WRITE_WAIT_MS)
                try:
                    for item in [params, *waiting]:
                        self._write(conn, item)
                finally:
                    self._short_wait(conn, None)
        except DBAPIError as exc:
            log.warning(
                "chat %s: context not saved (%s); kept here, written with a later one", chat_id, exc.orig
            )
            self._keep(params, now)
            return
        with self._unsaved_lock:
            for item in waiting:
                if self._unsaved.get(item["chat_id"]) is item:
                    del self._unsaved[item["chat_id"]]

    def clear(self, chat_id: int) -> None:
        with self._unsaved_lock:
            self._unsaved.pop(chat_id, None)
        with self._engine.connect() as conn:
            conn.execute(_DELETE, {"chat_id": chat_id})

    def _write(self, conn: Connection, params: dict[str, Any]) -> None:
        if self._upsert is not None:
            conn.execute(self._upsert, params)
            return
        # other dialects: update, else insert; a concurrent insert of the same chat wins
        if conn.execute(_UPDATE, params).rowcount == 0:
            try:
                conn.execute(_TABLE.insert().values(_VALUES), params)
            except IntegrityError:
                conn.execute(_UPDATE, params)

    def _short_wait(self, conn: Connection, ms: int | None) -> None:
        """Wait ``ms`` at most for another writer's lock (None: the connection's usual wait again):
        SQLite's busy timeout, PostgreSQL's lock_timeout (which is otherwise unlimited)."""
        if self._dialect == "sqlite":
            conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS if ms is None else int(ms)}")
        elif self._dialect == "postgresql":
            conn.exec_driver_sql("RESET lock_timeout" if ms is None else f"SET lock_timeout = {int(ms)}")

    def _keep(self, params: dict[str, Any], now: datetime) -> None:
        with self._unsaved_lock:
            self._unsaved[params["chat_id"]] = params
            stale = [c for c, p in self._unsaved.items() if now - p["updated_at"] > self._ttl]
            stale += list(self._unsaved)[: max(0, len(self._unsaved) - len(stale) - UNSAVED_LIMIT)]
            for chat in dict.fromkeys(stale):
                del self._unsaved[chat]
        if stale:
            log.warning("dropped the unsaved contexts of %d chats (old or too many)", len(set(stale)))
