"""Reply pieces: the questions offered back as choices name what tells the facts apart."""

from __future__ import annotations

from dataclasses import replace

from bot import compose
from bot.engine import Engine


def test_a_choice_names_the_place_unless_the_agency_does(engine: Engine) -> None:
    fact = next(f for f in engine.loaded().facts if f.agency == "鼓楼派出所")
    assert compose.fact_question(fact, "海曙") == f"海曙鼓楼派出所{fact.subject}是多少？"
    named = replace(fact, agency="海曙公安分局鼓楼派出所")
    assert compose.fact_question(named, "海曙") == f"海曙公安分局鼓楼派出所{fact.subject}是多少？"
    assert compose.fact_question(replace(fact, agency=None), None) == f"{fact.subject}是多少？"


def test_ambiguous_choices_carry_their_places(engine: Engine) -> None:
    answer = engine.answer("抓获了多少嫌疑人")
    assert answer.reply.startswith("您是不是想问")
    assert "海曙鼓楼派出所" in answer.reply


def test_quote_never_doubles_quotation_marks() -> None:
    from bot.compose import quote

    assert quote("民警赶到。") == "“民警赶到。”"
    said = "“嫌疑人反侦察意识很强。”唐海钢说。"
    assert quote(said) == f"「{said}」" and "““" not in quote(said)
