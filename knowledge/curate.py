"""Moderator curation of facts: list, show, add, edit, retire/restore, history, undo, export/import.

Transport-free on purpose: the CLI and the Telegram bot both call :class:`Curator`, so every rule
(validation, audit trail, optimistic locking, revision bump) is enforced in exactly one place.

Guarantees of every mutating call:

* all input is validated before anything is written; on any error nothing changes;
* each call is one transaction that writes one ``FactRevision`` batch (a uuid shared by every
  field it changed), sets ``fact.curated`` (so rebuilds never overwrite it) and bumps the
  knowledge ``revision`` meta (so answer engines reload);
* lost updates are impossible: ``expected_version`` is compared up front and the ORM's
  ``version_id_col`` catches a concurrent commit in between; both surface as
  :class:`StaleEditError` carrying the current values.

``字段=值`` field names (Chinese or English, case-insensitive) — see :data:`FIELD_ALIASES`:

=============  ==========================================  =====================================
field          aliases                                     value
=============  ==========================================  =====================================
subject        主题 主体 事项                              text, ≤200 chars, required
value          数值 数字 数量                              number: 42, 12.5, 2万, 1.2亿, 三千五百,
                                                           约500 / 2万余 (marks it approximate)
unit           单位                                        one of :data:`ALLOWED_UNITS`; 万元/亿元
                                                           are stored as 元 × 10⁴/10⁸
value_text     原文数值 数值原文 显示                      how the figure is shown, ≤100 chars
                                                           (default: value + unit as typed)
change         变化 趋势                                   上升 下降 增长 减少 or empty
comparison     比较 对比                                   同比 环比 or empty
period         时期 时间 期间                              text, ≤100 chars or empty
agency         单位机构 机构 部门                          text, ≤200 chars or empty
approximate    约数 近似                                   是/否 (true/false, 1/0)
article        文章                                        article key (``000_x#0``) or id
sentence       原句                                        text, ≤2000 chars or empty
=============  ==========================================  =====================================
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shlex
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from knowledge.models import Article, Fact, FactRevision
from knowledge.numbers import MEASURE_WORDS
from knowledge.numerals import numeral_value
from knowledge.store import bump_revision

# --------------------------------------------------------------------------- errors


class CurationError(ValueError):
    """Base of every user-facing curation error; the message is Chinese and safe to show as is."""


class ValidationError(CurationError):
    """A bad value; ``field`` is the canonical field name (``None`` for whole-input problems)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(CurationError):
    """Unknown fact id or article."""


class StaleEditError(CurationError):
    """Someone else changed the fact since the caller read it; carries the current state."""

    def __init__(self, current: CuratedFact, expected: int | None) -> None:
        based = f"你基于版本 {expected}，" if expected is not None else ""
        super().__init__(
            f"数据 #{current.id} 已被其他人修改（{based}当前版本 {current.version}），本次修改未保存。"
            f"当前内容：{current.brief()}。请核对后重试。"
        )
        self.current = current
        self.expected = expected


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行"
        if self.field:
            where += f"「{FIELD_LABELS.get(self.field, self.field)}」"
        return f"{where}：{self.message}"


class ImportRowsError(CurationError):
    """Import rejected as a whole; ``errors`` lists every bad row and field."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = "\n".join(str(e) for e in errors[:50])
        more = f"\n……另有 {len(errors) - 50} 处错误" if len(errors) > 50 else ""
        super().__init__(f"导入失败，共 {len(errors)} 处错误，未做任何修改：\n{shown}{more}")
        self.errors = errors


# --------------------------------------------------------------------------- fields & units

FIELD_ALIASES: dict[str, str] = {
    "subject": "subject",
    "主题": "subject",
    "主体": "subject",
    "事项": "subject",
    "value": "value",
    "数值": "value",
    "数字": "value",
    "数量": "value",
    "unit": "unit",
    "单位": "unit",
    "value_text": "value_text",
    "原文数值": "value_text",
    "数值原文": "value_text",
    "显示": "value_text",
    "change": "change",
    "变化": "change",
    "趋势": "change",
    "comparison": "comparison",
    "比较": "comparison",
    "对比": "comparison",
    "period": "period",
    "时期": "period",
    "时间": "period",
    "期间": "period",
    "agency": "agency",
    "单位机构": "agency",
    "机构": "agency",
    "部门": "agency",
    "approximate": "approximate",
    "约数": "approximate",
    "近似": "approximate",
    "article": "article",
    "article_key": "article",
    "文章": "article",
    "sentence": "sentence",
    "原句": "sentence",
}
EDITABLE_FIELDS = tuple(dict.fromkeys(FIELD_ALIASES.values()))
FIELD_LABELS: dict[str, str] = {
    "subject": "主题",
    "value": "数值",
    "unit": "单位",
    "value_text": "原文数值",
    "change": "变化",
    "comparison": "比较",
    "period": "时期",
    "agency": "单位机构",
    "approximate": "约数",
    "article": "文章",
    "article_key": "文章",
    "sentence": "原句",
    "status": "状态",
    "kind": "类型",
    "reason": "原因",
    "actor": "操作人",
    "id": "编号",
    "version": "版本",
}

CHANGES = frozenset({"上升", "下降", "增长", "减少"})
COMPARISONS = frozenset({"同比", "环比"})
STATUSES = {"active": "active", "retired": "retired", "有效": "active", "停用": "retired"}
_BOOL = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
    "是": True,
    "否": False,
}

MAX_SUBJECT = 200
MAX_REASON = 500
MAX_SHORT = 100  # period, value_text, actor
MAX_AGENCY = 200
MAX_SENTENCE = 2000
MAX_ARTICLE_KEY = 300
# The largest figure stored (10¹⁵, 千万亿): beyond any count, sum of money or area a report states,
# and far inside what a float holds exactly enough and every database stores.
MAX_VALUE = 1e15
# Fact ids are 32-bit on PostgreSQL (64 on SQLite): a larger id names no fact on either, and is
# said so instead of reaching the driver (OverflowError, NumericValueOutOfRange).
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class UnitSpec:
    """A unit a moderator may type; ``stored``/``multiplier`` normalize it like the extractor does."""

    name: str
    stored: str
    kind: str
    multiplier: float = 1.0


# Measure words the extractor also produces (knowledge.numbers reads them from its data file).
ALLOWED_UNITS: dict[str, UnitSpec] = {
    u: UnitSpec(u, u, "count" if k == "count" else "other") for u, k in MEASURE_WORDS.items()
}
ALLOWED_UNITS.update(
    {
        "元": UnitSpec("元", "元", "money"),
        "万元": UnitSpec("万元", "元", "money", 10_000),
        "亿元": UnitSpec("亿元", "元", "money", 100_000_000),
        "%": UnitSpec("%", "%", "percent"),
        "％": UnitSpec("％", "%", "percent"),
        "秒": UnitSpec("秒", "秒", "duration"),
        "分钟": UnitSpec("分钟", "分钟", "duration"),
        "小时": UnitSpec("小时", "小时", "duration"),
        "天": UnitSpec("天", "天", "duration"),
        "周": UnitSpec("周", "周", "duration"),
        "月": UnitSpec("月", "月", "duration"),
        "年": UnitSpec("年", "年", "duration"),
        "平方米": UnitSpec("平方米", "平方米", "area"),
        "平方公里": UnitSpec("平方公里", "平方公里", "area"),
        "亩": UnitSpec("亩", "亩", "area"),
        "米": UnitSpec("米", "米", "other"),
        "公里": UnitSpec("公里", "公里", "other"),
        "岁": UnitSpec("岁", "岁", "age"),
    }
)
_KIND_BY_STORED = {spec.stored: spec.kind for spec in ALLOWED_UNITS.values()}

_APPROX_PREFIXES = ("不少于", "将近", "大约", "超过", "不到", "约", "近", "逾", "超")
_APPROX_SUFFIXES = ("以上", "左右", "余", "多")
_TAG = re.compile(r"[<>]")
# A spreadsheet evaluates a cell starting with one of these (OWASP "CSV injection"): refused in
# text fields, and written after an apostrophe (shown as text) on CSV export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]")


@dataclass(frozen=True)
class ParsedNumber:
    value: float
    approximate: bool
    text: str  # as typed, markers included ("2万余"), for value_text


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def check_text(name: str, raw: str, max_len: int, *, required: bool = False, multiline: bool = False) -> str:
    """Trimmed text, or a ValidationError naming the field: length, HTML brackets, control chars."""
    text = unicodedata.normalize("NFC", raw).strip()
    label = _label(name)
    if required and not text:
        raise ValidationError(f"{label}不能为空", name)
    if len(text) > max_len:
        raise ValidationError(f"{label}过长（{len(text)} 字，最多 {max_len} 字）", name)
    if _TAG.search(text):
        raise ValidationError(f"{label}不能包含 < 或 > 字符（不接受 HTML 标签）", name)
    for ch in text:
        if (unicodedata.category(ch) == "Cc" and not (multiline and ch in "\n\t")) or _BIDI.match(ch):
            raise ValidationError(f"{label}包含不可见的控制字符（U+{ord(ch):04X}），请删除后重试", name)
    return text


def _no_formula(name: str, text: str | None) -> str | None:
    if text and text.startswith(_FORMULA_START):
        raise ValidationError(f"{_label(name)}不能以 = + - @ 开头（表格软件会把它当作公式执行）", name)
    return text


def sheet_safe(cell: str) -> str:
    """A CSV cell Excel shows as text: a leading formula character gets an apostrophe before it."""
    return "'" + cell if cell.startswith((*_FORMULA_START, "'")) else cell


def _from_sheet(cell: str) -> str:
    """Undo :func:`sheet_safe`, so an exported file imports unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith((*_FORMULA_START, "'")) else cell


def parse_number(raw: str) -> ParsedNumber:
    """A non-negative number: Arabic (12.5, 1,234), ``2万``/``1.2亿``, Chinese (三千五百) via cn2an.

    Approximation markers (约/近/超过 … 余/多/以上/左右) are accepted and flag ``approximate``.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise ValidationError("数值不能为空", "value")
    body = text.replace(",", "").replace(" ", "")
    approximate = False
    for p in _APPROX_PREFIXES:
        if body.startswith(p) and len(body) > len(p):
            body, approximate = body[len(p) :], True
            break
    for s in _APPROX_SUFFIXES:
        if body.endswith(s) and len(body) > len(s):
            body, approximate = body[: -len(s)], True
            break
    value: float | None = None
    if body.startswith("-"):
        raise ValidationError(f"数值“{raw.strip()}”不能为负数（增减请用 变化=上升/下降 表示）", "value")
    if re.fullmatch(r"\d+(?:\.\d+)?", body):
        value = float(body)
    elif re.fullmatch(r"\d+(?:\.\d+)?[万亿]", body):
        value = float(body[:-1]) * (10_000 if body[-1] == "万" else 100_000_000)
    elif re.fullmatch(r"[零〇一二两三四五六七八九十百千万亿点]+", body):
        value = numeral_value(body)
    if value is None or not math.isfinite(value):
        unit_hint = ""
        tail = re.sub(r"^[\d.万亿零〇一二两三四五六七八九十百千]+", "", body)
        if tail and tail != body:
            unit_hint = f"；单位请单独写：单位={tail}"
        raise ValidationError(
            f"数值“{raw.strip()}”不是有效的数字（可写 42、12.5、2万、三千五百）{unit_hint}", "value"
        )
    _check_figure(value, text)
    return ParsedNumber(value, approximate, text)


def _check_figure(value: float, shown: str) -> float:
    """``value`` as stored, or a ValidationError when it is not finite or beyond ``MAX_VALUE``."""
    if not math.isfinite(value) or value > MAX_VALUE:
        raise ValidationError(f"数值过大（“{shown[:30]}”），最多可记 1000万亿（10¹⁵）", "value")
    return value


def scaled_figure(
    number: ParsedNumber, spec: UnitSpec, explicit_text: str | None = None
) -> tuple[float, str]:
    """The stored value and shown text of ``number`` in ``spec``: checked after scaling (亿元 × 10⁸),
    so every database stores the same finite figure and a text that fits its column."""
    value = _check_figure(round(number.value * spec.multiplier, 6), f"{number.text}{spec.name}")
    return value, explicit_text or check_text("value", f"{number.text}{spec.name}", MAX_SHORT)


def parse_unit(raw: str) -> UnitSpec:
    text = unicodedata.normalize("NFC", raw).strip()
    if not text:
        raise ValidationError("单位不能为空", "unit")
    spec = ALLOWED_UNITS.get(text)
    if spec is None:
        allowed = " ".join(sorted({s.name for s in ALLOWED_UNITS.values() if s.name != "％"}))
        raise ValidationError(f"未知单位“{text[:20]}”；可用单位：{allowed}", "unit")
    return spec


def parse_bool(name: str, raw: str) -> bool:
    value = _BOOL.get(raw.strip().lower())
    if value is None:
        raise ValidationError(f"{_label(name)}应为 是 或 否（收到“{raw.strip()[:20]}”）", name)
    return value


def validate_value(name: str, raw: str) -> Any:
    """Validate one field's raw string; returns the typed value (None = clear an optional field).

    The only place field values are checked, shared by ``字段=值`` edits, ``add`` and imports.
    """
    if name not in EDITABLE_FIELDS:
        raise ValidationError(f"未知字段“{name}”", name)
    if not isinstance(raw, str):
        raise ValidationError(f"{_label(name)}的值应为文字", name)
    if name == "subject":
        return _no_formula(name, check_text(name, raw, MAX_SUBJECT, required=True))
    if name == "value":
        return parse_number(raw)
    if name == "unit":
        return parse_unit(raw)
    if name == "value_text":
        return _no_formula(name, check_text(name, raw, MAX_SHORT)) or None
    if name == "change":
        text = check_text(name, raw, 20)
        if text and text not in CHANGES:
            raise ValidationError(f"变化只能是 上升、下降、增长、减少 或留空（收到“{text}”）", name)
        return text or None
    if name == "comparison":
        text = check_text(name, raw, 20)
        if text and text not in COMPARISONS:
            raise ValidationError(f"比较只能是 同比、环比 或留空（收到“{text}”）", name)
        return text or None
    if name == "period":
        return _no_formula(name, check_text(name, raw, MAX_SHORT)) or None
    if name == "agency":
        return _no_formula(name, check_text(name, raw, MAX_AGENCY)) or None
    if name == "approximate":
        return parse_bool(name, raw)
    if name == "article":
        return check_text(name, raw, MAX_ARTICLE_KEY, required=True)
    if name == "sentence":
        return _no_formula(name, check_text(name, raw, MAX_SENTENCE))
    raise AssertionError(name)  # pragma: no cover


def canonical_field(name: str) -> str:
    key = unicodedata.normalize("NFKC", name).strip().lower()
    canonical = FIELD_ALIASES.get(key)
    if canonical is None:
        known = "、".join(f"{FIELD_LABELS[c]}/{c}" for c in EDITABLE_FIELDS)
        raise ValidationError(f"未知字段“{name.strip()[:30]}”；可用字段：{known}", None)
    return canonical


def normalize_changes(changes: Mapping[str, str]) -> dict[str, str]:
    """Map aliases to canonical names and validate every value; raises on the first problem."""
    out: dict[str, str] = {}
    for name, raw in changes.items():
        canon = canonical_field(name)
        if canon in out:
            raise ValidationError(f"字段“{_label(canon)}”重复出现", canon)
        validate_value(canon, raw)
        out[canon] = raw
    if not out:
        raise ValidationError("没有要修改的字段（格式：字段=值，例如 数值=42 单位=名）")
    return out


def parse_changes(text: str) -> dict[str, str]:
    """Parse ``字段=值 字段=值 …`` into canonical field → raw value, validating every value.

    Pairs are separated by whitespace; quote a value that contains spaces (``主题="a b"``), or just
    keep typing — a word without ``=`` continues the previous value. ``＝`` and ``：`` work like
    ``=``. ``变化=`` (empty) clears an optional field.
    """
    try:
        tokens = shlex.split(text.replace("＝", "=").replace("“", '"').replace("”", '"'))
    except ValueError as exc:
        raise ValidationError(f"无法解析修改内容：引号不成对（{exc}）") from exc
    pairs: list[list[str]] = []
    for token in tokens:
        m = re.match(r"^([^=：:]+?)\s*[=：:](.*)$", token, re.S)
        if m and (m.group(1).strip().lower() in FIELD_ALIASES or not pairs):
            pairs.append([m.group(1), m.group(2)])
        elif pairs:
            pairs[-1][1] = f"{pairs[-1][1]} {token}" if pairs[-1][1] else token
        else:
            raise ValidationError(f"无法解析“{token[:30]}”：应写成 字段=值，例如 数值=42")
    mapping: dict[str, str] = {}
    for name, raw in pairs:
        canon = canonical_field(name)
        if canon in mapping:
            raise ValidationError(f"字段“{_label(canon)}”重复出现", canon)
        mapping[canon] = raw
    return normalize_changes(mapping)


# --------------------------------------------------------------------------- values returned


@dataclass(frozen=True)
class CuratedFact:
    """A fact as moderators see it (includes status and version, unlike the engine's FactView)."""

    id: int
    article_key: str
    article_title: str | None
    subject: str
    value: float
    value_text: str
    unit: str
    approximate: bool
    change: str | None
    comparison: str | None
    period: str | None
    agency: str | None
    kind: str
    sentence: str
    origin: str
    status: str
    curated: bool
    version: int

    def brief(self) -> str:
        parts = [f"主题={self.subject}", f"数值={_fmt(self.value)}", f"单位={self.unit}"]
        parts.append(f"原文数值={self.value_text}")
        for name in ("change", "comparison", "period", "agency"):
            value = getattr(self, name)
            if value:
                parts.append(f"{_label(name)}={value}")
        if self.status != "active":
            parts.append("状态=已停用")
        return "；".join(parts)

    def lines(self) -> list[str]:
        """Plain-text (no markup) description, for CLI and chat alike."""
        status = "有效" if self.status == "active" else "已停用"
        origin = "管理员添加" if self.origin == "moderator" else "自动抽取"
        out = [
            f"#{self.id}  版本 {self.version}  {status}  {origin}{'（已人工修订）' if self.curated else ''}",
            f"文章：{self.article_key}"
            + (f"  {self.article_title}" if self.article_title else "（文章已不存在）"),
            f"主题：{self.subject}",
            f"数值：{_fmt(self.value)}（原文 {self.value_text}）{'  约数' if self.approximate else ''}",
            f"单位：{self.unit}  类型：{self.kind}",
        ]
        for name in ("change", "comparison", "period", "agency"):
            value = getattr(self, name)
            if value:
                out.append(f"{_label(name)}：{value}")
        if self.sentence:
            out.append(f"原句：{self.sentence}")
        return out


@dataclass(frozen=True)
class FieldChange:
    field: str  # column name
    old: str | None
    new: str | None


@dataclass(frozen=True)
class CurationResult:
    fact: CuratedFact
    batch: str | None  # None when nothing changed
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class RevisionView:
    id: int
    fact_id: int
    batch: str
    actor: str
    at: datetime
    field: str
    old: str | None
    new: str | None
    reason: str


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        head = "试运行（未保存）：" if self.dry_run else "导入完成："
        return [f"{head}新增 {len(self.added)} 条，修改 {len(self.updated)} 条，未变化 {self.unchanged} 条。"]


# Columns exported and re-importable; the first 18 are exactly ``python -m knowledge export``'s.
EXPORT_FIELDS = (
    "id",
    "article_key",
    "article_title",
    "subject",
    "value",
    "value_text",
    "unit",
    "approximate",
    "change",
    "comparison",
    "period",
    "agency",
    "kind",
    "sentence",
    "origin",
    "status",
    "curated",
    "version",
)
READ_ONLY_COLUMNS = frozenset({"article_title", "kind", "origin", "curated"})
# The CSV header in Chinese (``facts export --header zh``); an import reads either language.
COLUMN_LABELS_ZH: dict[str, str] = {
    "id": "编号",
    "article_key": "文章",
    "article_title": "文章标题",
    "subject": "主题",
    "value": "数值",
    "value_text": "原文数值",
    "unit": "单位",
    "approximate": "约数",
    "change": "变化",
    "comparison": "比较",
    "period": "时期",
    "agency": "单位机构",
    "kind": "类型",
    "sentence": "原句",
    "origin": "数据来源",
    "status": "状态",
    "curated": "人工修订",
    "version": "版本",
}
_COLUMN_OF_LABEL = {zh: en for en, zh in COLUMN_LABELS_ZH.items()}
HEADERS = ("en", "zh")


def column_name(header: str) -> str:
    """A CSV header cell, English or Chinese, as its English column name (other names unchanged)."""
    key = unicodedata.normalize("NFKC", header).strip()
    return _COLUMN_OF_LABEL.get(key, key.lower() if key.isascii() else key)


# Columns a revision may touch, with how to read their stored string back.
_COLUMN_TYPES: dict[str, type] = {
    "article_key": str,
    "subject": str,
    "value": float,
    "value_text": str,
    "unit": str,
    "approximate": bool,
    "change": str,
    "comparison": str,
    "period": str,
    "agency": str,
    "kind": str,
    "sentence": str,
    "status": str,
}


def _fmt(value: float) -> str:
    if not math.isfinite(value):  # only a row saved before figures were checked
        return repr(value)
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _load(column: str, text: str | None) -> Any:
    if text is None:
        return None
    kind = _COLUMN_TYPES[column]
    if kind is bool:
        return text == "true"
    if kind is float:
        return float(text)
    return text


def _view(fact: Fact, title: str | None) -> CuratedFact:
    return CuratedFact(
        id=fact.id,
        article_key=fact.article_key,
        article_title=title,
        subject=fact.subject,
        value=fact.value,
        value_text=fact.value_text,
        unit=fact.unit,
        approximate=fact.approximate,
        change=fact.change,
        comparison=fact.comparison,
        period=fact.period,
        agency=fact.agency,
        kind=fact.kind,
        sentence=fact.sentence,
        origin=fact.origin,
        status=fact.status,
        curated=fact.curated,
        version=fact.version,
    )


# --------------------------------------------------------------------------- the service


class Curator:
    """Curation service over a sessionmaker; stateless, safe to share between handlers."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    # ----- reads

    def list_facts(
        self,
        query: str | None = None,
        article: str | int | None = None,
        status: str = "active",
        limit: int | None = None,
    ) -> list[CuratedFact]:
        """Facts ordered by id. ``status``: active | retired | all; ``query`` matches text fields."""
        if status not in ("active", "retired", "all"):
            raise ValidationError(f"状态只能是 active、retired 或 all（收到“{status}”）", "status")
        with self.factory() as session:
            stmt = select(Fact).order_by(Fact.id)
            if status != "all":
                stmt = stmt.where(Fact.status == status)
            if article is not None and str(article).strip():
                stmt = stmt.where(Fact.article_key == self._article_key(session, str(article)))
            if query and query.strip():
                # % and _ typed by a moderator are characters to find, not LIKE wildcards
                escaped = re.sub(r"([\\%_])", r"\\\1", query.strip())
                like = f"%{escaped}%"
                columns = (Fact.subject, Fact.value_text, Fact.period, Fact.agency, Fact.sentence)
                stmt = stmt.where(or_(*(column.ilike(like, escape="\\") for column in columns)))
            if limit:
                stmt = stmt.limit(limit)
            facts = list(session.scalars(stmt))
            titles = self._titles(session, {f.article_key for f in facts})
            return [_view(f, titles.get(f.article_key)) for f in facts]

    def show(self, fact_id: int) -> CuratedFact:
        with self.factory() as session:
            return self._current(session, fact_id)

    def history(self, fact_id: int) -> list[RevisionView]:
        """Every revision of the fact, oldest first (a batch = one edit)."""
        with self.factory() as session:
            fact_id = self._get(session, fact_id).id
            rows = session.scalars(
                select(FactRevision).where(FactRevision.fact_id == fact_id).order_by(FactRevision.id)
            )
            return [
                RevisionView(r.id, r.fact_id, r.batch, r.actor, r.at, r.field, r.old, r.new, r.reason)
                for r in rows
            ]

    # ----- writes

    def add(
        self,
        actor: str,
        article: str | int,
        subject: str,
        value: str,
        unit: str,
        change: str | None = None,
        comparison: str | None = None,
        period: str | None = None,
        agency: str | None = None,
        value_text: str | None = None,
        reason: str = "",
        *,
        approximate: str | None = None,
        sentence: str | None = None,
    ) -> CuratedFact:
        """Add a moderator fact (origin=moderator, no fingerprint) to an existing article."""
        raw = {"article": str(article), "subject": subject, "value": str(value), "unit": unit}
        optional = {
            "change": change,
            "comparison": comparison,
            "period": period,
            "agency": agency,
            "value_text": value_text,
            "approximate": approximate,
            "sentence": sentence,
        }
        raw.update({k: v for k, v in optional.items() if v is not None})
        actor, reason = self._actor_reason(actor, reason)
        changes = normalize_changes(raw)
        with self.factory() as session, session.begin():
            fact = Fact(origin="moderator", fingerprint=None, status="active", curated=True, sentence="")
            fact.subject = ""
            fact.value = 0.0
            fact.value_text = ""
            fact.unit = ""
            fact.kind = "count"
            fact.approximate = False
            fact.article_key = ""
            self._apply(session, fact, changes, creating=True)
            self._reject_duplicate(session, fact)
            session.add(fact)
            session.flush()
            self._record(session, fact, actor, reason, self._creation_diff(fact))
            self._bump(session)
            view = _view(fact, self._titles(session, {fact.article_key}).get(fact.article_key))
        return view

    def edit(
        self,
        actor: str,
        fact_id: int,
        changes: Mapping[str, str],
        expected_version: int | None,
        reason: str,
    ) -> CurationResult:
        """Apply ``changes`` (field → raw value, aliases allowed) as one revision batch."""
        actor, reason = self._actor_reason(actor, reason)
        clean = normalize_changes(changes)
        return self._mutate(fact_id, expected_version, lambda s, f: self._apply(s, f, clean), actor, reason)

    def check_edit(self, fact_id: int, changes: Mapping[str, str]) -> None:
        """Raise what :meth:`edit` would raise for ``changes`` on the fact as it is now, writing
        nothing: a preview is only offered for a change its ✅ can save (the scaled figure, the
        derived text and the article depend on the fact's current values)."""
        clean = normalize_changes(changes)
        with self.factory() as session, session.no_autoflush:
            try:
                self._apply(session, self._get(session, fact_id), clean)
            finally:
                session.rollback()

    def retire(self, actor: str, fact_id: int, expected_version: int | None, reason: str) -> CurationResult:
        """Hide a fact from answers (status=retired); reversible with :meth:`restore`."""
        return self._set_status(actor, fact_id, expected_version, reason, "retired")

    def restore(self, actor: str, fact_id: int, expected_version: int | None, reason: str) -> CurationResult:
        return self._set_status(actor, fact_id, expected_version, reason, "active")

    def undo(
        self, actor: str, fact_id: int, reason: str = "撤销上一次修改", expected_version: int | None = None
    ) -> CurationResult:
        """Step one edit back: each undo reverts the newest edit not yet undone (see :func:`undo_target`).

        The undo is itself a revision batch, recorded as undoing that edit, so the next undo goes
        one edit further back; with none left it says so and changes nothing.
        """
        actor, reason = self._actor_reason(actor, reason)

        def revert(session: Session, fact: Fact) -> str:
            revisions = session.scalars(
                select(FactRevision).where(FactRevision.fact_id == fact.id).order_by(FactRevision.id)
            ).all()
            target = undo_target(revisions)
            if target is None:
                raise CurationError(f"数据 #{fact.id} 没有可撤销的修改了（已回到最初的状态）")
            if is_creation(target):
                fact.status = "retired"  # undoing a creation retires the fact; ids are never reused
            else:
                for r in target:
                    if r.field in _COLUMN_TYPES:
                        setattr(fact, r.field, _load(r.field, r.old))
            return undo_batch_id(target[0].batch)

        return self._mutate(fact_id, expected_version, revert, actor, reason)

    # ----- export / import

    def export_rows(self, include_retired: bool = True) -> list[dict[str, Any]]:
        """Typed rows (JSON-ready) in :data:`EXPORT_FIELDS` order."""
        facts = self.list_facts(status="all" if include_retired else "active")
        return [{name: getattr(f, name) for name in EXPORT_FIELDS} for f in facts]

    def export_csv(self, include_retired: bool = True, header: str = "en") -> str:
        """CSV text, its header in English (the JSON keys) or Chinese (``header="zh"``); write it as
        ``utf-8-sig`` so Excel detects UTF-8."""
        names = {c: COLUMN_LABELS_ZH[c] if header == "zh" else c for c in EXPORT_FIELDS}
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(names.values()), lineterminator="\r\n")
        writer.writeheader()
        for row in self.export_rows(include_retired):
            writer.writerow({names[k]: sheet_safe(v) if isinstance(v, str) else _cell(v) for k, v in row.items()})
        return buf.getvalue()

    def export_json(self, include_retired: bool = True) -> str:
        return json.dumps(self.export_rows(include_retired), ensure_ascii=False, indent=2) + "\n"

    def import_rows(
        self,
        actor: str,
        rows: Iterable[tuple[int, Mapping[str, Any]]],
        reason: str,
        *,
        dry_run: bool = False,
    ) -> ImportReport:
        """All-or-nothing import of ``(line, row)`` pairs: rows with ``id`` update, others add.

        Every row is validated before anything is written; all errors are reported together.
        A non-empty ``version`` cell must equal the fact's current version.
        """
        actor, reason = self._actor_reason(actor, reason)
        report = ImportReport(dry_run=dry_run)
        errors: list[RowError] = []
        session = self.factory()
        try:
            session.begin()
            seen_ids: dict[int, int] = {}
            plans: list[tuple[int, Fact | None, dict[str, str]]] = []
            for line, row in rows:
                try:
                    plans.append(self._plan_row(session, line, row, seen_ids))
                except ImportRowsError as exc:
                    errors.extend(exc.errors)
            if errors:
                raise ImportRowsError(errors)
            # Nothing is written until every row is applied, then all at once: the write lock
            # (SQLite has one writer) is held for one flush, not for the whole import.
            added: list[Fact] = []
            with session.no_autoflush:
                for line, fact, changes in plans:
                    try:
                        if fact is None:
                            new = Fact(origin="moderator", fingerprint=None, status="active", curated=True)
                            new.sentence = ""
                            new.approximate = False
                            new.kind = "count"
                            status = changes.pop("status", "active")
                            self._apply(session, new, changes, creating=True)
                            new.status = status
                            session.add(new)
                            added.append(new)
                            continue
                        before = self._snapshot(fact)
                        status = changes.pop("status", None)
                        if changes:
                            self._apply(session, fact, changes)
                        if status is not None:
                            fact.status = status
                        diff = self._diff(before, fact)
                        if not diff:
                            report.unchanged += 1
                            continue
                        fact.curated = True
                        self._record(session, fact, actor, reason, diff)
                        report.updated.append(fact.id)
                    except ValidationError as exc:
                        errors.append(RowError(line, exc.field, str(exc)))
            if errors:
                raise ImportRowsError(errors)
            session.flush()
            for new in added:
                self._record(session, new, actor, reason, self._creation_diff(new))
                report.added.append(new.id)
            if report.added or report.updated:
                self._bump(session)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except StaleDataError:
            session.rollback()
            raise CurationError("导入期间数据被其他人修改，未做任何修改，请重新导出后再试。") from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        return report

    # ----- internals

    def _plan_row(
        self, session: Session, line: int, row: Mapping[str, Any], seen_ids: dict[int, int]
    ) -> tuple[int, Fact | None, dict[str, str]]:
        errors: list[RowError] = []
        cells: dict[str, str] = {}
        fact_id: int | None = None
        version: int | None = None
        for name, value in row.items():
            if name is None:
                errors.append(RowError(line, None, "该行的列数多于表头"))
                continue
            key = column_name(str(name))
            if isinstance(value, (list, dict)):  # JSON: str() would store "['列表']" as the text
                field_name = FIELD_ALIASES.get(unicodedata.normalize("NFKC", key).lower(), key)
                errors.append(RowError(line, field_name, "应为文字或数字，不能是列表或对象"))
                continue
            cell = _from_sheet(_cell(value))
            if key == "id":
                if cell.strip():
                    if not re.fullmatch(r"\d+", cell.strip()):
                        errors.append(RowError(line, "id", f"编号“{cell.strip()[:20]}”不是数字"))
                    else:
                        fact_id = int(cell.strip())
                continue
            if key == "version":
                if cell.strip():
                    if not re.fullmatch(r"\d+", cell.strip()):
                        errors.append(RowError(line, "version", f"版本“{cell.strip()[:20]}”不是数字"))
                    else:
                        version = int(cell.strip())
                continue
            if key == "status":
                if not cell.strip():
                    continue  # blank = leave as is (new rows start active)
                status = STATUSES.get(cell.strip())
                if status is None:
                    errors.append(
                        RowError(line, "status", f"状态只能是 active 或 retired（收到“{cell[:20]}”）")
                    )
                else:
                    cells["status"] = status
                continue
            if key in READ_ONLY_COLUMNS:
                continue
            try:
                canon = canonical_field(key)
            except ValidationError as exc:
                errors.append(RowError(line, None, str(exc)))
                continue
            if canon == "approximate" and not cell.strip():
                continue  # blank = leave as is / derive from the value
            cells[canon] = cell
        fact: Fact | None = None
        if fact_id is not None:
            if fact_id in seen_ids:
                errors.append(RowError(line, "id", f"编号 #{fact_id} 与第 {seen_ids[fact_id]} 行重复"))
            seen_ids[fact_id] = line
            fact = session.get(Fact, fact_id) if 0 < fact_id <= MAX_ID else None
            if fact is None:
                errors.append(RowError(line, "id", f"找不到编号为 #{str(fact_id)[:20]} 的数据"))
            elif version is not None and version != fact.version:
                errors.append(
                    RowError(
                        line,
                        "version",
                        f"数据 #{fact_id} 已被修改（文件中版本 {version}，当前版本 {fact.version}）",
                    )
                )
            else:
                current = _export_cells(fact)
                cells = {k: v for k, v in cells.items() if current.get(k) != v}
        else:
            cells = {k: v for k, v in cells.items() if v.strip()}  # blank cells of a new row: not given
            for needed in ("article", "subject", "value", "unit"):
                if not cells.get(needed, "").strip():
                    errors.append(RowError(line, needed, f"新增数据必须填写{_label(needed)}"))
        status = cells.pop("status", None)
        for name, raw in cells.items():
            try:
                validate_value(name, raw)
                if name == "article":
                    self._article_key(session, raw)
            except CurationError as exc:
                errors.append(RowError(line, getattr(exc, "field", name) or name, str(exc)))
        if errors:
            raise ImportRowsError(errors)
        if status is not None:
            cells["status"] = status
        return line, fact, cells

    def _actor_reason(self, actor: str, reason: str) -> tuple[str, str]:
        actor = check_text("actor", actor or "", MAX_SHORT, required=True)
        text = (reason or "").strip()
        if len(text) > MAX_REASON:
            raise ValidationError(f"原因过长（{len(text)} 字，最多 {MAX_REASON} 字）", "reason")
        reason = check_text("reason", text, MAX_REASON, required=True, multiline=True)
        return actor, reason

    def _get(self, session: Session, fact_id: int) -> Fact:
        if isinstance(fact_id, bool) or not isinstance(fact_id, int):
            try:
                fact_id = int(str(fact_id).strip().lstrip("#"))
            except ValueError:
                raise NotFoundError(f"数据编号“{fact_id}”不是数字") from None
        fact = session.get(Fact, fact_id, populate_existing=True) if 0 < fact_id <= MAX_ID else None
        if fact is None:
            raise NotFoundError(f"找不到编号为 #{str(fact_id)[:20]} 的数据")
        return fact

    def _current(self, session: Session, fact_id: int) -> CuratedFact:
        fact = self._get(session, fact_id)
        return _view(fact, self._titles(session, {fact.article_key}).get(fact.article_key))

    def _titles(self, session: Session, keys: set[str]) -> dict[str, str]:
        if not keys:
            return {}
        return dict(session.execute(select(Article.key, Article.title).where(Article.key.in_(keys))).all())

    def _article_key(self, session: Session, ref: str) -> str:
        """Resolve an article key or numeric id to the key, or raise NotFoundError."""
        ref = ref.strip()
        if re.fullmatch(r"\d+", ref):
            key = session.scalar(select(Article.key).where(Article.id == int(ref)))
        else:
            key = session.scalar(select(Article.key).where(Article.key == ref))
        if key is None:
            raise ValidationError(
                f"找不到文章“{ref[:60]}”（可用 python -m knowledge articles 查看）", "article"
            )
        return key

    def _reject_duplicate(self, session: Session, fact: Fact) -> None:
        dup = session.scalar(
            select(Fact.id).where(
                Fact.article_key == fact.article_key,
                Fact.subject == fact.subject,
                Fact.value == fact.value,
                Fact.unit == fact.unit,
                Fact.status == "active",
            )
        )
        if dup is not None:
            raise ValidationError(f"该文章已有相同的数据 #{dup}，无需重复添加", "subject")

    def _apply(
        self, session: Session, fact: Fact, changes: Mapping[str, str], *, creating: bool = False
    ) -> None:
        """Write validated changes onto ``fact``; derived columns (kind, value_text) follow value/unit."""
        typed = {name: validate_value(name, raw) for name, raw in changes.items()}
        if "article" in typed:
            fact.article_key = self._article_key(session, typed["article"])
        for name in ("subject", "change", "comparison", "period", "agency"):
            if name in typed:
                setattr(fact, name, typed[name])
        if "sentence" in typed:
            fact.sentence = typed["sentence"] or ""
        number: ParsedNumber | None = typed.get("value")
        spec: UnitSpec | None = typed.get("unit")
        text_given = "value_text" in typed
        explicit_text: str | None = typed.get("value_text")
        if number is not None or spec is not None:
            if spec is None:
                spec = ALLOWED_UNITS.get(fact.unit) or UnitSpec(fact.unit, fact.unit, fact.kind)
            if number is None:
                # Unit-only change: the figure stays, read in the new unit (3 元 → 单位=万元 → 3万元).
                number = ParsedNumber(fact.value, fact.approximate, _fmt(fact.value))
            # The figure was restated, so the shown text follows it unless given explicitly.
            fact.value, fact.value_text = scaled_figure(number, spec, explicit_text)
            fact.unit = spec.stored
            fact.kind = spec.kind
            fact.approximate = number.approximate
        elif text_given:
            fact.value_text = explicit_text or f"{_fmt(fact.value)}{fact.unit}"
        if "approximate" in typed:
            fact.approximate = typed["approximate"]

    @staticmethod
    def _snapshot(fact: Fact) -> dict[str, Any]:
        return {col: getattr(fact, col) for col in _COLUMN_TYPES}

    def _diff(self, before: Mapping[str, Any], fact: Fact) -> list[FieldChange]:
        out = []
        for col in _COLUMN_TYPES:
            old, new = before[col], getattr(fact, col)
            if old != new:
                out.append(FieldChange(col, _dump(old), _dump(new)))
        return out

    def _creation_diff(self, fact: Fact) -> list[FieldChange]:
        return [
            FieldChange(col, None, _dump(getattr(fact, col)))
            for col in _COLUMN_TYPES
            if getattr(fact, col) not in (None, "")
        ]

    def _record(
        self,
        session: Session,
        fact: Fact,
        actor: str,
        reason: str,
        diff: list[FieldChange],
        batch: str | None = None,
    ) -> str:
        batch = batch or str(uuid.uuid4())
        for change in diff:
            session.add(
                FactRevision(
                    fact_id=fact.id,
                    batch=batch,
                    actor=actor,
                    field=change.field,
                    old=change.old,
                    new=change.new,
                    reason=reason,
                )
            )
        return batch

    def _bump(self, session: Session) -> None:
        bump_revision(session)

    def _set_status(
        self, actor: str, fact_id: int, expected_version: int | None, reason: str, status: str
    ) -> CurationResult:
        actor, reason = self._actor_reason(actor, reason)

        def change(session: Session, fact: Fact) -> None:
            if fact.status == status:
                word = "已停用" if status == "retired" else "本来就是有效的"
                raise CurationError(f"数据 #{fact.id} {word}，无需操作")
            fact.status = status

        return self._mutate(fact_id, expected_version, change, actor, reason)

    def _mutate(
        self, fact_id: int, expected_version: int | None, mutate, actor: str, reason: str
    ) -> CurationResult:  # type: ignore[no-untyped-def]
        """Load, version-check, mutate, record, bump, commit — or raise with nothing written."""
        with self.factory() as session:
            try:
                with session.begin():
                    fact = self._get(session, fact_id)
                    if expected_version is not None and fact.version != expected_version:
                        raise StaleEditError(self._current(session, fact.id), expected_version)
                    before = self._snapshot(fact)
                    batch_id = mutate(session, fact)  # an undo names its batch after the edit it undoes
                    diff = self._diff(before, fact)
                    if not diff:
                        return CurationResult(self._current(session, fact.id), None, ())
                    fact.curated = True
                    session.flush()
                    batch = self._record(session, fact, actor, reason, diff, batch_id)
                    self._bump(session)
                    view = self._current(session, fact.id)
            except StaleDataError:
                pass  # a concurrent commit bumped the version between our read and write
            else:
                return CurationResult(view, batch, tuple(diff))
        with self.factory() as session:
            raise StaleEditError(self._current(session, fact_id), expected_version)


UNDO_BATCH = "undo:"  # an undo's batch id: this prefix + the start of the undone batch's id (36 chars in all)


def undo_batch_id(undone: str) -> str:
    return (UNDO_BATCH + undone)[:36]


def is_creation(batch: Sequence[Any]) -> bool:
    return any(r.field == "status" and r.old is None for r in batch)


def undo_target(revisions: Sequence[Any]) -> list[Any] | None:
    """The batch (revisions oldest first) the next undo reverts, or None when nothing is left.

    History is a stack: walking back from the newest batch, an undo batch cancels the batch it
    names, and the first batch neither an undo nor undone is the target.
    """
    batches: dict[str, list[Any]] = {}
    for r in revisions:
        batches.setdefault(r.batch, []).append(r)
    undone: set[str] = set()
    for batch_id, rows in reversed(batches.items()):
        if batch_id.startswith(UNDO_BATCH):
            undone.add(batch_id[len(UNDO_BATCH) :])
        elif not any(batch_id.startswith(u) for u in undone):
            return rows
    return None


def _cell(value: Any) -> str:
    """A value as a CSV cell / comparable string (JSON imports pass typed values)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _export_cells(fact: Fact) -> dict[str, str]:
    """The fact as import cells, to drop unchanged cells before validating a row."""
    return {
        "article": fact.article_key,
        "subject": fact.subject,
        "value": _cell(fact.value),
        "value_text": fact.value_text,
        "unit": fact.unit,
        "approximate": _cell(fact.approximate),
        "change": _cell(fact.change),
        "comparison": _cell(fact.comparison),
        "period": _cell(fact.period),
        "agency": _cell(fact.agency),
        "sentence": fact.sentence,
        "status": fact.status,
    }


def read_import(data: bytes | str, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """Parse an import file into ``(line, row)``: CSV (header row, UTF-8 with or without BOM) or JSON list."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CurationError(
                f"文件不是 UTF-8 编码（第 {exc.start} 字节）；请在 Excel 中另存为“CSV UTF-8”"
            ) from exc
    else:
        text = data.removeprefix("\ufeff")
    if fmt == "json":
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CurationError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}") from exc
        except RecursionError:
            raise CurationError("JSON 嵌套层数过多，不是数据导出的格式（应为对象列表）") from None
        if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
            raise CurationError("JSON 文件应为对象列表（与 facts export --format json 的输出相同）")
        return [(i, r) for i, r in enumerate(payload, start=1)]
    if fmt != "csv":
        raise CurationError(f"不支持的格式“{fmt}”（可用 csv、json）")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise CurationError("CSV 文件为空或缺少表头")
    rows = []
    start = 2
    try:
        for row in reader:
            rows.append((start, dict(row)))
            start = reader.line_num + 1
    except csv.Error as exc:  # a cell over csv's field limit (131,072 characters), a stray NUL …
        raise CurationError(
            f"CSV 第 {start} 行无法读取：单元格超过 {csv.field_size_limit()} 字或格式有误，未做任何修改"
        ) from exc
    return rows
