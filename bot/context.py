"""Per-chat conversation context, kept in the database so restarts and several workers share it.

Every question reads its chat's context and writes the new one, so both are single Core
statements on an autocommit connection: one primary-key ``SELECT`` and one upsert
(``INSERT … ON CONFLICT DO UPDATE``, PostgreSQL's or SQLite's), one round trip each, with no ORM
session, no ``BEGIN``/``COMMIT`` and no identity map. The last write wins, which is right for
a context: it is the state after the chat's latest answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable

from knowledge.models import ChatContext

__all__ = ["CONTEXT_TTL", "ContextStore"]

CONTEXT_TTL = timedelta(minutes=30)  # after this much silence a follow-up starts afresh

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
    """``get``/``put``/``clear`` a chat's context dict; thread-safe (each call takes a pooled connection)."""

    def __init__(self, factory: sessionmaker[Session], ttl: timedelta = CONTEXT_TTL) -> None:
        bind = factory.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("ContextStore needs a sessionmaker bound to an Engine")
        self._engine = bind.execution_options(isolation_level="AUTOCOMMIT")
        self._upsert = _upsert(bind.dialect.name)
        self._ttl = ttl

    def get(self, chat_id: int) -> dict[str, Any] | None:
        """The chat's context, or None when there is none or it is older than the TTL."""
        with self._engine.connect() as conn:
            row = conn.execute(_SELECT, {"chat_id": chat_id}).first()
        if row is None:
            return None
        updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - updated > self._ttl:
            return None
        return dict(row.data or {})

    def put(self, chat_id: int, data: dict[str, Any]) -> None:
        """Replace the chat's context (one upsert)."""
        params = {"chat_id": chat_id, "data": data, "updated_at": datetime.now(UTC)}
        with self._engine.connect() as conn:
            if self._upsert is not None:
                conn.execute(self._upsert, params)
                return
            # other dialects: update, else insert; a concurrent insert of the same chat wins
            if conn.execute(_UPDATE, params).rowcount == 0:
                try:
                    conn.execute(_TABLE.insert().values(_VALUES), params)
                except IntegrityError:
                    conn.execute(_UPDATE, params)

    def clear(self, chat_id: int) -> None:
        with self._engine.connect() as conn:
            conn.execute(_DELETE, {"chat_id": chat_id})
