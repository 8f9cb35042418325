# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and used by name
"""Issue 12, item 12: transient Bot API failures on sendMessage, against the real Application."""

from __future__ import annotations

import pytest
from telegram_fixtures import feed, running_app, stub, text_update  # noqa: F401

from bot.botapi_stub import DROP
from bot.engine import Engine

QUESTION = "鼓楼派出所抓获了多少嫌疑人"


@pytest.mark.parametrize("fault", [500, 502, DROP], ids=["500", "502", "dropped"])
async def test_one_transient_failure_does_not_lose_the_answer(
    stub, sqlite_engine: Engine, fault: int
) -> None:
    async with running_app(stub, sqlite_engine) as app:
        stub.fail_next("sendMessage", fault, "Internal Server Error: injected")
        await feed(app, stub, text_update(QUESTION))
        calls = stub.calls_of("sendMessage")
        assert len(calls) == 2, "retried once"
        assert "42名" in calls[-1].params["text"]


async def test_a_request_telegram_refuses_is_not_repeated(stub, sqlite_engine: Engine) -> None:
    """400 is the bot's own mistake: sending it again would fail again (and could post twice)."""
    async with running_app(stub, sqlite_engine) as app:
        stub.fail_next("sendMessage", 400, "Bad Request: injected")
        await feed(app, stub, text_update(QUESTION))
        assert len([c for c in stub.calls_of("sendMessage") if "42名" in c.params["text"]]) == 1
