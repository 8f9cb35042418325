# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and dbfixtures and used by name
"""The curators' loop end to end: the real Application, the Bot API stub, a real engine.

Every test runs on SQLite and on a real PostgreSQL (skipped when none is reachable), each on its
own copy of the seed knowledge base (``dbfixtures``). The first test is the issue's seven steps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application
from telegram_fixtures import (  # noqa: F401 - fixtures are used by name
    GROUP,
    MOD,
    MOD_CHAT,
    SEEDS,
    USER,
    callback_update,
    command_update,
    feed,
    running_app,
    stub,
    text_update,
)

from bot import texts
from bot.botapi_stub import BotApiStub
from bot.engine import Engine
from knowledge.curate import Curator
from knowledge.models import AnswerVote, UnansweredQuestion
from knowledge.questionlog import QuestionLog
from knowledge.store import current_revision
from knowledge.teach import Teacher

USER_CHAT = {"id": USER["id"], "type": "private", "first_name": USER["first_name"]}
OTHER = {"id": 5002, "is_bot": False, "first_name": "小李"}
OTHER_CHAT = {"id": 5002, "type": "private", "first_name": "小李"}
ALPHA = "阿尔法行动战果如何"
ALPHA_DENS = "荆门打掉多少阿尔法窝点"  # the step 5 (窝点 alone already finds the fact)
ALPHA_UNIT = "阿尔法所抓获了多少嫌疑人"  # without 阿尔法所 = 鼓楼派出所 only choices, with it 42名


@pytest.fixture
def engine(db_url: str) -> Engine:
    return Engine.open(db_url, seeds_dir=SEEDS)


@pytest.fixture
async def app(stub: BotApiStub, engine: Engine) -> AsyncIterator[Application]:
    async with running_app(stub, engine) as application:
        yield application


@pytest.fixture
def jingmen(factory: sessionmaker[Session]) -> int:
    """The fact 打掉电信诈骗窝点33个."""
    return next(f.id for f in Curator(factory).list_facts(query="打掉电信诈骗窝点") if f.value == 33)


def cmd(text: str, user: dict[str, Any] = MOD, chat: dict[str, Any] = MOD_CHAT) -> dict[str, Any]:
    return command_update(text, user=user, chat=chat)


def ask(text: str, user: dict[str, Any] = USER, chat: dict[str, Any] = USER_CHAT) -> dict[str, Any]:
    return text_update(text, user=user, chat=chat)


def unanswered(text: str) -> bool:
    """A refusal or "您是不是想问" choices: what the question log keeps."""
    return "没有关于" in text or text.startswith("<b>您是不是想问") or text.startswith("您是不是想问")


def last_call(stub: BotApiStub) -> dict[str, Any]:
    return stub.calls_of("sendMessage")[-1].params


def last_text(stub: BotApiStub) -> str:
    return last_call(stub)["text"]


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    markup = params.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data")) for row in markup.get("inline_keyboard", []) for b in row]


def toasts(stub: BotApiStub) -> list[str | None]:
    return [c.params.get("text") for c in stub.calls_of("answerCallbackQuery")]


def state(factory: sessionmaker[Session]) -> tuple[Any, ...]:
    teacher = Teacher(factory)
    with factory() as session:
        return teacher.links(True), teacher.synonyms(True), teacher.history(), current_revision(session)


async def test_the_curators_loop_in_seven_steps(app, stub, factory, jingmen):
    # 1. a user asks and is refused (or only offered "您是不是想问" choices)
    await feed(app, stub, ask(ALPHA))
    refusal = last_call(stub)
    assert unanswered(refusal["text"]) and "33个" not in refusal["text"]
    assert [t for t, _ in buttons(refusal)][-2:] == ["👍", "👎"]
    # 2. the moderator's /unanswered lists it, with its count
    await feed(app, stub, cmd("/unanswered"))
    assert f"1. {ALPHA}（1 次，" in last_text(stub)
    # 3. /link <fact> <question>: applied at once, no confirmation
    await feed(app, stub, cmd(f"/link {jingmen} {ALPHA}"))
    assert "已链接" in last_text(stub) and f"#{jingmen}" in last_text(stub) and not buttons(last_call(stub))
    # 4. the user asks again (and in other punctuation) and gets 33个 with its source
    for question in (ALPHA, f"{ALPHA}？", "阿尔法行动，战果如何！"):
        await feed(app, stub, ask(question))
        reply = last_text(stub)
        assert "33个" in reply.split("\n", 1)[0] and "来源：" in reply and "荆门" in reply
    # 5. a synonym, used at once
    await feed(app, stub, cmd("/synonym 阿尔法窝点 = 电信诈骗窝点"))
    assert "已添加同义词" in last_text(stub)
    await feed(app, stub, ask(ALPHA_DENS))
    answer = last_call(stub)
    assert "33个" in answer["text"].split("\n", 1)[0]
    labels = [t for t, _ in buttons(answer)]
    assert labels[:1] == ["📄 原文"] and labels[-2:] == ["👍", "👎"] and len(buttons(answer)) == 5  # one row
    await feed(app, stub, ask(ALPHA_UNIT))  # a synonym that makes the difference
    assert "42名" not in last_text(stub)
    await feed(app, stub, cmd("/synonym 阿尔法所 = 鼓楼派出所"))
    await feed(app, stub, ask(ALPHA_UNIT))
    assert "42名" in last_text(stub).split("\n", 1)[0]
    # 6. the user presses 👎 and /feedback shows that question with the answer given
    down = next(d for t, d in buttons(answer) if t == "👎")
    await feed(app, stub, callback_update(down, chat=USER_CHAT, user=USER, message_id=9001))
    assert toasts(stub)[-1] == texts.VOTE_THANKS[False]
    await feed(app, stub, cmd("/feedback"))
    shown = last_text(stub)
    assert f"问：{ALPHA_DENS}" in shown and "数据 #" in shown
    # 7. a non-moderator's /link, /synonym and /unanswered are refused, nothing changed
    before = state(factory)
    for command in (f"/link {jingmen} 测试问句", "/synonym 测试词 = 电信诈骗", "/unanswered", "/unlink 1"):
        await feed(app, stub, cmd(command, user=OTHER, chat=OTHER_CHAT))
        assert "权限" in last_text(stub) and ALPHA not in last_text(stub)
    assert state(factory) == before
    await feed(app, stub, ask("测试问句", user=OTHER, chat=OTHER_CHAT))
    assert "33个" not in last_text(stub)


async def test_unlink_unsynonym_and_undo_take_changes_back(app, stub, factory, jingmen):
    await feed(app, stub, cmd(f"/link {jingmen} {ALPHA} -- 用户常问"))
    [link] = Teacher(factory).links()
    assert Teacher(factory).history(1)[0].reason == "用户常问"
    await feed(app, stub, cmd("/undo"))
    assert "已撤销" in last_text(stub) and "已删除" in last_text(stub)
    await feed(app, stub, ask(ALPHA))
    assert "33个" not in last_text(stub)
    await feed(app, stub, cmd("/undo"))  # undo twice = redo
    assert "已恢复" in last_text(stub)
    await feed(app, stub, ask(ALPHA))
    assert "33个" in last_text(stub)
    await feed(app, stub, cmd("/links"))
    assert f"#{link.id} “{ALPHA}” → 数据 #{jingmen}" in last_text(stub) and f"tg:{MOD['id']}" in last_text(
        stub
    )
    await feed(app, stub, cmd(f"/unlink {link.id}"))
    assert "已删除链接" in last_text(stub)
    await feed(app, stub, ask(ALPHA))
    assert "33个" not in last_text(stub)

    await feed(app, stub, cmd("/synonym 阿尔法所 ＝ 鼓楼派出所"))  # a full-width = as well
    [synonym] = Teacher(factory).synonyms()
    await feed(app, stub, cmd("/synonyms"))
    assert f"#{synonym.id} 阿尔法所 = 鼓楼派出所" in last_text(stub)
    await feed(app, stub, ask(ALPHA_UNIT))
    assert "42名" in last_text(stub).split("\n", 1)[0]
    await feed(app, stub, cmd(f"/unsynonym {synonym.id}"))
    assert "已删除同义词" in last_text(stub)
    await feed(app, stub, ask(ALPHA_UNIT))
    assert "42名" not in last_text(stub)
    await feed(app, stub, cmd("/undo"))
    await feed(app, stub, ask(ALPHA_UNIT))
    assert "42名" in last_text(stub).split("\n", 1)[0]


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("/link 99999999 阿尔法行动战果如何", "找不到编号为 #99999999 的数据"),
        ("/link abc 阿尔法行动战果如何", "不是数字"),
        ("/link {fact}", "问句不能为空"),
        ("/link {fact} ？？！", "问句不能为空"),
        ("/link {fact} " + "问" * 10_000, "问句过长（10000 字"),
        ("/link 文章 99999 阿尔法行动战果如何", "找不到文章"),
        ("/synonym 电诈 = 电诈", "不能作自己的同义词"),
        ("/synonym 電詐 = 电诈", "不能作自己的同义词"),  # the same word once simplified
        ("/synonym = 电信诈骗", "不能为空"),
        ("/synonym 电诈 电信诈骗", "用法：/synonym"),
        ("/synonym " + "词" * 10_000 + " = 电信诈骗", "过长（10000 字"),
        ("/unlink 424242", "找不到编号为 #424242 的链接"),
        ("/unsynonym x", "找不到“x”的同义词"),
        ("/unanswered 0", "天数应为"),
        ("/stats 九十九", "天数应为"),
        ("/undo", "没有可撤销"),
    ],
)
async def test_bad_input_gets_one_clear_sentence_and_changes_nothing(
    app, stub, factory, jingmen, command, says
):
    before = state(factory)
    await feed(app, stub, cmd(command.format(fact=jingmen)))
    reply = last_text(stub)
    assert says in reply and len(reply) < 300 and "Traceback" not in reply
    assert state(factory) == before


async def test_a_cycle_of_synonyms_is_refused(app, stub, factory):
    await feed(app, stub, cmd("/synonym 甲词 = 乙词"))
    await feed(app, stub, cmd("/synonym 乙词 = 丙词"))
    before = state(factory)
    await feed(app, stub, cmd("/synonym 丙词 = 甲词"))
    assert "循环（丙词 → 甲词 → 乙词 → 丙词）" in last_text(stub)
    assert state(factory) == before


async def test_link_to_an_article_answers_with_its_summary(app, stub, engine, factory):
    article = next(a for a in engine.snapshot.articles if "鼓楼派出所" in a.title)
    await feed(app, stub, cmd(f"/link 文章 {article.id} 数字化改革那篇"))
    assert "摘要" in last_text(stub)
    await feed(app, stub, ask("数字化改革那篇？"))
    assert "摘要" in last_text(stub) and article.title in last_text(stub)


async def test_votes_one_per_user_and_answer_changeable(app, stub, factory):
    await feed(app, stub, ask("鼓楼派出所抓获了多少嫌疑人"))
    answer = last_call(stub)
    up, down = (dict(buttons(answer))[label] for label in ("👍", "👎"))
    await feed(app, stub, callback_update(up, chat=USER_CHAT, user=USER))
    await feed(app, stub, callback_update(up, chat=USER_CHAT, user=USER))
    assert toasts(stub)[-2:] == [texts.VOTE_THANKS[True], texts.VOTE_SAME]
    await feed(app, stub, callback_update(down, chat=USER_CHAT, user=USER))  # changed mind
    with factory() as session:
        [vote] = session.scalars(select(AnswerVote)).all()
        assert (
            vote.vote == -1
            and vote.kind == "fact"
            and vote.ids
            and vote.question == "鼓楼派出所抓获了多少嫌疑人"
        )
        # no user id, chat id or name in the clear anywhere in the row
        row = " ".join(str(getattr(vote, c.name)) for c in AnswerVote.__table__.columns)
        assert str(USER["id"]) not in row and USER["first_name"] not in row
    # a stale button (no such question in the chat's context) is answered politely
    await feed(app, stub, callback_update("v:1:424242", chat=USER_CHAT, user=USER))
    assert toasts(stub)[-1] == texts.VOTE_STALE


async def test_the_question_log_keeps_no_names_and_counts_chat_types(app, stub, factory):
    await feed(app, stub, ask(ALPHA))
    await feed(app, stub, ask(f"{ALPHA}？"))
    mention = {"type": "mention", "offset": 0, "length": 12}
    await feed(app, stub, text_update(f"@FactTestBot {ALPHA}", user=USER, chat=GROUP, entities=[mention]))
    with factory() as session:
        rows = session.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.chat_type)).all()
    assert [(r.text, r.count, r.chat_type) for r in rows] == [(ALPHA, 2, "private"), (ALPHA, 1, "supergroup")]
    assert [q.count for q in QuestionLog(factory).unanswered()] == [3]
    await feed(app, stub, ask("鼓楼派出所抓获了多少嫌疑人"))  # answered: counted, not kept
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(UnansweredQuestion)) == 2


async def test_privacy_says_what_is_kept_and_for_how_long(app, stub, monkeypatch):
    monkeypatch.setenv("FACTBOT_LOG_DAYS", "30")
    await feed(app, stub, cmd("/privacy", user=USER, chat=USER_CHAT))
    text = last_text(stub)
    assert "30 天" in text and "加盐散列" in text and "没有姓名" in text


async def test_stats_as_text_and_a_chart(app, stub, factory):
    await feed(app, stub, ask(ALPHA))
    await feed(app, stub, ask("鼓楼派出所抓获了多少嫌疑人"))
    answer = last_call(stub)
    down = dict(buttons(answer))["👎"]
    await feed(app, stub, callback_update(down, chat=USER_CHAT, user=USER))
    await feed(app, stub, cmd("/stats 3"))
    text = stub.calls_of("sendMessage")[-1].params["text"]
    assert "最近 3 天" in text and "提问 2 次，答出率 50%" in text and "👎 1" in text
    [photo] = stub.calls_of("sendPhoto")
    assert photo.files and next(iter(photo.files.values()))[:8] == b"\x89PNG\r\n\x1a\n"
    assert "答出率 50%" in photo.params["caption"]


async def test_two_moderators_at_once_lose_nothing(app, stub, factory, jingmen):
    other_mod = {"id": 8118, "is_bot": False, "first_name": "值班员"}
    from knowledge.moderators import add_moderator

    add_moderator(factory, other_mod["id"], "test")
    other_chat = {"id": 8118, "type": "private", "first_name": "值班员"}
    await asyncio.gather(
        feed(app, stub, cmd(f"/link {jingmen} 阿尔法行动战果如何")),
        feed(app, stub, cmd(f"/link {jingmen} 贝塔行动战果如何", user=other_mod, chat=other_chat)),
        feed(app, stub, cmd("/synonym 阿尔法窝点 = 电信诈骗窝点")),
        feed(app, stub, cmd("/synonym 贝塔窝点 = 电信诈骗窝点", user=other_mod, chat=other_chat)),
    )
    teacher = Teacher(factory)
    assert {v.phrase for v in teacher.links()} == {"阿尔法行动战果如何", "贝塔行动战果如何"}
    assert {v.word for v in teacher.synonyms()} == {"阿尔法窝点", "贝塔窝点"}
    assert {(r.actor, r.action) for r in teacher.history()} == {
        (f"tg:{MOD['id']}", "add"),
        ("tg:8118", "add"),
    }
    await feed(app, stub, ask("贝塔行动战果如何"))
    assert "33个" in last_text(stub).split("\n", 1)[0]


async def test_unanswered_pages_through_and_refuses_a_user_the_page_button(app, stub, factory):
    log = QuestionLog(factory)
    for i in range(10):
        for _ in range(10 - i):
            log.record(f"第{i}个没答出的问题", "refused", "private")
    await feed(app, stub, cmd("/unanswered 7"))
    first = last_call(stub)
    assert "1. 第0个没答出的问题（10 次" in first["text"] and "第1/2页" in first["text"].replace(" ", "")
    nxt = dict(buttons(first))["下一页 ▶"]
    await feed(app, stub, callback_update(nxt, chat=OTHER_CHAT, user=OTHER))  # not a moderator
    assert "权限" in toasts(stub)[-1] and not stub.calls_of("editMessageText")
    await feed(app, stub, callback_update(nxt, chat=MOD_CHAT, user=MOD))
    [edited] = stub.calls_of("editMessageText")
    assert "9. 第8个没答出的问题（2 次" in edited.params["text"] and "◀ 上一页" in dict(
        buttons(edited.params)
    )

