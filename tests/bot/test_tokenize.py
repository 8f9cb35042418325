from __future__ import annotations

from bot.engine import Engine
from bot.lexicon import Lexicon, pinyin_key
from bot.tokenize import Tokenizer, pinyin_terms


def test_domain_dictionary_keeps_agencies_and_terms_whole(engine: Engine) -> None:
    lexicon = Lexicon.from_snapshot(engine.snapshot)
    tokenizer = Tokenizer(lexicon.words)
    words = tokenizer.words("鼓楼派出所破获电信网络诈骗案件")
    assert "鼓楼派出所" in words
    assert "电信网络诈骗" in words
    # the full agency name stays whole, and search terms still reach its parts
    assert "海曙公安分局鼓楼派出所" in tokenizer.words("海曙公安分局鼓楼派出所抓获嫌疑人")
    assert "鼓楼派出所" in tokenizer.terms("海曙公安分局鼓楼派出所")


def test_without_the_dictionary_jieba_splits_the_agency() -> None:
    assert "鼓楼派出所" not in Tokenizer().words("海曙公安分局鼓楼派出所")


def test_places_come_from_the_knowledge_base_with_short_names_and_pinyin(engine: Engine) -> None:
    lexicon = Lexicon.from_snapshot(engine.snapshot)
    assert lexicon.places["荆门"] == "荆门"
    assert lexicon.places["荆门市"] == "荆门"
    assert lexicon.places["jingmen"] == "荆门"
    assert lexicon.place_in(["xinchang"], "xinchang 破案率") == "新昌"


def test_homophones_share_a_pinyin_key() -> None:
    assert pinyin_key("电炸") == pinyin_key("电诈")
    assert pinyin_terms(["电诈", "a"]) == ["py:dianzha"]
