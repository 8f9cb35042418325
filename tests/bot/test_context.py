"""Per-chat context lives in the database: shared by processes, expiring after silence.

Every test runs on SQLite and on a real PostgreSQL (skipped when none is reachable): the
store writes with each dialect's own ``INSERT … ON CONFLICT DO UPDATE``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.answer import Alternatives, Asked, Choice, FollowUp
from bot.context import ContextStore
from knowledge.db import get_engine, init_db, session_factory
from knowledge.models import ChatContext


@pytest.fixture
def contexts_factory(empty_url: str) -> sessionmaker[Session]:
    """A migrated, empty database of the test's backend (no knowledge base needed)."""
    engine = get_engine(empty_url)
    init_db(engine)
    return session_factory(engine)


def test_context_round_trip_and_clear(contexts_factory: sessionmaker[Session]) -> None:
    store = ContextStore(contexts_factory)
    store.put(-100123, {"intent": "fact", "fact_ids": [1]})
    assert ContextStore(contexts_factory).get(-100123) == {"intent": "fact", "fact_ids": [1]}
    store.clear(-100123)
    assert store.get(-100123) is None
    store.clear(-100123)  # clearing nothing is fine


def test_put_replaces_the_whole_context(contexts_factory: sessionmaker[Session]) -> None:
    store = ContextStore(contexts_factory)
    store.put(42, {"intent": "fact", "article_id": 3, "suggestions": ["甲", "乙"]})
    store.put(42, {"intent": "summary", "suggestions": []})
    assert store.get(42) == {"intent": "summary", "suggestions": []}
    with contexts_factory() as session:
        assert session.scalars(select(ChatContext.chat_id)).all() == [42]


def test_unicode_and_nested_values_survive(contexts_factory: sessionmaker[Session]) -> None:
    store = ContextStore(contexts_factory)
    data = {"slots": {"place": "荆门", "unit": "个"}, "alternatives": [["fact", [3, 1, 2]]], "n": 1.5}
    store.put(7, data)
    assert store.get(7) == data


def test_context_expires_after_silence(contexts_factory: sessionmaker[Session]) -> None:
    store = ContextStore(contexts_factory, ttl=timedelta(minutes=30))
    store.put(777, {"intent": "summary"})
    with contexts_factory() as session:
        session.execute(
            update(ChatContext)
            .where(ChatContext.chat_id == 777)
            .values(updated_at=datetime.now(UTC) - timedelta(minutes=31))
        )
        session.commit()
    assert store.get(777) is None
    store.put(777, {"intent": "fact"})  # a new answer starts a fresh context
    assert store.get(777) == {"intent": "fact"}


def test_large_chat_ids_fit(contexts_factory: sessionmaker[Session]) -> None:
    store = ContextStore(contexts_factory)
    store.put(-1002233445566, {"intent": "list"})
    assert store.get(-1002233445566) == {"intent": "list"}


def test_puts_from_many_threads_leave_one_row_per_chat(contexts_factory: sessionmaker[Session]) -> None:
    """Workers and threads write the same chats at once: the upsert never hits a duplicate key."""
    store = ContextStore(contexts_factory)
    chats = [1, 2, 3, 4]

    def write(i: int) -> None:
        store.put(chats[i % len(chats)], {"i": i})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(64)))
    with contexts_factory() as session:
        assert sorted(session.scalars(select(ChatContext.chat_id)).all()) == chats
    for chat in chats:
        got = store.get(chat)
        assert got is not None and got["i"] % len(chats) == chat - 1


def test_reads_see_writes_of_another_store_at_once(contexts_factory: sessionmaker[Session]) -> None:
    """Two stores stand for two workers: no transaction or cache hides the other's write."""
    first, second = ContextStore(contexts_factory), ContextStore(contexts_factory)
    assert second.get(9) is None
    first.put(9, {"intent": "fact"})
    assert second.get(9) == {"intent": "fact"}
    second.put(9, {"intent": "list"})
    assert first.get(9) == {"intent": "list"}


def test_follow_up_state_round_trip(contexts_factory: sessionmaker[Session]) -> None:
    """``save``/``load``: the typed state, stored as the JSON dict ``get`` returns."""
    store = ContextStore(contexts_factory)
    state = FollowUp(
        intent="fact",
        article_id=3,
        query="荆门窝点",
        terms=("荆门", "窝点"),
        place="荆门",
        fact_ids=(5,),
        alternatives=Alternatives("fact", (5, 8, 2)),
        offset=2,
        suggestions=("荆门市公安局打掉电信诈骗窝点是多少？",),
        choices=(Choice("荆门市公安局打掉电信诈骗窝点是多少？", "fact", 5),),
        asked=(Asked(31, "荆门窝点", "fact", (5,)),),
    )
    store.save(5, state)
    assert ContextStore(contexts_factory).load(5) == state
    assert store.get(5) == state.to_dict()
    assert store.load(6) is None


def test_contexts_stored_by_the_old_code_load(contexts_factory: sessionmaker[Session]) -> None:
    """Rows written before the state was typed (a plain dict, some keys missing) still load."""
    store = ContextStore(contexts_factory)
    store.put(8, {"intent": "summary", "article_id": 2, "alternatives": {"kind": "article", "ids": [2, 4]},
                  "offset": 0, "suggestions": ["《甲》讲了什么？"], "asked": [[3, "甲", "summary", [2]]]})  # fmt: skip
    state = store.load(8)
    assert state is not None and state.intent == "summary" and state.article_id == 2
    assert state.alternatives == Alternatives("article", (2, 4)) and state.query is None
    assert state.suggestions == ("《甲》讲了什么？",) and state.asked == (Asked(3, "甲", "summary", (2,)),)
    store.put(9, {"suggestions": []})  # what a help answer left
    assert store.load(9) == FollowUp()


def test_needs_a_factory_bound_to_an_engine() -> None:
    with pytest.raises(TypeError):
        ContextStore(sessionmaker())
