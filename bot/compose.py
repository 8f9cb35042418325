"""Reply texts: plain Chinese text with the figure, its context and its source.

Transports decide markup; the words live here so every transport says the same thing.
"""

from __future__ import annotations

from bot.answer import Choice, Citation, Figure
from knowledge.store import ArticleView, FactView, Snapshot

SUMMARY_ICON = "📝"
FACT_ICON = "📊"
EXCERPT_ICON = "📄"
LIST_ICON = "📚"
ANSWER_ICON = "📌"
COMPARE_ICON = "⚖️"


def citation_for(snapshot: Snapshot, article: ArticleView, sentence: str | None = None) -> Citation:
    return Citation(
        article_id=article.id,
        article_key=article.key,
        title=article.title,
        source_file=article.source,
        place=article.place,
        agency=article.agency,
        sentence=sentence,
    )


def source_line(citation: Citation) -> str:
    where = " · ".join(x for x in (citation.place, citation.agency) if x)
    return f"来源：《{citation.title}》" + (f"（{where}）" if where else "")


def figure(fact: FactView) -> str:
    """The figure as written, with its unit when the writing left it implicit."""
    text = fact.value_text
    if fact.unit and not text.endswith(fact.unit) and fact.unit not in text:
        text += fact.unit
    return text


def fact_line(fact: FactView) -> str:
    """One sentence stating a fact with its subject, period and agency."""
    lead = "，".join(x for x in (fact.period, fact.agency) if x)
    subject = fact.subject or "相关数据"
    if fact.change:
        body = f"{subject}{fact.comparison or ''}{fact.change}{figure(fact)}"
    else:
        body = f"{subject}：{figure(fact)}"
    approx = "（约数）" if fact.approximate and not any(c in fact.value_text for c in "余多近约") else ""
    return f"{lead}，{body}{approx}" if lead else f"{body}{approx}"


def fact_reply(fact: FactView, citation: Citation, related: list[FactView]) -> str:
    lines = [f"{FACT_ICON} {fact_line(fact)}", source_line(citation)]
    if fact.sentence:
        lines.append(f"原文：{quote(fact.sentence)}")
    if fact.origin == "moderator":
        lines.append("注：这条数据由管理员补充。")
    elif fact.curated and fact.value_text not in fact.sentence:
        lines.append("注：这条数据已由管理员更正，与原文不同之处以更正为准。")
    if related:
        lines.append("相关数据：")
        lines += [f"· {fact_line(r)}" for r in related]
    return "\n".join(lines)


def sentence_reply(citation: Citation, sentence: str, span: str | None) -> str:
    """A question no statistic answers: the asked-for words first, then the sentence that says them."""
    head = f"{ANSWER_ICON} {span}" if span else f"{EXCERPT_ICON} 报道里是这样说的："
    return "\n".join([head, source_line(citation), f"原文：{quote(sentence)}"])


def passage_reply(citation: Citation, sentences: list[str]) -> str:
    """A section of an article, for "…是怎么回事" about one event in it."""
    return "\n".join(
        [f"{SUMMARY_ICON} 《{citation.title}》里的相关内容：", "".join(sentences), source_line(citation)]
    )


def summary_reply(article: ArticleView, citation: Citation, terms: list[str] | None = None) -> str:
    """The summary, then the terms the article coins (its figures' sentences leave them out)."""
    summary = article.summary or "（这篇报道没有可用的摘要。）"
    lines = [f"{SUMMARY_ICON} 《{article.title}》摘要：", summary]
    if terms:
        lines.append("关键词：" + " · ".join(f"“{t}”" for t in terms))
    return "\n".join([*lines, source_line(citation)])


def excerpt_reply(citation: Citation, sentences: list[str]) -> str:
    quoted = "".join(sentences)
    return "\n".join([f"{EXCERPT_ICON} 原文：", quote(quoted), source_line(citation)])


def quote(text: str) -> str:
    """“…” around a passage; one that has quotation marks of its own gets 「…」, never a doubled ““."""
    return f"「{text}」" if "“" in text or "”" in text else f"“{text}”"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def comparison_line(a: FactView, b: FactView) -> str:
    """Which of two figures is larger, only when unit and period allow the comparison."""
    unit_a, unit_b = a.unit or figure(a)[-1:], b.unit or figure(b)[-1:]
    if unit_a != unit_b or (a.kind == "rate") != (b.kind == "rate"):
        return f"两项数据的单位或口径不同（{figure(a)} / {figure(b)}），不能直接比较大小。"
    if (a.period or "") != (b.period or ""):
        periods = f"{a.period or '未写明'} / {b.period or '未写明'}"
        return f"两项数据的统计时期不同（{periods}），只能分别参考，不宜直接比较大小。"
    if a.value == b.value:
        return f"两项数据相同：都是{figure(a)}。"
    big, small = (a, b) if a.value > b.value else (b, a)
    approx = "（含约数，仅供参考）" if a.approximate or b.approximate else ""
    return f"比较：{figure(big)}大于{figure(small)}{approx}。"


def article_question(article: ArticleView) -> str:
    return f"《{article.title}》讲了什么？"


def fact_question(fact: FactView, place: str | None = None) -> str:
    """A question that names the fact: its place too, when its agency does not say it already
    (several places report the same figure; "现场劝阻案件是多少？" alone tells them apart poorly)."""
    who = fact.agency or ""
    where = place if place and place not in who else ""
    return f"{where}{who}{fact.subject}是多少？"


def article_choice(article: ArticleView) -> Choice:
    """The article's question (《…》讲了什么？) as an option that, chosen, is its summary."""
    return Choice(article_question(article), "article", article.id)


def fact_choice(fact: FactView, place: str | None = None) -> Choice:
    """The fact's question (…是多少？) as an option that, chosen, is this very figure."""
    return Choice(fact_question(fact, place), "fact", fact.id)


def figure_of(fact: FactView, place: str | None = None) -> Figure:
    """The fields of a figure an answer states, for transports that lay them out themselves."""
    return Figure(
        fact_id=fact.id,
        subject=fact.subject,
        value=fact.value,
        value_text=fact.value_text,
        unit=fact.unit,
        kind=fact.kind,
        change=fact.change,
        comparison=fact.comparison,
        period=fact.period,
        agency=fact.agency,
        place=place,
        approximate=fact.approximate,
        article_id=fact.article_id,
    )
