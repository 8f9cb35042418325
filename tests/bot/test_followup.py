"""Follow-ups resolve against the previous answer's context."""

from __future__ import annotations

import json
from typing import Any

from bot.answer import FollowUp
from bot.engine import Engine


def converse(engine: Engine, *messages: str) -> list[Any]:
    context: FollowUp | None = None
    answers = []
    for message in messages:
        answer = engine.answer(message, context)
        context = answer.remembered()
        answers.append(answer)
    return answers


def test_other_place_same_question(engine: Engine) -> None:
    first, second = converse(engine, "鼓楼派出所抓获了多少嫌疑人", "那荆门呢")
    assert "42名" in first.reply
    assert second.intent == "fact"
    assert "荆门" in second.reply


def test_other_topic_same_agency(engine: Engine) -> None:
    _, second = converse(engine, "鼓楼派出所刑事发案下降了多少", "那治安发案呢")
    assert "26.7%" in second.reply


def test_source_of_last_answer(engine: Engine) -> None:
    first, second = converse(engine, "荆门打掉了多少个电信诈骗窝点", "原文呢")
    assert second.intent == "excerpt"
    assert second.citation is not None and first.citation is not None
    assert second.citation.sentence == first.citation.sentence
    assert "打掉电信诈骗窝点33个" in second.reply


def test_more_walks_through_alternatives_then_stops(engine: Engine) -> None:
    answers = converse(engine, "鼓楼派出所下降了多少", *["还有吗"] * 12)
    replies = [a.reply for a in answers]
    assert len(set(replies[:3])) == 3, "each 还有吗 shows another match"
    assert answers[-1].intent == "none" and "没有更多" in answers[-1].reply


def test_detail_after_summary_gives_the_article_text(engine: Engine) -> None:
    summary, detail = converse(engine, "荆门讲了什么", "详细点")
    assert summary.intent == "summary"
    assert detail.intent == "excerpt"
    assert len(detail.reply) > len(summary.reply)
    assert detail.citation is not None and detail.citation.title == summary.citation.title


def test_previous_and_next_article(engine: Engine) -> None:
    titles = [a.title for a in engine.snapshot.articles]
    summary, nxt, back = converse(engine, "金乡民警3小时追回被骗钱款讲了什么", "下一篇", "上一篇")
    i = titles.index(summary.citation.title)
    assert nxt.citation.title == titles[i + 1]
    assert back.citation.title == titles[i]


def test_follow_up_without_context_asks_for_a_question(engine: Engine) -> None:
    answer = engine.answer("原文呢")
    assert answer.intent == "none"
    assert "请先提一个具体的问题" in answer.reply
    # a fixed text names no corpus: none of the built corpus's places or units
    named = {x for a in engine.snapshot.articles for x in (a.place, a.agency) if x}
    assert not any(x in answer.reply for x in named), answer.reply


def test_context_is_json_safe(engine: Engine) -> None:
    """The state is stored as JSON per chat: it survives the trip unchanged."""
    for answer in converse(engine, "荆门讲了什么", "还有吗", "原文呢", "有哪些地方的报道"):
        state = answer.remembered()
        assert FollowUp.from_dict(json.loads(json.dumps(state.to_dict()))) == state
