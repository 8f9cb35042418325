"""Per-chat context lives in the database: shared by processes, expiring after silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.context import ContextStore
from bot.engine import Engine
from knowledge.models import ChatContext


def test_context_round_trip_and_clear(engine: Engine) -> None:
    store = ContextStore(engine.factory)
    store.put(-100123, {"intent": "fact", "fact_ids": [1]})
    assert ContextStore(engine.factory).get(-100123) == {"intent": "fact", "fact_ids": [1]}
    store.clear(-100123)
    assert store.get(-100123) is None


def test_context_expires_after_silence(engine: Engine) -> None:
    store = ContextStore(engine.factory, ttl=timedelta(minutes=30))
    store.put(777, {"intent": "summary"})
    with engine.factory() as session:
        session.get(ChatContext, 777).updated_at = datetime.now(UTC) - timedelta(minutes=31)
        session.commit()
    assert store.get(777) is None


def test_large_chat_ids_fit(engine: Engine) -> None:
    store = ContextStore(engine.factory)
    store.put(-1002233445566, {"intent": "list"})
    assert store.get(-1002233445566) == {"intent": "list"}
