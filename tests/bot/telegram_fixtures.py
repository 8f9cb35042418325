"""Fixtures for the Telegram tests: a real engine, the Bot API stub, a real Application.

Imported by the test modules (``from tests.bot.telegram_fixtures import *``-style) because
``tests/bot/conftest.py`` belongs to another change. Updates are built as Telegram sends them.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.botapi_stub import BotApiStub
from bot.engine import Engine
from bot.telegram_app import build_application

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
USER = {"id": 5001, "is_bot": False, "first_name": "小王", "language_code": "zh-hans"}
PRIVATE = {"id": 5001, "type": "private", "first_name": "小王"}
GROUP = {"id": -100200, "type": "supergroup", "title": "警务交流群"}
CHANNEL = {"id": -100300, "type": "channel", "title": "警务频道"}
MODERATOR_ID = 7007
MOD = {"id": MODERATOR_ID, "is_bot": False, "first_name": "管理员"}  # a moderator from MODERATOR_IDS
MOD_CHAT = {"id": MODERATOR_ID, "type": "private", "first_name": "管理员"}

_ids = itertools.count(1)


@pytest.fixture(scope="session")
def tg_kb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('tgkb') / 'kb.sqlite3'}"
    Engine.open(url, seeds_dir=SEEDS)
    return url


@pytest.fixture(scope="session")
def tg_engine(tg_kb_url: str) -> Engine:
    return Engine.open(tg_kb_url, seeds_dir=SEEDS)


@pytest.fixture
def stub() -> Iterator[BotApiStub]:
    with BotApiStub() as api:
        yield api


@asynccontextmanager
async def running_app(stub: BotApiStub, engine: Engine) -> AsyncIterator[Application]:
    """The real Application, its HTTP pointed at the stub, initialised as run_polling would."""
    application = build_application(
        engine,
        stub.token,
        base_url=stub.base_url,
        base_file_url=stub.base_file_url,
        moderator_ids=frozenset({MODERATOR_ID}),
        rate_limit=False,
    )
    await application.initialize()
    await application.post_init(application)  # run_polling/run_webhook would call it
    try:
        yield application
    finally:
        await application.shutdown()


@pytest.fixture
async def app(stub: BotApiStub, tg_engine: Engine) -> AsyncIterator[Application]:
    async with running_app(stub, tg_engine) as application:
        yield application


async def feed(app: Application, stub: BotApiStub, data: dict[str, Any]) -> None:
    """Process one update exactly as received from Telegram."""
    stub.remember_update(data)
    await app.process_update(Update.de_json(data, app.bot))


# ---------------------------------------------------------------------------------- updates


def message(
    text: str | None = None,
    *,
    chat: dict[str, Any] = PRIVATE,
    user: dict[str, Any] = USER,
    entities: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": next(_ids), "date": int(time.time()), "chat": chat, "from": user}
    if text is not None:
        msg["text"] = text
    if entities:
        msg["entities"] = entities
    msg.update(extra)
    return msg


def update(kind: str = "message", **payload: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), kind: payload.pop("body") if "body" in payload else payload}


def text_update(text: str, **kw: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), "message": message(text, **kw)}


def command_update(text: str, **kw: Any) -> dict[str, Any]:
    name = text.split()[0]
    entity = {"type": "bot_command", "offset": 0, "length": len(name.encode("utf-16-le")) // 2}
    return {"update_id": next(_ids), "message": message(text, entities=[entity], **kw)}


def callback_update(
    data: str, *, chat: dict[str, Any] = PRIVATE, message_id: int = 900, user: dict[str, Any] = USER
) -> dict[str, Any]:
    bot_message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": 123456789, "is_bot": True, "first_name": "FactBot", "username": "FactTestBot"},
        "text": "之前的回答",
    }
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": f"cq{next(_ids)}",
            "from": user,
            "chat_instance": "-4242424242",
            "message": bot_message,
            "data": data,
        },
    }


def inline_update(query: str) -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "inline_query": {"id": f"iq{next(_ids)}", "from": USER, "query": query, "offset": ""},
    }


def buttons(call_params: dict[str, Any]) -> list[str]:
    """All callback_data values of a recorded call's inline keyboard."""
    markup = call_params.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]
