"""Telegram HTML for engine answers: escaping, a bold headline, safe splitting, pages, buttons.

Everything from the corpus or a user goes through ``html.escape`` (HTML parse mode only needs
``<``, ``>``, ``&``; MarkdownV2 would choke on figures like ``28.78%``). Markup is applied per
line and lines are split *before* markup is added, at sentence ends, so a message part is
always within ``MessageLimit.MAX_TEXT_LENGTH`` and never cuts through a tag or an entity.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot import callbacks as cb
from bot import texts
from bot.answer import Answer
from knowledge.store import ArticleView, FactView

__all__ = [
    "ARTICLES_PER_PAGE",
    "CAPTION_LIMIT",
    "FACTS_PER_PAGE",
    "MAX_TEXT",
    "Line",
    "Page",
    "about_message",
    "answer_keyboard",
    "article_messages",
    "articles_page",
    "escape",
    "examples_keyboard",
    "facts_page",
    "headline",
    "paginate",
    "render_answer",
    "render_text",
    "split_sentences",
    "to_messages",
    "utf16_len",
]

MAX_TEXT: int = MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT: int = MessageLimit.CAPTION_LENGTH
ARTICLES_PER_PAGE = 8
FACTS_PER_PAGE = 8
BUTTON_TEXT = 40  # longer labels are cut on phones anyway
SOURCE_PREFIX = "来源："

Style = Literal["b", "i", "blockquote"] | None
T = TypeVar("T")


def escape(text: str) -> str:
    """Escape corpus/user text for HTML parse mode (quotes are legal there and stay readable)."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


_SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’」』）)\"']*|\n|$)")


def split_sentences(text: str) -> list[str]:
    """Sentences with their end marks and closing quotes attached; joined they give ``text`` back."""
    return [s for s in _SENTENCE.findall(text) if s]


@dataclass(frozen=True)
class Line:
    """One line of plain text and the markup that wraps it."""

    text: str
    style: Style = None

    def html(self, text: str | None = None) -> str:
        body = escape(self.text if text is None else text)
        return f"<{self.style}>{body}</{self.style}>" if self.style else body


def _wrap_cost(style: Style) -> int:
    return 2 * len(style) + 5 if style else 0


def _cut_to_fit(text: str, style: Style, limit: int) -> list[str]:
    """Last resort for a single over-long sentence: cut between characters, not entities."""
    pieces: list[str] = []
    budget = limit - _wrap_cost(style)
    current = ""
    for ch in text:
        if utf16_len(escape(current + ch)) > budget:
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


class _Packer:
    """Greedy packing of sentences into messages; a line's markup is closed at every break."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.messages: list[str] = []
        self.done: list[str] = []  # finished HTML lines of the current message
        self.size = 0  # utf-16 size of "\n".join(done)

    def _cost(self, fragment: str) -> int:
        return self.size + (1 if self.done else 0) + utf16_len(fragment)

    def _finish_line(self, fragment: str) -> None:
        self.size = self._cost(fragment)
        self.done.append(fragment)

    def _finish_message(self) -> None:
        if self.done:
            self.messages.append("\n".join(self.done))
        self.done, self.size = [], 0

    def add(self, line: Line) -> None:
        if self._cost(line.html()) <= self.limit:
            self._finish_line(line.html())
            return
        if utf16_len(line.html()) <= self.limit:  # fits a fresh message whole: keep it whole
            self._finish_message()
            self._finish_line(line.html())
            return
        text = ""
        for sentence in split_sentences(line.text):
            if self._cost(line.html(text + sentence)) <= self.limit:
                text += sentence
                continue
            if text:
                self._finish_line(line.html(text))
                text = ""
            self._finish_message()
            if utf16_len(line.html(sentence)) <= self.limit:
                text = sentence
                continue
            *full, text = _cut_to_fit(sentence, line.style, self.limit)
            for piece in full:
                self._finish_line(line.html(piece))
                self._finish_message()
        if text:
            self._finish_line(line.html(text))


def to_messages(lines: Sequence[Line], limit: int = MAX_TEXT) -> list[str]:
    """Pack lines into as few messages as fit, breaking only between lines or sentences."""
    packer = _Packer(limit)
    for line in lines:
        packer.add(line)
    packer._finish_message()
    return packer.messages or [""]


def render_text(text: str, *, bold_first: bool = True, limit: int = MAX_TEXT) -> list[str]:
    """Plain multi-line text as HTML messages: headline bold, source lines italic."""
    lines = []
    for i, raw in enumerate(text.split("\n")):
        style: Style = None
        if i == 0 and bold_first:
            style = "b"
        elif raw.startswith(SOURCE_PREFIX):
            style = "i"
        lines.append(Line(raw, style))
    return to_messages(lines, limit)


def render_answer(answer: Answer, limit: int = MAX_TEXT) -> list[str]:
    return render_text(answer.reply, limit=limit)


def headline(text: str) -> str:
    return text.split("\n", 1)[0].strip()


# ---------------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int  # 0-based, clamped into range
    pages: int  # at least 1
    start: int  # index of items[0] in the whole list

    @property
    def has_prev(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page < self.pages - 1


def paginate(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """One page of ``items``; an out-of-range page (old button, shrunk list) is clamped."""
    if per_page <= 0:
        raise ValueError("per_page must be positive")
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(page, 0), pages - 1)
    start = page * per_page
    return Page(tuple(items[start : start + per_page]), page, pages, start)


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1] + "…"


def _button(text: str, value: cb.CallbackValue) -> InlineKeyboardButton:
    return InlineKeyboardButton(_label(text), callback_data=cb.encode(value))


def _nav_row(page: Page, article_id: int | None = None) -> list[InlineKeyboardButton]:
    """Prev/next buttons; facts pages when ``article_id`` is given, else the article list."""
    row: list[InlineKeyboardButton] = []

    def value(p: int) -> cb.CallbackValue:
        return cb.Facts(article_id, p, nav=True) if article_id is not None else cb.Articles(p, nav=True)

    if page.has_prev:
        row.append(_button("◀ 上一页", value(page.page - 1)))
    if page.has_next:
        row.append(_button("下一页 ▶", value(page.page + 1)))
    return row


def articles_page(articles: Sequence[ArticleView], page: int) -> tuple[str, InlineKeyboardMarkup]:
    p = paginate(articles, page, ARTICLES_PER_PAGE)
    lines = [Line(f"📚 全部报道（共 {len(articles)} 篇，第 {p.page + 1}/{p.pages} 页）", "b")]
    buttons: list[list[InlineKeyboardButton]] = []
    for n, article in enumerate(p.items, p.start + 1):
        where = article.place or article.agency
        lines.append(Line(f"{n}. 《{article.title}》" + (f"（{where}）" if where else "")))
        buttons.append([_button(f"{n}. {article.title}", cb.Summary(article.id))])
    if nav := _nav_row(p):
        buttons.append(nav)
    return to_messages(lines)[0], InlineKeyboardMarkup(buttons)


def facts_page(
    article: ArticleView, facts: Sequence[FactView], page: int, fact_line
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of an article's statistics; ``fact_line`` is the engine's wording of one fact."""
    p = paginate(facts, page, FACTS_PER_PAGE)
    lines = [Line(f"📊 《{article.title}》中的数据（共 {len(facts)} 条，第 {p.page + 1}/{p.pages} 页）", "b")]
    if not facts:
        lines.append(Line("这篇报道里没有提取到统计数据。"))
    lines += [Line(f"{n}. {fact_line(f)}") for n, f in enumerate(p.items, p.start + 1)]
    rows = []
    if nav := _nav_row(p, article.id):
        rows.append(nav)
    rows.append([_button("📄 原文", cb.Excerpt(article.id)), _button("📝 摘要", cb.Summary(article.id))])
    return to_messages(lines)[0], InlineKeyboardMarkup(rows)


def article_messages(article: ArticleView, sentences: Sequence[str], source_line: str) -> list[str]:
    """The full original report, split at sentence ends when it is long."""
    lines = [Line(f"📄 《{article.title}》原文", "b"), Line("".join(sentences)), Line(source_line, "i")]
    return to_messages(lines)


# ---------------------------------------------------------------------------------- keyboards

CITED = ("fact", "summary", "excerpt")


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """Next steps: original text / all figures / summary of the cited article, or the choices."""
    if answer.intent in CITED and answer.citation is not None:
        aid = answer.citation.article_id
        row = [_button("📄 原文", cb.Excerpt(aid)), _button("📊 本文数据", cb.Facts(aid, 0))]
        if answer.intent != "summary":
            row.append(_button("📝 摘要", cb.Summary(aid)))
        return InlineKeyboardMarkup([row])
    if answer.suggestions:
        return InlineKeyboardMarkup(
            [[_button(f"❓ {s}", cb.Choose(i))] for i, s in enumerate(answer.suggestions)]
        )
    return None


def examples_keyboard(examples: Sequence[str]) -> InlineKeyboardMarkup:
    rows = [[_button(f"💬 {e}", cb.Example(i))] for i, e in enumerate(examples)]
    rows.append([_button("📚 浏览全部报道", cb.Articles(0))])
    return InlineKeyboardMarkup(rows)


def about_message(files: int, articles: int, facts: int, last_build: str | None) -> str:
    return render_text("\n".join(texts.about_lines(files, articles, facts, last_build)))[0]
