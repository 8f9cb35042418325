"""The typed contract between the engine and its transports: parts of an answer, the chat's
follow-up state and how it is stored, options answered by what they name."""

from __future__ import annotations

import json

import pytest

from bot import feedback
from bot.answer import Alternatives, Answer, Asked, Choice, FollowUp
from bot.engine import Engine
from bot.telegram_app import INLINE_RESULTS, inline_results

FULL = FollowUp(
    intent="fact",
    article_id=3,
    query="荆门抓获了多少人",
    terms=("荆门", "抓获"),
    place="荆门",
    change="下降",
    fact_ids=(7,),
    sentence_id=41,
    alternatives=Alternatives("fact", (7, 2, 9)),
    offset=1,
    suggestions=("《某篇》讲了什么？",),
    choices=(Choice("荆门市公安局抓获犯罪嫌疑人是多少？", "fact", 7),),
    asked=(Asked(15, "荆门抓获了多少人", "fact", (7,)),),
)


def test_follow_up_survives_json_round_trip() -> None:
    assert FollowUp.from_dict(json.loads(json.dumps(FULL.to_dict()))) == FULL
    assert FollowUp.from_dict(FollowUp().to_dict()) == FollowUp()


def test_unset_fields_are_left_out_of_the_stored_dict() -> None:
    """The stored row keeps the shape earlier versions wrote: no query keys without a question."""
    data = FollowUp(intent="excerpt", article_id=5, sentence_id=8).to_dict()
    assert data == {"intent": "excerpt", "article_id": 5, "sentence_id": 8}
    assert FollowUp().to_dict() == {}, "no answer to follow up (help, thanks): nothing to keep"


def test_dicts_stored_by_the_old_code_are_read() -> None:
    old = {
        "intent": "list",
        "article_id": 16,
        "query": "有哪些地方的报道",
        "terms": ["地方", "报道"],
        "place": None,
        "change": None,
        "alternatives": {"kind": "article", "ids": [16, 1, 4]},
        "offset": 0,
        "suggestions": ["《甲》讲了什么？", "《乙》讲了什么？"],
        "asked": [[11, "有哪些地方的报道", "list", [16]], "junk", [1, 2]],
    }
    state = FollowUp.from_dict(old)
    assert state.intent == "list" and state.article_id == 16 and state.terms == ("地方", "报道")
    assert state.alternatives == Alternatives("article", (16, 1, 4))
    assert state.suggestions == ("《甲》讲了什么？", "《乙》讲了什么？") and state.choices == ()
    assert state.asked == (Asked(11, "有哪些地方的报道", "list", (16,)),), "malformed entries are skipped"
    assert feedback.asked(state, 11) == ("有哪些地方的报道", "list", [16])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"suggestions": []},  # what a help answer left
        {"i": 3, "slots": {"place": "荆门"}},  # unknown keys
        {"intent": 5, "article_id": "3", "terms": "荆门", "fact_ids": [1, "2", None, True]},
        {"alternatives": [["fact", [3, 1]]], "offset": "x"},  # a list where a dict belongs
        {"alternatives": {"kind": "paragraph", "ids": [1]}, "choices": [{"question": "q", "kind": "fact"}]},
        None,
        [],
    ],
)
def test_damaged_or_partial_dicts_read_as_far_as_they_go(data: object) -> None:
    state = FollowUp.from_dict(data)
    assert isinstance(state, FollowUp)
    assert state.alternatives is None and state.choices == () and state.offset == 0
    assert all(isinstance(i, int) and not isinstance(i, bool) for i in state.fact_ids)
    assert FollowUp.from_dict(state.to_dict()) == state


def test_inherit_keeps_what_a_follow_up_leaves_unset() -> None:
    excerpt = FollowUp(intent="excerpt", article_id=3, sentence_id=41)
    kept = excerpt.inherit(FULL)
    assert (kept.intent, kept.sentence_id) == ("excerpt", 41)
    assert (kept.query, kept.terms, kept.change, kept.fact_ids) == (FULL.query, FULL.terms, "下降", (7,))
    assert (kept.alternatives, kept.offset) == (FULL.alternatives, 1)


def test_an_old_stored_context_still_drives_follow_ups(engine: Engine) -> None:
    """A deployed database holds the old dicts: "还有吗" and "那荆门呢" work from them."""
    first = engine.answer("鼓楼派出所下降了多少")
    assert first.context.alternatives is not None and len(first.context.alternatives.ids) >= 2
    old = json.loads(json.dumps(first.context.to_dict()))  # the dict the old code stored
    old["suggestions"] = list(first.suggestions)
    more = engine.answer("还有吗", FollowUp.from_dict(old))
    assert more.intent == "fact" and more.reply != first.reply
    assert more.fact_ids[0] == first.context.alternatives.ids[1]
    assert more.context.query == first.context.query, "the next match keeps the question"
    other = engine.answer("那荆门呢", FollowUp.from_dict(old))
    assert other.intent == "fact" and "荆门" in other.reply


def test_fact_answer_parts_match_its_reply(engine: Engine) -> None:
    answer = engine.answer("荆门打掉了多少个电信诈骗窝点")
    assert answer.intent == "fact" and answer.headline is not None
    assert answer.headline.fact_id == answer.fact_ids[0]
    assert answer.headline.value_text in answer.reply.split("\n")[0]
    assert [f.fact_id for f in answer.facts] == answer.fact_ids
    assert answer.quote is not None and answer.citation is not None
    assert answer.quote.sentence == answer.citation.sentence and answer.quote.sentence in answer.reply
    assert answer.choices == []


def test_sentence_answer_quotes_and_marks_the_span(engine: Engine) -> None:
    answer = engine.answer("应急处突演练在哪一天")
    assert answer.intent == "fact" and answer.quote is not None and answer.quote.span
    assert answer.reply.split("\n")[0].endswith(answer.quote.span)
    assert answer.headline is None


def test_list_answer_carries_every_figure_it_shows(engine: Engine) -> None:
    answer = engine.answer("各地抓获嫌疑人的数量列一下")
    assert answer.intent == "list" and answer.facts
    assert [f.fact_id for f in answer.facts] == answer.fact_ids
    for figure in answer.facts:
        assert figure.value_text in answer.reply


@pytest.mark.parametrize("question", ["诈骗 多少", "案件 多少", "派出所 讲了什么", "社区民警"])
def test_a_choice_answers_what_it_names_and_never_loops(engine: Engine, question: str) -> None:
    unsure = engine.answer(question)
    assert unsure.intent == "none" and len(unsure.choices) >= 2  # the premise: options offered
    assert [c.question for c in unsure.choices] == unsure.suggestions
    assert len({c.ref for c in unsure.choices}) == len(unsure.choices), "distinct options"
    for choice in unsure.choices:
        answer = engine.choose(choice)
        assert answer is not None and answer.intent != "none" and not answer.choices
        if choice.kind == "fact":
            assert answer.fact_ids[0] == choice.ref and answer.headline is not None
        else:
            assert answer.intent == "summary" and answer.citation is not None
            assert answer.citation.article_id == choice.ref


def test_a_choice_the_corpus_no_longer_has_is_not_answered(engine: Engine) -> None:
    """After a rebuild an id may name something else: the option is then asked as its text."""
    fact_id = engine.answer("荆门打掉了多少个电信诈骗窝点").fact_ids[0]
    assert engine.choose(Choice("完全不同的问题是多少？", "fact", fact_id)) is None
    assert engine.choose(Choice("《不存在》讲了什么？", "article", 10**8)) is None


def test_inline_mode_shows_every_fact_alternative(engine: Engine) -> None:
    answer = engine.answer("鼓楼派出所下降了多少")
    assert answer.context.alternatives is not None and answer.context.alternatives.kind == "fact"
    wanted = list(dict.fromkeys(answer.fact_ids + list(answer.context.alternatives.ids)))
    assert len(wanted) > 2
    ids = [r.id for r in inline_results(engine, "鼓楼派出所下降了多少")]
    assert ids[0] == "main"
    assert ids[1 : INLINE_RESULTS] == [f"f{i}" for i in wanted][: INLINE_RESULTS - 1]


def test_votes_remember_recent_questions_in_the_typed_state() -> None:
    state = FollowUp(intent="fact")
    answer_state = FollowUp(intent="summary", article_id=2)
    answer = Answer(intent="summary", reply="x", context=answer_state)
    for key in range(1, feedback.RECENT + 3):
        state = feedback.remember(state, answer_state, key, f"问题{key}", answer)
    assert len(state.asked) == feedback.RECENT and feedback.asked(state, 1) is None
    assert feedback.asked(state, feedback.RECENT + 2) == (f"问题{feedback.RECENT + 2}", "summary", [])
    assert FollowUp.from_dict(json.loads(json.dumps(state.to_dict()))).asked == state.asked
