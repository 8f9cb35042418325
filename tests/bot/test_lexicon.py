"""Place names in running text, by the gazetteer of divisions; the vocabulary files' digest."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot import lexicon, view
from bot.lexicon import place_named

FREQUENCY = {"公安": 2800, "滕州": 10}.get


def frequency(word: str) -> int:
    return FREQUENCY(word, 0)


def test_the_first_place_other_than_the_articles_own() -> None:
    text = "微山县公安局开发区派出所民警上前询问得知，老人是滕州的，前来微山找女儿。"
    assert place_named(text, "微山", frequency) == "滕州"
    assert place_named("犯罪嫌疑人张某某（男，30岁，广东省潮州市饶平县人）", "嘉祥", frequency) == "广东省"


def test_a_common_word_that_is_also_a_short_name_is_no_place() -> None:
    assert place_named("市公安局民警迅速赶到现场", None, frequency) is None



def test_the_view_file_name_changes_with_the_vocabulary_files(tmp_path: Path) -> None:
    """New synonyms or stopwords must reach a running corpus: the compiled view is keyed by them."""
    shipped = resources.files("bot.data")
    assert lexicon.data_digest() == lexicon.folder_digest(shipped)
    assert lexicon.data_digest() in view._cache_path("kb", "3").name
    for entry in shipped.iterdir():
        if entry.name.endswith(".txt"):
            (tmp_path / entry.name).write_bytes(entry.read_bytes())
    assert lexicon.folder_digest(tmp_path) == lexicon.data_digest()
    with (tmp_path / "synonyms.txt").open("a", encoding="utf-8") as out:
        out.write("新词 = 新说法\n")
    assert lexicon.folder_digest(tmp_path) != lexicon.data_digest()


def test_a_unit_typed_in_pinyin() -> None:
    lex = lexicon.Lexicon(names={"鼓楼", "鼓楼派出所", "东城派出所"})
    assert lex.name_by_pinyin("gulou") == "鼓楼"
    assert lex.name_by_pinyin("DongChengPaiChuSuo") == "东城派出所"
    assert lex.name_by_pinyin("hangzhou") is None


def test_a_station_called_by_its_short_form_is_written_out() -> None:
    lex = lexicon.Lexicon(names={"鼓楼", "鼓楼派出所", "海曙公安分局鼓楼派出所", "兴隆派出所"})
    assert lex.spelled_out("鼓楼所和兴隆所各抓了几人") == "鼓楼派出所和兴隆派出所各抓了几人"
    assert lex.spelled_out("鼓楼派出所抓了几人") == "鼓楼派出所抓了几人"
    assert lex.spelled_out("派出所所长是谁") == "派出所所长是谁"
