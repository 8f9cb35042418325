"""Re-lay articles out as pages of other newspapers, to test that segmentation reads the layout.

Each style takes the articles the seeds segment into and prints them the way another paper
would: other heading marks, paragraphs, wrapping, bylines, datelines, captions and furniture.
A style returns the page text and the headline each article should come out with (styles that
lengthen headlines print a longer one).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.types import ArticleDraft

__all__ = ["STYLES", "Laid", "lay_out"]


@dataclass(frozen=True)
class Laid:
    page: str
    titles: list[str]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False))


def _lead(a: ArticleDraft) -> list[str]:
    """Paragraphs with the dateline back at the start of the first one (本报金乡讯 7月22日…)."""
    paras = list(a.paragraphs)
    if a.dateline:
        paras[0] = f"{a.dateline} {paras[0]}"
    return paras


def _byline(a: ArticleDraft) -> str:
    return a.byline or "本报记者 林晓"


def _names(byline: str) -> tuple[str, str]:
    """(reporter, correspondent) names out of a byline, for credits written inside the text."""
    tokens = [t for t in byline.split() if t not in {"记者", "通讯员", "本报记者", "本报通讯员", "摄"}]
    first = tokens[0] if tokens else "林晓"
    return first, " ".join(tokens[1:]) or "王青"


def blank_lines(arts: list[ArticleDraft]) -> Laid:
    parts = []
    for a in arts:
        parts += [a.title, _byline(a), *_lead(a)]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def markdown(arts: list[ArticleDraft]) -> Laid:
    parts = []
    for n, a in enumerate(arts):
        parts += [("# " if n == 0 else "## ") + a.title, "□ " + _byline(a), *_lead(a)]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def indented(arts: list[ArticleDraft]) -> Laid:
    """No blank lines inside an article: paragraphs start with a full-width indent, lines wrap at 22."""
    blocks = []
    for a in arts:
        body = "\n".join("\u3000\u3000" + _wrap(p, 22) for p in _lead(a))
        blocks.append(f"{a.title}\n{_byline(a)}\n{body}")
    return Laid("\n\n".join(blocks), [a.title for a in arts])


def column_breaks(arts: list[ArticleDraft]) -> Laid:
    """Long paragraphs broken by a blank line mid-sentence, where the page's column ends."""
    parts = []
    for a in arts:
        parts += [a.title, _byline(a)]
        for p in _lead(a):
            if len(p) > 60:
                cut = next((i for i in range(len(p) // 2, len(p) - 4) if p[i] not in "，。；：、“”！？"), None)
                parts += [p[:cut], p[cut:]] if cut else [p]
            else:
                parts.append(p)
    return Laid("\n\n".join(parts), [a.title for a in arts])


def narrow_columns(arts: list[ArticleDraft]) -> Laid:
    """Columns 12 characters wide, read one after another."""
    parts = []
    for a in arts:
        parts += [a.title, _byline(a), *(_wrap(p, 12) for p in _lead(a))]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def long_headlines(arts: list[ArticleDraft]) -> Laid:
    """Headlines in two parts joined by a comma or a colon, past 30 characters, with figures."""
    titles = []
    for n, a in enumerate(arts):
        join = "，" if n % 2 == 0 else "："
        titles.append(f"{a.title}{join}今年以来共出动警力1200余人次 守护群众平安")
    parts = []
    for a, t in zip(arts, titles, strict=True):
        parts += [t, _byline(a), *_lead(a)]
    return Laid("\n\n".join(parts), titles)


def kicker_and_subtitle(arts: list[ArticleDraft]) -> Laid:
    """引题 above the headline, 副题 (——…) below it."""
    parts = []
    for a in arts:
        parts += ["守护一方平安 护航高质量发展", a.title, "——基层民警扎实推进各项工作纪实", _byline(a), *_lead(a)]
    return Laid("\n\n".join(parts), [a.title for a in arts])


_CAPTIONS = ["图为民警在现场开展工作", "□ 摄影 王小明", "民警走访辖区群众 记者 林晓 摄", "巡逻中的民警"]


def captions(arts: list[ArticleDraft]) -> Laid:
    """A photo caption (5–25 characters) after the first paragraph of every article."""
    parts = []
    for n, a in enumerate(arts):
        paras = _lead(a)
        parts += [a.title, _byline(a), paras[0], _CAPTIONS[n % len(_CAPTIONS)], *paras[1:]]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def credits_in_text(arts: list[ArticleDraft]) -> Laid:
    """The credit and dateline open the first paragraph: 本报讯（记者 X 通讯员 Y）, X网讯（记者 X）."""
    parts = []
    for n, a in enumerate(arts):
        reporter, helper = _names(_byline(a))
        paras = list(a.paragraphs)
        opener = [f"本报讯（记者 {reporter} 通讯员 {helper}）", f"大众网讯（记者 {reporter}）"][n % 2]
        if a.dateline:
            opener = f"{a.dateline}（记者 {reporter} 通讯员 {helper}）"
        paras[0] = opener + paras[0]
        parts += [a.title, *paras]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def end_marks(arts: list[ArticleDraft]) -> Laid:
    """（完） after the last paragraph, on its own line or glued to it."""
    parts = []
    for n, a in enumerate(arts):
        paras = _lead(a)
        if n % 2:
            paras[-1] += "（完）"
        else:
            paras.append("（完）")
        parts += [a.title, _byline(a), *paras]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def section_headers(arts: list[ArticleDraft]) -> Laid:
    """Column names above stories: ▲ 要闻, ■ 警营动态."""
    parts = []
    for n, a in enumerate(arts):
        parts += [["▲ 要闻", "■ 警营动态"][n % 2], a.title, _byline(a), *_lead(a)]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def furniture(arts: list[ArticleDraft]) -> Laid:
    """Page number, date and editors' credits at the top and bottom of the page."""
    parts = ["第3版", "2023年5月6日 星期六"]
    for a in arts:
        parts += [a.title, _byline(a), *_lead(a)]
    parts += ["责任编辑：张明 美术编辑：李华", "校对：王芳"]
    return Laid("\n\n".join(parts), [a.title for a in arts])


def bylines_after(arts: list[ArticleDraft]) -> Laid:
    """The credit signs the story off at its end: （记者 X 通讯员 Y） or 文/图 本报记者 X."""
    parts = []
    for n, a in enumerate(arts):
        reporter, helper = _names(_byline(a))
        credit = [f"（记者 {reporter} 通讯员 {helper}）", f"文/图 本报记者 {reporter}"][n % 2]
        parts += [a.title, *_lead(a), credit]
    return Laid("\n\n".join(parts), [a.title for a in arts])


STYLES: dict[str, Callable[[list[ArticleDraft]], Laid]] = {
    f.__name__: f
    for f in (
        blank_lines,
        markdown,
        indented,
        column_breaks,
        narrow_columns,
        long_headlines,
        kicker_and_subtitle,
        captions,
        credits_in_text,
        end_marks,
        section_headers,
        furniture,
        bylines_after,
    )
}


def lay_out(style: str, arts: list[ArticleDraft]) -> Laid:
    return STYLES[style](arts)
