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


def test_a_dictionary_read_by_character_cuts_as_the_whole_one(engine: Engine, monkeypatch) -> None:
    """The tokenizer fills jieba's prefix dictionary one first character at a time (bot.dictfile):
    every cut, with domain words added before and after the characters are read, is jieba's own."""
    import bot.tokenize

    lexicon = Lexicon.from_snapshot(engine.snapshot)
    early, late = sorted(lexicon.words)[::2], sorted(lexicon.words)[1::2]
    lazy = Tokenizer(early)
    monkeypatch.setattr(bot.tokenize, "_shared_dictionary", lambda: None)
    whole = Tokenizer(early)
    texts = [s.text for s in engine.snapshot.sentences]
    for i, text in enumerate(texts):
        if i == len(texts) // 2:
            lazy.add_words(late)
            whole.add_words(late)
        assert lazy.cut(text) == whole.cut(text)
        assert lazy.terms(text) == whole.terms(text)
        assert lazy.words(text[::-1]) == whole.words(text[::-1])
    assert lazy._jieba.total == whole._jieba.total


def test_without_a_writable_cache_jieba_loads_its_own_dictionary(tmp_path) -> None:
    from bot.dictfile import prefix_dictionary

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert prefix_dictionary(blocked / "cache") is None
    assert prefix_dictionary(tmp_path / "cache") is not None


def test_a_taught_english_word_does_not_cut_a_longer_one() -> None:
    tok = Tokenizer(["den", "窝点"])
    assert "incidents" in tok.words("sensitive incidents 窝点")
