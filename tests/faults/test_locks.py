# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and used by name
"""Issue 12, item 3: another writer holding a lock must not cost a question its answer."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from dbfixtures import *  # noqa: F403
from telegram_fixtures import feed, running_app, stub, text_update  # noqa: F401

from bot import texts
from bot.context import ContextStore
from bot.engine import Engine
from bot.telegram_app import SERVICES_KEY

QUESTIONS = ("鼓楼派出所抓获了多少嫌疑人", "荆门打掉了多少个电信诈骗窝点")


async def test_questions_are_answered_while_another_process_holds_the_write_lock(
    stub, sqlite_engine: Engine, sqlite_path: Path
) -> None:
    expected = [sqlite_engine.answer(q).reply.splitlines()[0] for q in QUESTIONS]
    async with running_app(stub, sqlite_engine) as app:
        holder = sqlite3.connect(sqlite_path, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # as `knowledge build` or any other writer would
        try:
            for question, first_line in zip(QUESTIONS, expected, strict=True):
                stub.clear()
                await feed(app, stub, text_update(question))
                [reply] = [c.params["text"] for c in stub.calls_of("sendMessage")]
                assert texts.ERROR not in reply and first_line in reply
        finally:
            holder.rollback()
            holder.close()
        store: ContextStore = app.bot_data[SERVICES_KEY].contexts
        kept = store.get(5001)
        assert kept is not None and kept.get("intent"), "the context is kept until it can be written"
        store.put(5002, {"intent": "none"})  # the next write also writes what waited
    with sqlite3.connect(sqlite_path) as conn:
        assert conn.execute(
            "SELECT count(*) FROM chat_contexts WHERE chat_id IN (5001, 5002)"
        ).fetchone() == (2,)


async def test_a_locked_context_table_on_postgresql_does_not_hold_the_answer(
    stub, db_url: str, backend: str
) -> None:
    """The same experiment on PostgreSQL: another transaction locks the context table."""
    from sqlalchemy import text

    from knowledge.db import get_engine

    if backend != "postgresql":
        pytest.skip("SQLite's lock is the test above")
    engine = Engine.open(db_url)
    first_line = engine.answer(QUESTIONS[0]).reply.splitlines()[0]
    async with running_app(stub, engine) as app:
        with get_engine(db_url).connect() as holder:
            holder.execute(text("LOCK TABLE chat_contexts IN EXCLUSIVE MODE"))  # readers go on
            try:
                await asyncio.wait_for(feed(app, stub, text_update(QUESTIONS[0])), 30)
            finally:
                holder.rollback()
        [reply] = [c.params["text"] for c in stub.calls_of("sendMessage")]
        assert texts.ERROR not in reply and first_line in reply
