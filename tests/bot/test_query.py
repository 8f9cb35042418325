"""Reading a question: words cut again by the corpus's vocabulary, pinyin typed by syllables."""

from __future__ import annotations

import pytest

from bot.query import _QUOTED, EXCERPT_CUES, SUMMARY_CUES, _joined_pinyin, _resegmented, read_pinyin

CORPUS = {"警情", "飓风", "行动", "入住率", "楼", "黄", "py:poanlv", "py:zhuihui", "py:xinchang"}
STOP = frozenset({"多少", "了", "的"})


def known(word: str) -> bool:
    return word in CORPUS


def test_a_jieba_slip_is_cut_again_by_the_corpus_words() -> None:
    assert _resegmented(["飓风", "行动", "黄", "赌警", "情降", "多少"], known, STOP) == [
        "飓风",
        "行动",
        "黄",
        "赌",
        "警情",
        "降",
        "多少",
    ]
    assert _resegmented(["入住率", "多", "少了"], known, STOP) == ["入住率", "多少", "了"]


def test_a_word_the_corpus_lacks_stays_whole_without_a_stray_character() -> None:
    assert _resegmented(["今天天气", "怎么样"], known, STOP) == ["今天天气", "怎么样"]
    assert _resegmented(["颜色", "那个"], known, STOP) == ["颜色", "那个"]


def test_pinyin_syllables_are_joined_into_the_word_the_corpus_knows() -> None:
    assert _joined_pinyin(["xinchang", "po", "an", "lv"], known) == ["xinchang", "poanlv"]
    assert _joined_pinyin(["zhui", "hui", "qian"], known) == ["zhuihui", "qian"]
    assert _joined_pinyin(["how", "many"], known) == ["how", "many"]


def test_quoted_words_are_read_as_the_pages_own() -> None:
    found = [m.group(1) for m in _QUOTED.finditer('教育整顿的“四项任务”和"三个环节"是什么')]
    assert found == ["四项任务", "三个环节"]
    assert not _QUOTED.search("“这一句引号里的话太长了不算一个词吧”")  # a sentence quoted, not a term


def test_a_question_typed_in_pinyin_has_its_question_words_spelled() -> None:
    corpus = {"py:wodian", "py:jiaxiang", "py:zhangmoumou"}
    known = corpus.__contains__
    assert read_pinyin("jiaxiang zhang moumou ji sui", known) == "jiaxiang zhang moumou 几岁"
    reported = lambda place: place == "荆门"  # noqa: E731 - the reports' own place stays in pinyin
    assert read_pinyin("jingmen wo dian you duoshao", known, reported) == "jingmen wo dian 有多少"  # 窝点, no 我
    english = "How many fraud dens did Jingmen police shut down?"
    assert read_pinyin(english, known) == english  # English is read as English
    assert read_pinyin("荆门 duoshao", known) == "荆门 duoshao"  # only a message all in pinyin


def test_a_word_with_synonyms_is_not_cut_again() -> None:
    # 小贷公司 is not the corpus's word, but its synonyms (小额贷款) are: it stays whole
    assert _resegmented(["摸出来", "多少", "家", "小贷公司"], known, STOP) == ["摸出来", "多少", "家", "小贷公司"]


def test_a_count_and_a_place_elsewhere_typed_in_pinyin_are_spelled() -> None:
    assert read_pinyin("weishan baozou duo shao ren", known) == "weishan baozou 多少人"
    assert read_pinyin("jinxiang laoren duo shao sui", known) == "jinxiang laoren 多少岁"
    assert read_pinyin("shanghai jingcha you duoshao ren", known) == "上海 jingcha 有多少人"
    # a place the reports are about stays for its pinyin key
    assert read_pinyin("jingmen you duoshao ren", known, lambda p: p == "荆门") == "jingmen 有多少人"


def test_a_word_typed_by_its_sound_with_one_character_wrong_is_the_corpus_word() -> None:
    from bot.lexicon import Lexicon, pinyin_key
    from bot.query import _by_sound

    lexicon = Lexicon(sounds={w: pinyin_key(w) for w in ("警官", "管理员", "结对")})
    dictionary = {"结队"}  # a word of the language, only not the corpus's
    real = lambda w: w in CORPUS or w in dictionary  # noqa: E731
    assert _by_sound(["项目", "警", "管制"], lexicon, real) == ["项目", "警官", "制"]
    assert _by_sound(["物业", "管里员"], lexicon, real) == ["物业", "管理员"]
    assert _by_sound(["结队", "健步走"], lexicon, real) == ["结队", "健步走"]


def test_how_something_was_done_to_what_is_named_asks_its_passage() -> None:
    from bot.query import HOW_DONE

    text = "微山警察是怎么管那些暴走队的"
    assert HOW_DONE.search(text) and HOW_DONE.sub(" ", text) == "微山警察 那些暴走队的"
    assert not HOW_DONE.search("怎么管理")  # no object told before 的


@pytest.mark.parametrize("text", ["用两三句话说下那篇", "简要说一下嘉祥那件事", "大致讲讲", "what's it about", "give me the gist"])
def test_how_long_the_telling_may_be_asks_a_summary(text: str) -> None:
    assert SUMMARY_CUES.search(text)


@pytest.mark.parametrize("text", ["the exact slogan please", "quote it verbatim", "word for word"])
def test_exact_wording_in_english_asks_an_excerpt(text: str) -> None:
    assert EXCERPT_CUES.search(text)


def test_a_year_alone_asks_no_figure_but_a_count_of_cases_does() -> None:
    from bot.query import FACT_CUES

    assert not FACT_CUES.search("项目警官制2013年得过啥奖")
    assert FACT_CUES.search("8月13号那次演练") and FACT_CUES.search("荆门扫黑除恶侦办的案件数")


def test_an_english_word_inflected_otherwise_than_listed_meets_its_synonyms() -> None:
    from bot.query import _synonyms_of

    assert "下降" in _synonyms_of("drops") and "诈骗" in _synonyms_of("scammed")
    assert _synonyms_of("zzzq") == set()


def test_a_quoted_character_counted_is_a_slogan_repeating_it() -> None:
    from bot.query import _recurring

    assert _recurring("能动警务那五个“在”是哪五句") == ("在", 5)
    assert _recurring("三个“一”工程") == ("一", 3) and _recurring("那句“打防并举”") is None
    # the others written as placeholders: counted, or a run of at least three
    assert _recurring("那四个“X在X”的提法") == ("在", 4)
    assert _recurring("一连串“某某在某”的口号") == ("在", 3) and _recurring("“双师”是什么") is None


def test_a_slogan_template_may_go_unquoted() -> None:
    from bot.query import _recurring

    assert _recurring("能动警务那五个什么在什么") == ("在", 5)
    assert _recurring("什么是双师") is None
