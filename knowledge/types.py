"""Plain values that flow through the knowledge pipeline (seeds → clean → segment → facts → store).

They carry no database state, so every stage can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SentenceDraft:
    """One sentence of an article, in reading order."""

    position: int  # 0-based index within the article
    paragraph: int  # 0-based paragraph index within the article
    text: str
    cut: bool = False  # a column break cut it off (…提升对案件的攻坚能): no answer quotes it


@dataclass
class ArticleDraft:
    """One article cut out of a source file (a file can hold several)."""

    source: str  # file name, e.g. "000_5fd57195d5ce075f.txt"
    ordinal: int  # 0-based position within the file
    title: str
    title_inferred: bool  # True when the page had no headline and we made one up
    place: str | None  # e.g. "宁波海曙", "荆门"
    agency: str | None  # e.g. "海曙公安分局鼓楼派出所"
    paragraphs: list[str]
    sentences: list[SentenceDraft] = field(default_factory=list)
    byline: str | None = None
    dateline: str | None = None  # 本报金乡讯, 新华社郑州5月3日电: where the story was filed

    @property
    def key(self) -> str:
        """Stable id: file stem plus ordinal, unchanged across rebuilds of the same file."""
        stem = self.source.rsplit(".", 1)[0]
        return f"{stem}#{self.ordinal}"

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class FactDraft:
    """One statistic as extracted from a sentence."""

    subject: str  # what is counted, e.g. "抓获各类违法犯罪嫌疑人"
    value: float  # the number, e.g. 42.0; 20000.0 for "2万余元"
    value_text: str  # as written, e.g. "2万余元", "十余名", "28.78%"
    unit: str  # measure word or unit: 名/起/元/万元/%/小时/平方米 … ("" when none)
    sentence: str  # the source sentence, verbatim (cleaned)
    sentence_position: int  # SentenceDraft.position of the source sentence
    approximate: bool = False  # 余/多/近/约/以上/不到 …
    change: str | None = None  # 上升/下降/增长/减少 …
    comparison: str | None = None  # 同比/环比
    period: str | None = None  # "今年以来", "2016年1-10月份", "3年来"
    agency: str | None = None  # resolved from the sentence or, failing that, the article
    kind: str = "count"  # count | money | percent | rate | duration | area | other
