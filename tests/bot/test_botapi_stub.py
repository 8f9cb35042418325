"""The Bot API stub's asyncio front end (load tests) speaks the same protocol as its thread one."""

from __future__ import annotations

import asyncio
import json

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.botapi_stub import BotApiStub


@pytest.fixture
async def async_stub():
    stub = await BotApiStub(threaded=False).serve_async()
    try:
        yield stub
    finally:
        await stub.aclose()


async def test_ptb_bot_talks_to_the_async_front_end_over_one_connection(async_stub: BotApiStub) -> None:
    async with Bot(async_stub.token, base_url=async_stub.base_url) as bot:
        assert bot.username == "FactTestBot"
        for i in range(5):
            sent = await bot.send_message(42, f"<b>第{i}条</b>", parse_mode="HTML")
            assert sent.chat.id == 42 and sent.text == f"<b>第{i}条</b>"
        await bot.send_chat_action(42, "typing")
        async_stub.fail_next("sendMessage", 400, "Bad Request: injected")
        with pytest.raises(BadRequest, match="(?i)injected"):
            await bot.send_message(42, "x")
    assert [c.method for c in async_stub.calls].count("sendMessage") == 6
    assert async_stub.connections == 1, "keep-alive: every call reused the first connection"


async def _raw(stub: BotApiStub, request: bytes) -> tuple[bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", stub.port)
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1]
    )
    body = await reader.readexactly(length)
    writer.close()
    return head, body


async def test_wrong_token_unknown_method_and_connection_close(async_stub: BotApiStub) -> None:
    head, body = await _raw(async_stub, b"POST /bot1:nope/getMe HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 401") and json.loads(body)["error_code"] == 401
    path = f"/bot{async_stub.token}/noSuchMethod".encode()
    head, body = await _raw(async_stub, b"POST " + path + b" HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404") and b"Connection: close" in head
    assert json.loads(body)["ok"] is False


async def test_get_updates_answers_at_once(async_stub: BotApiStub) -> None:
    async_stub.put_update({"message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}})
    async with Bot(async_stub.token, base_url=async_stub.base_url) as bot:
        [update] = await bot.get_updates(timeout=30)
        assert update.message.chat.id == 5
        assert await bot.get_updates(offset=update.update_id + 1, timeout=30) == ()


def test_unthreaded_stub_cannot_start_a_thread() -> None:
    with pytest.raises(RuntimeError):
        BotApiStub(threaded=False).start()


async def test_latency_delays_answers_not_the_loop(async_stub: BotApiStub) -> None:
    async_stub.latency = 0.2
    async with Bot(async_stub.token, base_url=async_stub.base_url) as bot:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(bot.send_message(42, str(i)) for i in range(4)))
        took = loop.time() - started
    assert took >= 0.2, "every answer waited"
    assert len(async_stub.calls_of("sendMessage")) == 4
