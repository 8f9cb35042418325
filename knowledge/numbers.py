"""Find the quantities a reader can ask about in OCR'd Chinese police news.

Numerals (Arabic and Chinese) are converted with cn2an, never by hand.  The
hard part is not conversion but deciding what is *not* a statistic: dates,
clock times, ages, hotline/phone numbers, ordinals, slogan numbers inside
short quotes and round-the-clock duty schedules ("24小时武装巡逻").  Those are
rejected here so that every later stage can trust a :class:`QuantityMatch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.numerals import numeral_value

__all__ = [
    "MEASURE_WORDS",
    "Quantity",
    "QuantityMatch",
    "find_quantities",
    "parse_quantity",
]


@dataclass(frozen=True)
class Quantity:
    """A parsed amount: value in the base unit (元, 名, %, 小时 …)."""

    value: float
    unit: str
    approximate: bool
    kind: str  # count | money | percent | rate | duration | area | age | other


@dataclass(frozen=True)
class QuantityMatch:
    """A quantity found in a sentence, with its span so callers can read the context around it."""

    start: int
    end: int
    value_text: str  # exactly as written, e.g. "2万余元", "近500平方米"
    value: float
    unit: str
    approximate: bool
    kind: str


@dataclass(frozen=True)
class _Unit:
    unit: str  # normalized unit stored on the fact ("" for rejected units)
    kind: str  # fact kind, or a rejection kind: year | date | time | age | ordinal | anniversary
    multiplier: float = 1.0
    approximate: bool = False


_MEASURE_FILE = Path(__file__).resolve().parent / "data" / "measure_words.txt"


def _measure_words() -> dict[str, str]:
    """Measure word → kind, from the data file (see its header for where the list comes from)."""
    rows = (ln.split("\t") for ln in _MEASURE_FILE.read_text(encoding="utf-8").splitlines())
    return {r[0]: r[1] for r in rows if len(r) == 2 and not r[0].startswith("#")}


MEASURE_WORDS: dict[str, str] = _measure_words()
_UNITS: dict[str, _Unit] = {w: _Unit(w, "count" if k == "count" else "other") for w, k in MEASURE_WORDS.items()}
_UNITS.update(
    {
        "%": _Unit("%", "percent"),
        "％": _Unit("%", "percent"),
        "元": _Unit("元", "money"),
        "块钱": _Unit("元", "money"),
        "万元": _Unit("元", "money", 10_000),
        "亿元": _Unit("元", "money", 100_000_000),
        "平方公里": _Unit("平方公里", "area"),
        "平方米": _Unit("平方米", "area"),
        "亩": _Unit("亩", "area"),
        "公里": _Unit("公里", "other"),
        "米": _Unit("米", "other"),
        "个多小时": _Unit("小时", "duration", approximate=True),
        "个小时": _Unit("小时", "duration"),
        "小时": _Unit("小时", "duration"),
        "分钟": _Unit("分钟", "duration"),
        "秒钟": _Unit("秒", "duration"),
        "秒": _Unit("秒", "duration"),
        "个多月": _Unit("月", "duration", approximate=True),
        "个月": _Unit("月", "duration"),
        "天": _Unit("天", "duration"),
        "周": _Unit("周", "duration"),
        "年": _Unit("年", "year"),  # duration unless it is a calendar year
        # Matched only so their span is consumed and rejected.
        "周年": _Unit("", "anniversary"),
        "周岁": _Unit("岁", "age"),
        "岁": _Unit("岁", "age"),
        # a bare 万/亿 after a figure (涉案40余万): the amount without its unit
        "万": _Unit("", "other", 10_000),
        "亿": _Unit("", "other", 100_000_000),
        "月份": _Unit("", "date"),
        "月": _Unit("", "date"),
        "日": _Unit("", "date"),
        "号": _Unit("", "ordinal"),
        "时": _Unit("", "time"),
        "点": _Unit("", "time"),
    }
)
_REJECTED_KINDS = {"anniversary", "date", "ordinal", "time"}

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_SP = r"[ \t\u3000]*"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_APPROX_PREFIXES = ("不少于", "不足", "不到", "超过", "大约", "将近", "近", "约", "逾", "超")

_QUANTITY_RE = re.compile(
    rf"(?P<pre>{'|'.join(_APPROX_PREFIXES)})?{_SP}"
    rf"(?P<num>(?<![\d.])\d+(?:\.\d+)?(?:{_SP}[千万亿](?![元]))?|[{_CN_DIGITS}]+)"
    rf"{_SP}(?P<suf>余|多)?{_SP}"
    rf"(?P<mag>[万亿](?:余|多)?)?"
    rf"(?P<unit>{_UNIT_ALT})"
    r"(?P<post>以上|以下|左右|余|多)?"
)
# "12万元" must read as number "12万" + unit "元"; the lookahead above keeps 万 out of the
# number only when it is glued to 元 — then the 万元 unit applies the multiplier instead.
# ``mag``: 万/亿 between an approximation and the measure word (40余万人次, 3余万户) multiply it.
_MAGNITUDE = {"万": 10_000.0, "亿": 100_000_000.0}

_RANGE_RE = re.compile(r"^([一二两三四五六七八九])([一二两三四五六七八九])(.*)$")
_CN_ORDER = {c: i for i, c in enumerate("一二三四五六七八九", start=1)} | {"两": 2}
_QUOTE_PAIRS = {"“": "”", "‘": "’", "《": "》", "「": "」", "『": "』"}
_OPEN_QUOTES = ("“", '"', "‘", "「", "『", "《")
_CLOSE_SOON = re.compile(r"[^，,；;。！!？?：:“”\"]{0,12}[”\"’」』》]")
_SHORT_QUOTE = 15  # longer quoted spans are reported speech, not slogans
_ROUND_THE_CLOCK_OK_AFTER = "内后的以之左前里"
_PHASE_AFTER = ("建设", "工程", "项目")
_IDIOMS = ("三位一体", "一体化")
_CLAUSE_BREAK = re.compile(r"[，,；;。！!？?：:\n]")
_MONEY_CONTEXT = re.compile(r"金额|资金|钱|款|损失|价值|货值|收入")
_MONEY_BRACKET = re.compile(r"\s*[（(](?:人民币元?|元)[)）]")
_CHANGE_WORDS = re.compile(r"上升|下降|增长|减少|提升|提高|降低|增加|下滑|回落|上涨|下跌")


@lru_cache(maxsize=8192)
def _cn_to_number(num: str) -> tuple[float, bool] | None:
    """Convert a numeral with cn2an; ranges like 三四百 become their lower bound, marked approximate.

    Kept per numeral: cn2an takes ≈50 µs a call, and a corpus writes the same few numerals again
    and again (1, 2016, 十余)."""
    approximate = False
    text = re.sub(r"\s+", "", num)
    m = _RANGE_RE.match(text)
    if m and _CN_ORDER[m.group(2)] == _CN_ORDER[m.group(1)] + 1:
        text = m.group(1) + m.group(3)
        approximate = True
        if not m.group(3):
            return None  # "三四" without magnitude is not a number we trust
    value = numeral_value(text)
    if value is None:
        return None
    return value, approximate


def _interpret(m: re.Match[str]) -> tuple[Quantity, _Unit] | None:
    """Context-free reading of one regex match; None for dates, ages, clock times, ordinals."""
    num = m.group("num")
    unit = _UNITS[m.group("unit")]
    converted = _cn_to_number(num)
    if converted is None:
        return None
    value, approximate = converted
    is_arabic = num[0].isdigit()
    if unit.kind in _REJECTED_KINDS:
        return None
    if not is_arabic and num.strip() in {"一", "千", "万", "亿"} and not (m.group("suf") or m.group("pre")):
        return None  # 一辆/一名 are articles, not statistics; bare 千/万 are idioms (千家万户)
    mag = m.group("mag") or ""
    if mag:
        value *= _MAGNITUDE[mag[0]]
    approximate = approximate or bool(m.group("pre") or m.group("suf") or m.group("post")) or unit.approximate
    approximate = approximate or len(mag) > 1
    if m.group("post") in {"以下"}:
        approximate = True
    kind = unit.kind
    if kind == "year":
        digits = re.sub(r"\s+", "", num)
        if is_arabic and len(digits) == 4 and not approximate:
            return None  # calendar year
        kind = "duration"
    return Quantity(round(value * unit.multiplier, 6), unit.unit, approximate, kind), unit


def parse_quantity(text: str) -> Quantity | None:
    """Parse a string that is exactly one quantity ("2万余元", "十余名", "28.78%"); else None."""
    m = _QUANTITY_RE.fullmatch(text.strip())
    if m is None:
        return None
    parsed = _interpret(m)
    return parsed[0] if parsed else None


def _short_quote_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans of short quoted text (slogans like “五必谈”, “1+3”), whose numbers are names."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    ascii_open: int | None = None
    for i, ch in enumerate(sentence):
        if ch in _QUOTE_PAIRS:
            stack.append((_QUOTE_PAIRS[ch], i))
        elif stack and ch == stack[-1][0]:
            _, start = stack.pop()
            spans.append((start, i))
        elif ch == '"':
            if ascii_open is None:
                ascii_open = i
            else:
                spans.append((ascii_open, i))
                ascii_open = None
    return [(a, b) for a, b in spans if b - a - 1 <= _SHORT_QUOTE]


def _clause_before(sentence: str, pos: int) -> str:
    """Text from the last clause break up to pos (used to spot 破案率达…)."""
    breaks = [mm.end() for mm in _CLAUSE_BREAK.finditer(sentence, 0, pos)]
    return sentence[breaks[-1] if breaks else 0 : pos]


def _rejected_by_context(
    sentence: str, m: re.Match[str], q: Quantity, unit_token: str, quotes: list[tuple[int, int]]
) -> bool:
    """Context rules: ordinals, slogans, 1+3, round-the-clock duty, phase numbers, relative time.

    ``quotes`` is :func:`_short_quote_spans` of the sentence (read once for all its numbers).
    """
    start, end = m.start(), m.end()
    num_start = m.start("num")
    before = sentence[:num_start].rstrip(" \t\u3000")
    after = sentence[end:].lstrip(" \t\u3000")
    if before.endswith("第"):
        return True
    if before.endswith(("+", "＋")) or after.startswith(("+", "＋")):
        return True
    if sentence[m.end("num") : m.end("num") + 1] in {"+", "＋"}:
        return True
    if any(a < start and end <= b + 1 for a, b in quotes):
        return True
    if before.endswith(_OPEN_QUOTES) and _CLOSE_SOON.match(sentence, end):
        return True  # "1分钟控制圈": a slogan even when the file's ASCII quotes are unbalanced
    if unit_token == "期" and after.startswith(_PHASE_AFTER):
        return True
    window = sentence[max(0, start - 3) : end + 3]
    if any(idiom in window and idiom.startswith(m.group("num").strip()) for idiom in _IDIOMS):
        return True
    if q.kind == "duration":
        modifier = bool(after) and after[0] not in _ROUND_THE_CLOCK_OK_AFTER + '、”"）)'
        if q.unit == "小时" and q.value == 24 and modifier and not _CLAUSE_BREAK.match(after[0]):
            return True  # 24小时精准打击 / 24小时武装巡逻: a duty schedule, not a measurement
        if after.startswith(("前", "来")) or before.endswith("今明"):
            return True  # 三年前 / 3年来 / 今明两年: a time reference or a period, not a statistic
    return False


def _refine_kind(sentence: str, m: re.Match[str], q: Quantity) -> Quantity:
    """A percentage right after …率达/率为 is a rate (破案率达32.21%), not a change; 金额40余万 is money."""
    if q.kind == "other" and not q.unit:
        named = _MONEY_BRACKET.match(sentence, m.end())
        if named or _MONEY_CONTEXT.search(_clause_before(sentence, m.start())):
            return Quantity(q.value, "元", q.approximate, "money")  # 涉案40余万, 3.5万（元）
    if q.kind != "percent":
        return q
    clause = _clause_before(sentence, m.start())
    idx = clause.rfind("率")
    if idx >= 0 and not _CHANGE_WORDS.search(clause[idx:]):
        return Quantity(q.value, q.unit, q.approximate, "rate")
    return q


def find_quantities(sentence: str) -> list[QuantityMatch]:
    """All statistics-grade quantities in a sentence, left to right."""
    found: list[QuantityMatch] = []
    quotes: list[tuple[int, int]] | None = None
    for m in _QUANTITY_RE.finditer(sentence):
        parsed = _interpret(m)
        if parsed is None:
            continue
        q, _ = parsed
        if quotes is None:
            quotes = _short_quote_spans(sentence)
        if _rejected_by_context(sentence, m, q, m.group("unit"), quotes):
            continue
        q = _refine_kind(sentence, m, q)
        start = m.start("pre") if m.group("pre") else m.start("num")
        found.append(
            QuantityMatch(
                start=start,
                end=m.end(),
                value_text=sentence[start : m.end()],
                value=q.value,
                unit=q.unit,
                approximate=q.approximate,
                kind=q.kind,
            )
        )
    return found
