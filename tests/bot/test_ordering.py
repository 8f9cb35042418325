# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and used by name
"""Concurrent updates, one chat at a time: the processor alone, then inside the real Application."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

import pytest
from telegram import Update
from telegram_fixtures import (  # noqa: F401 - fixtures are used by name
    USER,
    inline_update,
    stub,
    text_update,
    tg_engine,
    tg_kb_url,
)

from bot import telegram_app
from bot.answer import FollowUp
from bot.botapi_stub import BotApiStub
from bot.ordering import ChatOrderedProcessor, ordering_key


def _update(chat_id: int) -> Update:
    chat = {"id": chat_id, "type": "private", "first_name": "x"}
    return Update.de_json(text_update("hi", chat=chat, user={**USER, "id": chat_id}), None)


class Journal:
    """Records when each job starts and ends; a job may wait for an event before ending."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []
        self.running = 0
        self.most = 0

    async def job(
        self, name: str, wait_for: asyncio.Event | None = None, sets: asyncio.Event | None = None
    ) -> None:
        self.entries.append(("start", name))
        self.running += 1
        self.most = max(self.most, self.running)
        if sets is not None:
            sets.set()
        if wait_for is not None:
            await asyncio.wait_for(wait_for.wait(), 5)
        for _ in range(3):
            await asyncio.sleep(0)
        self.running -= 1
        self.entries.append(("end", name))


async def test_one_chat_in_order_other_chats_alongside() -> None:
    processor = ChatOrderedProcessor(8)
    journal = Journal()
    other_started = asyncio.Event()
    tasks = [
        asyncio.create_task(processor.process_update(_update(1), journal.job("a1", wait_for=other_started))),
        asyncio.create_task(processor.process_update(_update(1), journal.job("a2"))),
        asyncio.create_task(processor.process_update(_update(1), journal.job("a3"))),
        asyncio.create_task(processor.process_update(_update(2), journal.job("b1", sets=other_started))),
    ]
    await asyncio.gather(*tasks)
    chat_1 = [e for e in journal.entries if e[1].startswith("a")]
    assert chat_1 == [
        ("start", "a1"),
        ("end", "a1"),
        ("start", "a2"),
        ("end", "a2"),
        ("start", "a3"),
        ("end", "a3"),
    ]
    assert journal.entries.index(("start", "b1")) < journal.entries.index(("end", "a1")), (
        "chat 2 did not wait"
    )
    assert processor.chats_in_flight == 0


async def test_at_most_slots_at_once() -> None:
    processor = ChatOrderedProcessor(2)
    journal = Journal()
    await asyncio.gather(
        *(processor.process_update(_update(chat), journal.job(str(chat))) for chat in range(10))
    )
    assert journal.most == 2
    assert len(journal.entries) == 20


async def test_updates_waiting_for_their_chat_hold_no_slot() -> None:
    """A burst from one chat must not starve the others (two slots, five updates of chat 1)."""
    processor = ChatOrderedProcessor(2)
    journal = Journal()
    other_ran = asyncio.Event()
    tasks = [asyncio.create_task(processor.process_update(_update(1), journal.job("a0", wait_for=other_ran)))]
    tasks += [
        asyncio.create_task(processor.process_update(_update(1), journal.job(f"a{i}"))) for i in range(1, 5)
    ]
    tasks.append(asyncio.create_task(processor.process_update(_update(2), journal.job("b", sets=other_ran))))
    await asyncio.gather(*tasks)
    assert [n for kind, n in journal.entries if kind == "start" and n.startswith("a")] == [
        f"a{i}" for i in range(5)
    ]


async def test_a_failing_update_releases_its_chat() -> None:
    processor = ChatOrderedProcessor(4)

    async def boom() -> None:
        raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await processor.process_update(_update(1), boom())
    journal = Journal()
    await asyncio.wait_for(processor.process_update(_update(1), journal.job("after")), 5)
    assert journal.entries == [("start", "after"), ("end", "after")]
    assert processor.chats_in_flight == 0


def test_ordering_key() -> None:
    assert ordering_key(_update(-100200)) == -100200
    assert ordering_key(Update.de_json(inline_update("x"), None)) == USER["id"]
    assert ordering_key(Update.de_json({"update_id": 1}, None)) is None
    assert ordering_key("not an update") is None
    with pytest.raises(ValueError):
        ChatOrderedProcessor(0)


# ---------------------------------------------------------------------------------- real Application

FIRST, FOLLOW_UP, OTHER = "荆门打掉了多少个电信诈骗窝点", "原文呢", "鼓楼派出所抓获了多少嫌疑人"


class _GatedEngine:
    """The real engine; the first question waits (in its thread) until another chat's answer began."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.other_started = threading.Event()
        self.calls: list[tuple[str, bool]] = []  # (message, had a context)
        self._lock = threading.Lock()

    def answer(self, message: str, context: FollowUp | None = None) -> Any:
        with self._lock:
            self.calls.append((message, context is not None))
        if message == OTHER:
            self.other_started.set()
        if message == FIRST:
            self.other_started.wait(10)
        return self._engine.answer(message, context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


async def test_application_answers_chats_concurrently_and_each_chat_in_order(
    stub: BotApiStub, tg_engine: Any
) -> None:
    app = telegram_app.build_application(tg_engine, stub.token, base_url=stub.base_url, rate_limit=False)
    assert isinstance(app.update_processor, ChatOrderedProcessor) and app.concurrent_updates > 1
    gated = _GatedEngine(tg_engine)
    services = app.bot_data[telegram_app.SERVICES_KEY]
    app.bot_data[telegram_app.SERVICES_KEY] = dataclasses.replace(services, engine=gated)
    x = {"id": 6101, "type": "private", "first_name": "甲"}
    y = {"id": 6102, "type": "private", "first_name": "乙"}
    async with app:
        await app.start()
        try:
            for data in (
                text_update(FIRST, chat=x, user={**USER, "id": 6101}),
                text_update(FOLLOW_UP, chat=x, user={**USER, "id": 6101}),
                text_update(OTHER, chat=y, user={**USER, "id": 6102}),
            ):
                stub.remember_update(data)
                await app.update_queue.put(Update.de_json(data, app.bot))
            for _ in range(500):
                if len(stub.calls_of("sendMessage")) >= 3:
                    break
                await asyncio.sleep(0.02)
        finally:
            await app.stop()
    assert gated.other_started.is_set()
    assert [m for m, _ in gated.calls].index(OTHER) < [m for m, _ in gated.calls].index(FOLLOW_UP), (
        "chat y was answered while chat x's first question was still being worked on"
    )
    assert (FOLLOW_UP, True) in gated.calls, "the follow-up was read with the first answer's context"
    to_x = [c.params["text"] for c in stub.calls_of("sendMessage") if c.params["chat_id"] == 6101]
    assert len(to_x) == 2 and "33" in to_x[0]
    assert "打掉电信诈骗窝点33个" in to_x[1], "the follow-up quoted the first answer's source"
    assert app.update_processor.chats_in_flight == 0
