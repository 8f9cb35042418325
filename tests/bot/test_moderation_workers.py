# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and dbfixtures and used by name
"""Moderation across workers: two real PTB Applications ("worker A", "worker B") on one database.

Behind a round-robin load balancer a moderator's next message or button press may reach any
worker. The dialogue lives in the database (``bot.dialogues``), so either worker continues it
and a ✅ applies once however many workers get it. Every test runs on SQLite and on a real
PostgreSQL (skipped when none is reachable) through the db fixtures; each worker has its own
engine and Application, and both talk to one Bot API stub, as both talk to one Telegram.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application
from telegram_fixtures import (  # noqa: F401 - fixtures are used by name
    MOD,
    MOD_CHAT,
    MODERATOR_ID,
    SEEDS,
    callback_update,
    command_update,
    feed,
    running_app,
    stub,
    text_update,
)

from bot import moderation, texts
from bot.botapi_stub import BotApiStub
from bot.engine import Engine
from knowledge.curate import Curator
from knowledge.models import ModeratorDialogue

QUESTION = "鼓楼派出所抓获了多少嫌疑人"
SUBJECT = "跨进程测试专用数据项"
TIMEOUT_JOB = f"addfact-timeout:{MODERATOR_ID}"


@pytest.fixture
async def workers(stub: BotApiStub, db_url: str) -> AsyncIterator[tuple[Application, Application]]:
    """Worker A and worker B: separate engines and Applications, one database."""
    a, b = (Engine.open(db_url, seeds_dir=SEEDS) for _ in range(2))
    async with running_app(stub, a) as worker_a, running_app(stub, b) as worker_b:
        yield worker_a, worker_b


@pytest.fixture
def article_id(factory: sessionmaker[Session]) -> int:
    engine = Engine(factory)
    return next(a.id for a in engine.snapshot.articles if "鼓楼派出所" in a.title)


@pytest.fixture
def gulou(factory: sessionmaker[Session]) -> int:
    return Engine(factory).answer(QUESTION).fact_ids[0]


def cmd(text: str) -> dict[str, Any]:
    return command_update(text, user=MOD, chat=MOD_CHAT)


def say(text: str) -> dict[str, Any]:
    return text_update(text, user=MOD, chat=MOD_CHAT)


def press(data: str) -> dict[str, Any]:
    return callback_update(data, chat=MOD_CHAT, user=MOD)


def texts_sent(stub: BotApiStub) -> list[str]:
    return [c.params["text"] for c in stub.calls_of("sendMessage")]


def last_text(stub: BotApiStub) -> str:
    return texts_sent(stub)[-1]


def token_of(stub: BotApiStub) -> str:
    markup = stub.calls_of("sendMessage")[-1].params.get("reply_markup") or {}
    data = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
    return next(d for d in data if d.startswith("me:")).split(":", 1)[1]


def ack_texts(stub: BotApiStub) -> list[str | None]:
    return [c.params.get("text") for c in stub.calls_of("answerCallbackQuery")]


def added(curator: Curator) -> list[int]:
    return [f.id for f in curator.list_facts(query=SUBJECT, status="all")]


def corrupt(factory: sessionmaker[Session], slot: str, data: object) -> None:
    with factory.begin() as session:
        session.execute(
            update(ModeratorDialogue)
            .where(ModeratorDialogue.user_id == MODERATOR_ID, ModeratorDialogue.slot == slot)
            .values(data=data)
        )


async def fill_addfact(a: Application, b: Application, stub: BotApiStub, article_id: int) -> str:
    """/addfact on A, every later step on B (buttons and typed text), up to the summary."""
    await feed(a, stub, cmd("/addfact"))
    assert "第 1/6 步" in last_text(stub)
    await feed(b, stub, press(f"ma:{article_id}"))
    assert "第 2/6 步" in last_text(stub)
    await feed(b, stub, say(SUBJECT))
    assert "第 3/6 步" in last_text(stub)
    await feed(a, stub, say("十几"))  # a bad value on A: re-asked there, the step kept for B
    assert "不是有效的数字" in last_text(stub)
    await feed(b, stub, say("17"))
    await feed(b, stub, press(f"mu:{moderation.COMMON_UNITS.index('起')}"))
    assert "单位：起" in last_text(stub)
    await feed(b, stub, press("mg:0"))
    await feed(b, stub, say("2023年"))
    assert "请确认新增" in last_text(stub) and SUBJECT in last_text(stub)
    return token_of(stub)


async def test_addfact_started_on_a_continued_on_b_confirmed_on_a(workers, stub, curator, article_id):
    a, b = workers
    token = await fill_addfact(a, b, stub, article_id)
    assert added(curator) == []  # nothing saved before ✅
    await feed(a, stub, press(f"me:{token}"))
    fid = int(re.search(r"已新增数据 #(\d+)", last_text(stub)).group(1))
    assert added(curator) == [fid]
    fact = curator.show(fid)
    assert (fact.value, fact.unit, fact.change, fact.period, fact.origin) == (
        17,
        "起",
        "上升",
        "2023年",
        "moderator",
    )
    revisions = curator.history(fid)
    assert {r.actor for r in revisions} == {f"tg:{MODERATOR_ID}"}
    assert {r.reason for r in revisions} == {texts.ADD_REASON} and len({r.batch for r in revisions}) == 1
    # the dialogue is over on every worker: text is a question again, the button is spent
    for worker in (a, b):
        await feed(worker, stub, say(QUESTION))
        assert "42名" in last_text(stub)
        await feed(worker, stub, press(f"me:{token}"))
        assert ack_texts(stub)[-1] == texts.MOD_STALE
    assert added(curator) == [fid]


async def test_the_same_confirm_pressed_on_both_workers_applies_once(workers, stub, curator, article_id):
    a, b = workers
    token = await fill_addfact(a, b, stub, article_id)
    stub.clear()
    await asyncio.gather(feed(a, stub, press(f"me:{token}")), feed(b, stub, press(f"me:{token}")))
    [done] = texts_sent(stub)
    assert "已新增数据" in done
    assert sorted(ack_texts(stub), key=str) == sorted([None, texts.MOD_STALE], key=str)
    [fid] = added(curator)
    assert len({r.batch for r in curator.history(fid)}) == 1


async def test_a_step_button_pressed_on_both_workers_moves_the_dialogue_once(
    workers, stub, curator, article_id
):
    a, b = workers
    await feed(a, stub, cmd("/addfact"))
    await feed(b, stub, press(f"ma:{article_id}"))
    await feed(a, stub, say(SUBJECT))
    await feed(b, stub, say("17"))
    stub.clear()
    unit = f"mu:{moderation.COMMON_UNITS.index('起')}"
    await asyncio.gather(feed(a, stub, press(unit)), feed(b, stub, press(unit)))
    # one worker asks for the change; the other finds the dialogue already past the unit step
    assert [t for t in texts_sent(stub) if "单位：起" in t] == texts_sent(stub) and len(texts_sent(stub)) == 1
    assert sorted(ack_texts(stub), key=str) == sorted([None, texts.MOD_STALE], key=str)
    await feed(a, stub, press("mg:2"))
    assert "第 6/6 步" in last_text(stub)


async def test_editfact_preview_on_a_confirmed_on_b(workers, stub, curator, gulou):
    a, b = workers
    await feed(a, stub, cmd(f"/editfact {gulou} 数值=50 原因=核对原文"))
    token = token_of(stub)
    await feed(b, stub, press(f"me:{token}"))
    assert "已保存" in last_text(stub) and "数值：42 → 50" in last_text(stub)
    fact = curator.show(gulou)
    assert fact.value == 50 and fact.version == 2
    revisions = curator.history(gulou)
    assert {(r.actor, r.reason, r.batch) for r in revisions} == {
        (f"tg:{MODERATOR_ID}", "核对原文", revisions[0].batch)
    }
    await feed(a, stub, press(f"me:{token}"))  # the same button again, on the other worker
    assert ack_texts(stub)[-1] == texts.MOD_STALE
    assert curator.show(gulou).version == 2
    await feed(a, stub, say(QUESTION))  # worker A answers with B's edit
    assert "50名" in last_text(stub).split("\n", 1)[0]


async def test_cancel_on_b_ends_what_was_started_on_a(workers, stub, curator, gulou, article_id):
    a, b = workers
    await feed(a, stub, cmd(f"/editfact {gulou} 数值=50"))
    token = token_of(stub)
    await feed(a, stub, cmd("/addfact"))
    await feed(a, stub, press(f"ma:{article_id}"))
    await feed(b, stub, cmd("/cancel"))
    assert last_text(stub) == texts.MOD_CANCELLED
    await feed(a, stub, say(QUESTION))  # no longer a subject
    assert "42名" in last_text(stub)
    await feed(a, stub, press(f"me:{token}"))
    assert ack_texts(stub)[-1] == texts.MOD_STALE
    assert curator.show(gulou).version == 1


async def test_a_malformed_draft_gives_a_clear_message(workers, stub, factory, article_id):
    a, b = workers
    await feed(a, stub, cmd("/addfact"))
    await feed(a, stub, press(f"ma:{article_id}"))
    corrupt(factory, "addfact", {"step": "subject", "article": 3})  # e.g. written by an older version
    await feed(b, stub, say(SUBJECT))
    assert last_text(stub) == texts.MOD_STATE_UNREADABLE
    await feed(a, stub, say(QUESTION))  # the dialogue is over everywhere
    assert "42名" in last_text(stub)


async def test_a_malformed_confirmation_gives_a_clear_message(workers, stub, factory, curator, gulou):
    a, b = workers
    await feed(a, stub, cmd(f"/editfact {gulou} 数值=50"))
    token = token_of(stub)
    corrupt(factory, token, ["not", "a", "change"])
    stub.clear()
    await feed(b, stub, press(f"me:{token}"))
    assert ack_texts(stub) == [None]
    assert texts_sent(stub) == [texts.MOD_STATE_UNREADABLE]
    assert stub.calls_of("editMessageReplyMarkup")  # its dead buttons are taken away
    assert curator.show(gulou).version == 1
    await feed(a, stub, press(f"me:{token}"))
    assert ack_texts(stub)[-1] == texts.MOD_STALE


async def test_the_timeout_notice_comes_once_from_the_worker_that_saved_last(workers, stub, article_id):
    a, b = workers
    await feed(a, stub, cmd("/addfact"))
    [timer_a] = a.job_queue.get_jobs_by_name(TIMEOUT_JOB)
    await feed(b, stub, press(f"ma:{article_id}"))
    [timer_b] = b.job_queue.get_jobs_by_name(TIMEOUT_JOB)
    stub.clear()
    await timer_a.run(a)  # A's timer goes off: the dialogue moved on since, so it does nothing
    assert texts_sent(stub) == []
    await timer_b.run(b)
    assert texts_sent(stub) == [texts.MOD_TIMEOUT]
    await timer_b.run(b)  # said once
    await feed(a, stub, say(QUESTION))
    assert texts_sent(stub)[1:2] != [texts.MOD_TIMEOUT] and "42名" in last_text(stub)
