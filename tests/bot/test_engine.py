"""Engine behaviour beyond the question set: robustness, citations, bands, reloads."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer import INTENTS
from bot.engine import Engine
from bot.engine.rules import leaves_unnamed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_unicode_message_gets_an_answer(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert answer.intent in INTENTS
    assert answer.reply.strip()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "<b>",
                "</i>",
                "&amp;",
                "*",
                "_",
                "`",
                "[",
                "]",
                "(",
                ")",
                "~",
                ">",
                "#",
                "+",
                "-",
                "=",
                "|",
                "{",
                "}",
                ".",
                "!",
                "荆门",
                "😀",
                "\n",
                "\u200b",
            ]
        ),
        max_size=40,
    )
)
def test_markup_specials_and_emoji(engine: Engine, parts: list[str]) -> None:
    answer = engine.answer("".join(parts))
    assert answer.intent in INTENTS


def test_very_long_message(engine: Engine) -> None:
    answer = engine.answer("荆门打掉多少电信诈骗窝点" + "啊" * 10_000)
    assert answer.intent in INTENTS
    assert len(answer.reply) < 4096


def test_fact_answer_cites_article_and_sentence(engine: Engine) -> None:
    answer = engine.answer("荆门打掉了多少个电信诈骗窝点")
    assert answer.intent == "fact"
    assert answer.citation is not None
    assert answer.citation.title == "荆门公安“三大警务”打造平安常态"
    assert "打掉电信诈骗窝点33个" in (answer.citation.sentence or "")
    assert answer.fact_ids, "the fact answer names the facts it used"
    assert answer.to_dict()["source"] == answer.citation.sentence


def test_unknown_place_is_refused_not_answered_with_another_place(engine: Engine) -> None:
    answer = engine.answer("北京市公安局破案率是多少")
    assert answer.intent == "none"
    assert "北京" in answer.reply
    assert "32.21%" not in answer.reply


def test_place_changes_the_answer(engine: Engine) -> None:
    jingmen = engine.answer("荆门抓获了多少犯罪嫌疑人")
    gulou = engine.answer("鼓楼派出所抓获了多少犯罪嫌疑人")
    assert "990名" in jingmen.reply
    assert "42名" in gulou.reply


def test_ambiguous_question_offers_choices(engine: Engine) -> None:
    answer = engine.answer("抓获了多少嫌疑人")
    assert answer.intent == "none"
    assert answer.reply.startswith("您是不是想问")
    assert len(answer.suggestions) >= 2


def test_help_examples_are_answerable(engine: Engine) -> None:
    for example in engine.examples():
        assert engine.answer(example).intent != "none", example


def test_a_which_question_is_not_answered_by_a_thing_left_unnamed() -> None:
    assert leaves_unnamed("冒充的是哪家医院", "接到自称医院采购员的电话，对方称其医院需采购") == "哪家医院"
    assert leaves_unnamed("是哪个派出所抓的", "鼓楼派出所民警抓获了郑某") is None  # it names one
    assert leaves_unnamed("是哪家医院", "民警赶到现场") is None  # it says nothing of a hospital


def test_a_suspect_named_by_surname_only_is_the_name_asked_not_a_victims(engine: Engine) -> None:
    assert "📌 郑某" in engine.answer("穿外卖制服偷电瓶的那个小偷叫什么").reply
    assert "李叔某" not in engine.answer("金乡骗李叔某的那个骗子叫什么名字").reply.split("\n")[0]


def test_a_person_named_with_a_post_is_known_by_it() -> None:
    from bot.engine.rules import roles_named

    texts = ["据鼓楼派出所教导员顾亚军介绍，近年来该所…", "“真正做到打防并举。”顾亚军告诉记者。", "副所长唐海钢说，…"]
    assert roles_named(texts) == {"顾亚军": "教导员", "唐海钢": "副所长"}


def test_the_words_of_a_speaker_asked_by_post_are_the_quote_their_name_signs(engine: Engine) -> None:
    assert "打防并举" in engine.answer("鼓楼派出所教导员说信息化既要打也要防的那句原话").reply
