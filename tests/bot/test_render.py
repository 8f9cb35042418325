"""HTML rendering: escaping, safe splitting at sentence ends, pagination, answer buttons."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.constants import MessageLimit

from bot import render
from bot.answer import Answer, Citation
from bot.render import Line, paginate, render_answer, render_text, split_sentences, to_messages, utf16_len

CITATION = Citation(article_id=12, article_key="k", title="标题<b>&", source_file="f.txt")


class _TagChecker(HTMLParser):
    """Fails on unbalanced tags; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def visible(html: str) -> str:
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    assert not checker.stack, f"unclosed {checker.stack}"
    return "".join(checker.text)


def test_escapes_corpus_and_user_text():
    answer = Answer(
        intent="fact", reply="📊 用户<b>&输入\n来源：《a<i>b》\n原文：“x > y & z”", citation=CITATION
    )
    [html] = render_answer(answer)
    assert html.startswith("<b>📊 用户&lt;b&gt;&amp;输入</b>")
    assert "<i>来源：《a&lt;i&gt;b》</i>" in html
    assert "x &gt; y &amp; z" in html
    assert visible(html) == answer.reply


def test_headline_is_bold_only_once():
    html = render_text("第一行\n第二行\n第三行")[0]
    assert html == "<b>第一行</b>\n第二行\n第三行"


def test_ten_thousand_chars_split_at_sentence_ends_with_balanced_tags():
    sentence = "荆门市公安局打掉电信诈骗窝点33个<&>。"
    body = sentence * (10_000 // len(sentence) + 1)
    text = "📊 很长的回答<标题>\n" + body + "\n来源：《报道》"
    parts = render_text(text)
    assert len(parts) >= 3
    assert all(utf16_len(p) <= MessageLimit.MAX_TEXT_LENGTH for p in parts)
    texts = [visible(p) for p in parts]
    assert "".join(texts).replace("\n", "") == text.replace("\n", "")
    for t in texts[:-1]:
        assert t.endswith("。") or t.endswith(">"), t[-10:]
    assert parts[-1].endswith("<i>来源：《报道》</i>")


def test_never_cuts_inside_an_entity_even_without_sentence_ends():
    parts = to_messages([Line("&" * 5000, "b")])
    assert all(utf16_len(p) <= MessageLimit.MAX_TEXT_LENGTH for p in parts)
    assert all(re.fullmatch(r"<b>(&amp;)+</b>", p) for p in parts)
    assert sum(visible(p).count("&") for p in parts) == 5000


def test_emoji_counted_as_utf16_units():
    parts = to_messages([Line("😀" * 3000)])
    assert len(parts) == 2 and all(utf16_len(p) <= 4096 for p in parts)


def test_split_sentences_keeps_quotes_with_their_sentence():
    assert split_sentences("他说：“好。”然后走了！真的？") == ["他说：“好。”", "然后走了！", "真的？"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab<&>。！\n“”😀", max_size=400), st.integers(min_value=20, max_value=120))
def test_split_roundtrip_property(text, limit):
    parts = render_text(text, limit=limit)
    assert all(utf16_len(p) <= limit for p in parts)
    assert "".join(visible(p) for p in parts).replace("\n", "") == text.replace("\n", "")


def test_paginate_clamps_and_counts():
    page = paginate(list(range(17)), 1, 8)
    assert page.items == tuple(range(8, 16)) and page.pages == 3 and page.has_prev and page.has_next
    last = paginate(list(range(17)), 99, 8)
    assert last.page == 2 and last.items == (16,) and not last.has_next
    empty = paginate([], 0, 8)
    assert empty.pages == 1 and empty.items == () and not empty.has_prev


def test_answer_keyboard_for_cited_and_unsure_answers():
    fact = Answer(intent="fact", reply="x", citation=CITATION)
    rows = render.answer_keyboard(fact).inline_keyboard
    assert [b.callback_data for b in rows[0]] == ["x:12", "d:12:0", "s:12"]
    assert [b.text for b in rows[0]] == ["📄 原文", "📊 本文数据", "📝 摘要"]
    unsure = Answer(intent="none", reply="您是不是想问：", suggestions=["问题一" * 30, "问题二"])
    rows = render.answer_keyboard(unsure).inline_keyboard
    assert [r[0].callback_data for r in rows] == ["q:0", "q:1"]
    assert len(rows[0][0].text) <= render.BUTTON_TEXT
    assert render.answer_keyboard(Answer(intent="none", reply="x")) is None


def test_fixed_texts_name_no_corpus() -> None:
    """Help and usage examples are filled from the built corpus, so no place or unit is fixed."""
    from bot import texts

    fixed = " ".join([*texts.USAGE.values(), texts.NON_TEXT, texts.CHART_NO_DATA, *texts.start_lines(None, 3)])
    for word in ("鼓楼", "荆门", "海曙", "公安改革"):
        assert word not in fixed
    assert texts.sample_keyword(["徐州", "徐州", None], ["徐州市公安局"]) == "徐州"
    assert texts.sample_keyword([None], ["郑州交警支队"]) == "郑州交警支队"
    assert "那徐州呢" in texts.help_text(["徐州抓获了多少人？"], "徐州")
