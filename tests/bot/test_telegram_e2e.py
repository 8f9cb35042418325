# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and used by name
"""End to end: real Application + real engine + the local Bot API stub, fed real Update JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from argparse import Namespace
from pathlib import Path

import pytest
from telegram_fixtures import (  # noqa: F401 - fixtures are used by name
    CHANNEL,
    GROUP,
    MODERATOR_ID,
    USER,
    app,
    buttons,
    callback_update,
    command_update,
    feed,
    inline_update,
    message,
    running_app,
    stub,
    text_update,
    tg_engine,
    tg_kb_url,
)

from bot import telegram_app, texts
from bot.botapi_stub import BotApiStub
from bot.context import ContextStore
from bot.telegram_app import run_from_env

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "鼓楼派出所抓获了多少嫌疑人"


def article_id(engine, title_part: str) -> int:
    return next(a.id for a in engine.snapshot.articles if title_part in a.title)


def sent(stub: BotApiStub) -> list:
    return stub.calls_of("sendMessage")


async def test_post_init_registers_chinese_commands(app, stub):
    [call] = stub.calls_of("setMyCommands")
    names = [c["command"] for c in call.params["commands"]]
    assert {"start", "help", "articles", "summary", "facts", "source", "chart", "about", "reset"} <= set(
        names
    )
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["description"]) for c in call.params["commands"])
    assert stub.calls_of("getMe"), "initialize() asks who the bot is"


async def test_worker_threads_fit_in_the_database_pool(stub, tg_engine):
    """post_init sizes the loop's thread pool below the connection pool (no connection churn)."""
    async with running_app(stub, tg_engine):
        name = await asyncio.to_thread(lambda: threading.current_thread().name)
    assert name.startswith("factbot")
    assert tg_engine.factory.kw["bind"].pool.size() > telegram_app.WORKER_THREADS


async def test_start_offers_examples_as_buttons(app, stub, tg_engine):
    await feed(app, stub, command_update("/start"))
    [call] = sent(stub)
    assert call.params["chat_id"] == USER["id"]
    assert call.params["parse_mode"] == "HTML"
    assert "警务快答" in call.params["text"] and "<b>" in call.params["text"]
    data = buttons(call.params)
    assert data[: len(tg_engine.examples())] == [f"e:{i}" for i in range(len(tg_engine.examples()))]
    assert "a:0" in data
    stub.clear()
    await feed(app, stub, callback_update("e:0"))
    assert stub.calls_of("answerCallbackQuery")
    expected = tg_engine.answer(tg_engine.examples()[0]).reply.split("\n", 1)[0]
    assert expected in sent(stub)[-1].params["text"]


async def test_question_answered_with_figure_buttons_and_context(app, stub, tg_engine):
    await feed(app, stub, text_update(QUESTION))
    assert not stub.calls_of("sendChatAction"), "a fast answer needs no typing indicator"
    [call] = sent(stub)
    assert "42名" in call.params["text"]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["text"].startswith("<b>")
    aid = article_id(tg_engine, "鼓楼派出所")
    data = buttons(call.params)
    assert data[:3] == [f"x:{aid}", f"d:{aid}:0", f"s:{aid}"]
    assert [d.rsplit(":", 1)[0] for d in data[3:]] == ["v:1", "v:0"]  # 👍 👎 (bot.feedback)
    ctx = ContextStore(tg_engine.factory).get(USER["id"])
    assert ctx is not None and ctx["article_id"] == aid and ctx["suggestions"]


class _SlowEngine:
    """The real engine, whose ``answer`` waits (in its worker thread) until ``release`` is set."""

    def __init__(self, engine, release: threading.Event) -> None:
        self._engine, self._release = engine, release

    def answer(self, *args, **kwargs):
        assert self._release.wait(10), "the typing indicator never came"
        return self._engine.answer(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._engine, name)


def _slow_down(app, stub, monkeypatch) -> None:
    """Answers wait until the stub has recorded a sendChatAction (or 10 s)."""
    release = threading.Event()
    original = stub.handle

    def handle(method, params, files):
        try:
            return original(method, params, files)
        finally:  # also when the call was made to fail
            if method.lower() == "sendchataction":
                release.set()

    monkeypatch.setattr(stub, "handle", handle)
    monkeypatch.setattr(telegram_app, "TYPING_AFTER", 0.01)
    services = app.bot_data[telegram_app.SERVICES_KEY]
    monkeypatch.setitem(
        app.bot_data,
        telegram_app.SERVICES_KEY,
        dataclasses.replace(services, engine=_SlowEngine(services.engine, release)),
    )


async def test_slow_answer_shows_typing_first(app, stub, monkeypatch):
    _slow_down(app, stub, monkeypatch)
    await feed(app, stub, text_update(QUESTION))
    methods = [c.method for c in stub.calls if c.method in ("sendChatAction", "sendMessage")]
    assert methods == ["sendChatAction", "sendMessage"]
    assert stub.calls_of("sendChatAction")[0].params["action"] == "typing"
    assert "42名" in sent(stub)[0].params["text"]


async def test_failed_typing_indicator_does_not_lose_the_answer(app, stub, monkeypatch):
    _slow_down(app, stub, monkeypatch)
    stub.fail_next("sendChatAction", 400, "Bad Request: injected")
    await feed(app, stub, text_update(QUESTION))
    [call] = sent(stub)
    assert "42名" in call.params["text"] and texts.ERROR not in call.params["text"]


async def test_unsure_answer_offers_choices_and_q_button_answers_one(app, stub, tg_engine):
    await feed(app, stub, text_update("诈骗 多少"))
    first = sent(stub)[-1]
    assert "您是不是想问" in first.params["text"]
    data = [d for d in buttons(first.params) if not d.startswith("v:")]  # 👍 👎 aside
    assert data and all(d.startswith("q:") for d in data)
    stub.clear()
    await feed(app, stub, callback_update("q:0"))
    [ack] = stub.calls_of("answerCallbackQuery")
    assert "text" not in ack.params  # a plain acknowledgement
    choice = ContextStore(tg_engine.factory).get(USER["id"])
    reply = sent(stub)[-1].params["text"]
    assert reply and choice is not None
    assert "抱歉" not in reply


async def test_facts_button_then_paging_edits_in_place(app, stub, tg_engine):
    aid = article_id(tg_engine, "荆门")
    await feed(app, stub, callback_update(f"d:{aid}:0"))
    assert stub.calls_of("answerCallbackQuery")
    page = sent(stub)[-1]
    assert "第 1/" in page.params["text"]
    assert f"D:{aid}:1" in buttons(page.params)
    await feed(app, stub, callback_update(f"D:{aid}:1", message_id=page.params.get("message_id", 77)))
    [edit] = stub.calls_of("editMessageText")
    assert "第 2/" in edit.params["text"] and edit.params["parse_mode"] == "HTML"
    assert f"D:{aid}:0" in buttons(edit.params)


async def test_excerpt_and_summary_buttons(app, stub, tg_engine):
    aid = article_id(tg_engine, "鼓楼派出所")
    await feed(app, stub, callback_update(f"x:{aid}"))
    original = sent(stub)[-1].params["text"]
    assert "原文" in original and "42名" in original and "<i>来源：" in original
    await feed(app, stub, callback_update(f"s:{aid}"))
    summary = sent(stub)[-1]
    assert "摘要" in summary.params["text"]
    assert f"s:{aid}" not in buttons(summary.params)  # no button for what is already shown
    assert len(stub.calls_of("answerCallbackQuery")) == 2


async def test_q_button_answers_the_option_by_what_it_names(app, stub, tg_engine):
    """A pressed "您是不是想问" option is answered by its fact id (not asked again, which can offer
    the same options again); the chat's state then holds that fact."""
    await feed(app, stub, text_update("诈骗 多少"))
    store = ContextStore(tg_engine.factory)
    state = store.load(USER["id"])
    assert state is not None and len(state.choices) >= 2
    assert [c.question for c in state.choices] == list(state.suggestions)
    kb = tg_engine.loaded()
    for i, choice in enumerate(state.choices):
        store.save(USER["id"], state)  # each press answers the same menu
        stub.clear()
        await feed(app, stub, callback_update(f"q:{i}"))
        fact = kb.facts[choice.ref]
        assert fact.value_text in sent(stub)[-1].params["text"]
        after = store.load(USER["id"])
        assert after is not None and after.intent == "fact" and after.fact_ids == (choice.ref,)
        assert after.asked[-1].ids[0] == choice.ref, "a vote under it names the chosen fact"


@pytest.mark.parametrize("data", ["x:999999", "zz", "d:1", "q:99", "x:01", "a:-1"])
async def test_tampered_or_stale_callback_is_answered_politely(app, stub, data):
    await feed(app, stub, callback_update(data))
    [ack] = stub.calls_of("answerCallbackQuery")
    calls = sent(stub)
    assert ack.params.get("text") == texts.STALE_BUTTON or calls[-1].params["text"] == texts.STALE_BUTTON


async def test_articles_list_is_paginated(app, stub, tg_engine):
    await feed(app, stub, command_update("/articles"))
    call = sent(stub)[-1]
    data = buttons(call.params)
    assert sum(d.startswith("s:") for d in data) == 8 and "A:1" in data
    await feed(app, stub, callback_update("A:1"))
    [edit] = stub.calls_of("editMessageText")
    assert "第 2/3 页" in edit.params["text"] and "A:0" in buttons(edit.params) and "A:2" in buttons(edit.params)


def _sample(engine) -> str:
    arts = engine.snapshot.articles
    return texts.sample_keyword([a.place for a in arts], [a.agency for a in arts])


async def test_forced_answer_commands_and_usage(app, stub, tg_engine):
    await feed(app, stub, command_update("/facts 鼓楼派出所 嫌疑人"))
    assert "42名" in sent(stub)[-1].params["text"]
    await feed(app, stub, command_update("/summary 荆门"))
    assert "摘要" in sent(stub)[-1].params["text"]
    await feed(app, stub, command_update("/source 鼓楼派出所"))
    assert "原文" in sent(stub)[-1].params["text"]
    await feed(app, stub, command_update("/nosuch"))
    assert sent(stub)[-1].params["text"] == texts.UNKNOWN_COMMAND
    for name in ("facts", "summary", "source", "chart"):
        await feed(app, stub, command_update(f"/{name}"))
        assert sent(stub)[-1].params["text"] == texts.USAGE[name].format(sample=_sample(tg_engine))


async def test_about_help_reset(app, stub, tg_engine):
    snap = tg_engine.snapshot
    await feed(app, stub, command_update("/about"))
    about = sent(stub)[-1].params["text"]
    assert f"报道：{len(snap.articles)} 篇" in about and f"统计数据：{len(snap.facts)} 条" in about
    assert f"源文件：{snap.files} 个" in about and "管理员" not in about
    moderator = {"id": MODERATOR_ID, "is_bot": False, "first_name": "管理员"}
    chat = {"id": MODERATOR_ID, "type": "private"}
    await feed(app, stub, command_update("/about", user=moderator, chat=chat))
    assert "管理员" in sent(stub)[-1].params["text"]
    await feed(app, stub, command_update("/help"))
    help_text = sent(stub)[-1].params["text"]
    assert "/facts" in help_text
    assert all(e in help_text for e in tg_engine.examples()), "the examples come from the corpus"
    await feed(app, stub, text_update(QUESTION))
    assert ContextStore(tg_engine.factory).get(USER["id"]) is not None
    await feed(app, stub, command_update("/reset"))
    assert sent(stub)[-1].params["text"] == texts.RESET_DONE
    assert ContextStore(tg_engine.factory).get(USER["id"]) is None


async def test_inline_query_returns_answer_and_facts(app, stub):
    await feed(app, stub, inline_update("鼓楼派出所 嫌疑人 多少"))
    [call] = stub.calls_of("answerInlineQuery")
    results = call.params["results"]
    assert results[0]["type"] == "article"
    assert "42名" in results[0]["input_message_content"]["message_text"]
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"
    assert len(results) >= 2 and len({r["id"] for r in results}) == len(results)
    await feed(app, stub, inline_update(""))
    examples = stub.calls_of("answerInlineQuery")[-1].params["results"]
    assert examples and all(r["input_message_content"]["message_text"] for r in examples)


async def test_group_needs_mention_or_reply(app, stub):
    await feed(app, stub, text_update(QUESTION, chat=GROUP))
    assert not sent(stub), "quiet in groups unless addressed"
    other = "@SomeoneElse " + QUESTION
    await feed(
        app, stub, text_update(other, chat=GROUP, entities=[{"type": "mention", "offset": 0, "length": 12}])
    )
    assert not sent(stub)
    mention = "@FactTestBot " + QUESTION
    await feed(
        app, stub, text_update(mention, chat=GROUP, entities=[{"type": "mention", "offset": 0, "length": 12}])
    )
    [call] = sent(stub)
    assert call.params["chat_id"] == GROUP["id"] and "42名" in call.params["text"]
    assert call.params["reply_parameters"]["message_id"], "groups get a quoted reply"
    bot_msg = message(
        "之前的回答", chat=GROUP, user={"id": 123456789, "is_bot": True, "first_name": "FactBot"}
    )
    await feed(app, stub, text_update("荆门讲了什么", chat=GROUP, reply_to_message=bot_msg))
    assert len(sent(stub)) == 2 and "荆门" in sent(stub)[-1].params["text"]
    user_msg = message("随便聊聊", chat=GROUP)
    await feed(app, stub, text_update("荆门讲了什么", chat=GROUP, reply_to_message=user_msg))
    assert len(sent(stub)) == 2
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "FactBot"}
    text_mention = [{"type": "text_mention", "offset": 0, "length": 7, "user": bot_user}]
    await feed(app, stub, text_update("FactBot 荆门讲了什么", chat=GROUP, entities=text_mention))
    assert len(sent(stub)) == 3
    await feed(app, stub, command_update("/help@FactTestBot", chat=GROUP))
    assert len(sent(stub)) == 4


async def test_non_text_messages(app, stub, tg_engine):
    non_text = texts.NON_TEXT.format(example=tg_engine.examples()[0])
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": 1000}]
    await feed(app, stub, {"update_id": 1, "message": message(photo=photo)})
    assert sent(stub)[-1].params["text"] == non_text
    await feed(app, stub, {"update_id": 2, "message": message(photo=photo, caption=QUESTION)})
    assert "42名" in sent(stub)[-1].params["text"]
    sticker = {
        "file_id": "s1", "file_unique_id": "su1", "type": "regular", "width": 512, "height": 512,
        "is_animated": False, "is_video": False,
    }  # fmt: skip
    await feed(app, stub, {"update_id": 3, "message": message(sticker=sticker)})
    await feed(
        app, stub, {"update_id": 4, "message": message(location={"latitude": 30.5, "longitude": 114.3})}
    )
    voice = {"file_id": "v1", "file_unique_id": "vu1", "duration": 2}
    await feed(app, stub, {"update_id": 5, "message": message(voice=voice)})
    assert [c.params["text"] for c in sent(stub)[-3:]] == [non_text] * 3
    before = len(sent(stub))
    await feed(app, stub, {"update_id": 6, "message": message(sticker=sticker, chat=GROUP)})
    assert len(sent(stub)) == before, "no hint for stickers in groups"


async def test_edited_message_is_answered_again(app, stub):
    edited = message(QUESTION, edit_date=int(time.time()))
    await feed(app, stub, {"update_id": 10, "edited_message": edited})
    assert "42名" in sent(stub)[-1].params["text"]


async def test_channel_post_is_ignored_without_error(app, stub, caplog):
    post = message(QUESTION, chat=CHANNEL)
    post.pop("from")
    await feed(app, stub, {"update_id": 11, "channel_post": post})
    assert not sent(stub)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_error_handler_tells_the_user_and_keeps_running(app, stub, caplog):
    stub.fail_next("sendMessage", 400, "Bad Request: injected failure")
    await feed(app, stub, text_update(QUESTION))
    failed, report = sent(stub)  # the stub records the failed attempt too
    assert "42名" in failed.params["text"] and report.params["text"] == texts.ERROR
    assert any("error while handling update" in r.getMessage() for r in caplog.records)
    await feed(app, stub, text_update(QUESTION))
    assert "42名" in sent(stub)[-1].params["text"]


async def test_chart_sends_png_photo_or_text(app, stub):
    await feed(app, stub, command_update("/chart 新昌 案件"))
    [photo] = stub.calls_of("sendPhoto")
    assert photo.files["photo"].startswith(b"\x89PNG")
    assert photo.params["parse_mode"] == "HTML" and "起" in photo.params["caption"]
    assert len(photo.params["caption"]) <= 1024
    await feed(app, stub, command_update("/chart 火星基地"))
    assert "没有找到" in sent(stub)[-1].params["text"]


async def test_real_long_polling(stub, tg_engine):
    from bot.telegram_app import build_application

    application = build_application(tg_engine, stub.token, base_url=stub.base_url, rate_limit=True)
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0.0, timeout=5)
    await application.start()
    try:
        stub.put_update(text_update(QUESTION))
        call = await stub.await_call("sendMessage", timeout=10)
        assert "42名" in call.params["text"]
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    polls = stub.calls_of("getUpdates")
    assert polls and polls[0].params.get("timeout") == 5
    assert any(p.params.get("offset") for p in polls), "the update was confirmed via offset"


# ---------------------------------------------------------------------------------- run_from_env


@pytest.mark.parametrize("token", ["", "not-a-token", "123:short", "abc:ABCDEFGHIJKLMNOPQRSTUVWXYZ"])
def test_run_refuses_bad_token(monkeypatch, capsys, token):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    assert run_from_env(Namespace(webhook=None, database_url=None)) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "python -m bot chat" in err
    assert "Traceback" not in err


def test_cli_run_polls_stub_and_never_logs_token(tg_kb_url):
    """``python -m bot run`` as a process: real polling against the stub, debug logs redacted."""
    with BotApiStub() as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url,
            "DATABASE_URL": tg_kb_url,
            "MODERATOR_IDS": "1, 2",
            "LOG_LEVEL": "DEBUG",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            api.wait_for("setMyCommands", timeout=30)
            api.put_update(text_update(QUESTION))
            call = api.wait_for("sendMessage", timeout=15)
            assert "42名" in call.params["text"]
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=15)
    assert api.token not in err and api.token.split(":")[1] not in err
    assert "<redacted>" in err, "debug logs did mention the URL; it must be redacted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_run_webhook_checks_secret_token(tg_kb_url):
    """``--webhook``: setWebhook with the secret; only requests carrying it are processed."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with BotApiStub() as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url,
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-Token_1",
            "DATABASE_URL": tg_kb_url,
            "LOG_LEVEL": "DEBUG",  # PTB logs setWebhook's parameters at DEBUG (issue 12, item 4)
        }
        cmd = [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--webhook",
            url,
            "--listen",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        try:
            hook = api.wait_for("setWebhook", timeout=30)
            assert hook.params["url"] == url and hook.params["secret_token"] == "s3cret-Token_1"
            body = json.dumps(text_update(QUESTION)).encode()
            headers = {"Content-Type": "application/json"}
            for _ in range(50):  # the webhook server starts right after setWebhook
                try:
                    forged = urllib.request.Request(url, body, headers)
                    urllib.request.urlopen(forged, timeout=5)
                    raise AssertionError("a request without the secret token was accepted")
                except urllib.error.HTTPError as err:
                    assert err.code == 403
                    break
                except urllib.error.URLError:
                    time.sleep(0.1)
            signed = urllib.request.Request(
                url, body, {**headers, "X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
            )
            assert urllib.request.urlopen(signed, timeout=5).status == 200
            call = api.wait_for("sendMessage", timeout=15)
            assert "42名" in call.params["text"]
            assert len(api.calls_of("sendMessage")) == 1, "the forged update was not processed"
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=15)
    assert api.token not in err
    assert "s3cret-Token_1" not in err and "secret_token" in err, "logged, but redacted"


def test_every_secret_is_redacted_on_every_handler(monkeypatch, capsys):
    """Issue 12, item 4: the token, the webhook secret (explicit or derived) and the database
    password never reach a log: not in a message, its arguments or a traceback."""
    import logging

    from bot.telegram_app import configure_logging, derived_secret

    token = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"
    monkeypatch.setenv("DATABASE_URL", "postgresql://factbot:pa%24%24w0rd@db.example/kb")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "explicit-Secret_9")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging(token)
        log = logging.getLogger("telegram.ext.ExtBot")
        log.debug(
            "Calling Bot API endpoint `setWebhook` with parameters `%s`",
            {"secret_token": "explicit-Secret_9"},
        )
        log.debug("derived %s", derived_secret(token))
        try:
            raise RuntimeError("connect to postgresql://factbot:pa$$w0rd@db.example/kb failed")
        except RuntimeError:
            log.exception("outage with %s", "pa%24%24w0rd")
        for handler in root.handlers:
            handler.flush()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "setWebhook" in err and "outage" in err and "Traceback" in err
    for secret in (token, "explicit-Secret_9", derived_secret(token), "pa$$w0rd", "pa%24%24w0rd"):
        assert secret not in err


def test_cli_bad_token_exit_code_2():
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "oops"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and "python -m bot chat" in done.stderr
