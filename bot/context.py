"""Per-chat conversation context, kept in the database so restarts and several workers share it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import ChatContext

CONTEXT_TTL = timedelta(minutes=30)  # after this much silence a follow-up starts afresh


class ContextStore:
    def __init__(self, factory: sessionmaker[Session], ttl: timedelta = CONTEXT_TTL) -> None:
        self._factory = factory
        self._ttl = ttl

    def get(self, chat_id: int) -> dict[str, Any] | None:
        with self._factory() as session:
            row = session.get(ChatContext, chat_id)
            if row is None:
                return None
            updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
            if datetime.now(UTC) - updated > self._ttl:
                return None
            return dict(row.data or {})

    def put(self, chat_id: int, data: dict[str, Any]) -> None:
        with self._factory() as session:
            row = session.get(ChatContext, chat_id)
            if row is None:
                session.add(ChatContext(chat_id=chat_id, data=data, updated_at=datetime.now(UTC)))
            else:
                row.data = data
                row.updated_at = datetime.now(UTC)
            session.commit()

    def clear(self, chat_id: int) -> None:
        with self._factory() as session:
            row = session.get(ChatContext, chat_id)
            if row is not None:
                session.delete(row)
                session.commit()
