"""The engine's output: everything a transport needs to show an answer, nothing about how.

An :class:`Answer` carries its reply text and, beside it, the parts that text was made from
(the headline figure, the facts shown, the source, the quote, the "您是不是想问" choices), so a
transport lays them out or acts on them without re-reading the text. :class:`FollowUp` is what a
chat remembers of its last answer for the next message; it is stored as JSON per chat
(``bot.context``) and read back with :meth:`FollowUp.from_dict`, which takes whatever an older
version of the bot stored there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, get_args

__all__ = [
    "INTENTS",
    "PART_KINDS",
    "Alternatives",
    "Answer",
    "Asked",
    "Choice",
    "Citation",
    "Figure",
    "FollowUp",
    "Intent",
    "PartKind",
    "Quote",
]

Intent = Literal["fact", "summary", "excerpt", "list", "help", "none"]
INTENTS: tuple[str, ...] = ("fact", "summary", "excerpt", "list", "help", "none")
# What an id in the knowledge base names: a fact answers with its figure, an article with its
# summary, a sentence with its original wording.
PartKind = Literal["fact", "article", "sentence"]
PART_KINDS: tuple[str, ...] = get_args(PartKind)


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from: the article and, when there is one, the original sentence."""

    article_id: int
    article_key: str
    title: str
    source_file: str
    place: str | None = None
    agency: str | None = None
    sentence: str | None = None


@dataclass(frozen=True)
class Figure:
    """One statistic as the answer states it, field by field (a chart or a card needs no parsing)."""

    fact_id: int
    subject: str
    value: float
    value_text: str  # as printed, approximation kept: 170余起
    unit: str
    kind: str
    change: str | None = None
    comparison: str | None = None
    period: str | None = None
    agency: str | None = None
    place: str | None = None
    approximate: bool = False
    article_id: int | None = None


@dataclass(frozen=True)
class Quote:
    """The original sentence an answer quotes, and the words of it that answer (bold), if any."""

    sentence: str
    span: str | None = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ints(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(i for i in value if _int(i) is not None)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Choice:
    """A "您是不是想问" option: the question shown and what choosing it answers, by id, so the
    choice is answered directly (never asked again, which could offer the same choice again)."""

    question: str
    kind: PartKind
    ref: int

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "kind": self.kind, "ref": self.ref}

    @classmethod
    def from_dict(cls, data: Any) -> Choice | None:
        """The choice ``data`` stored, or None when it is not one (an older or damaged entry)."""
        if not isinstance(data, dict):
            return None
        question, kind, ref = _str(data.get("question")), data.get("kind"), _int(data.get("ref"))
        if question is None or kind not in PART_KINDS or ref is None:
            return None
        return cls(question, kind, ref)


@dataclass(frozen=True)
class Alternatives:
    """The ranked matches behind an answer, which "还有吗" walks through one by one."""

    kind: PartKind
    ids: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ids": list(self.ids)}

    @classmethod
    def from_dict(cls, data: Any) -> Alternatives | None:
        if not isinstance(data, dict) or data.get("kind") not in PART_KINDS:
            return None
        return cls(data["kind"], _ints(data.get("ids")))


@dataclass(frozen=True)
class Asked:
    """A recent question of the chat, so a 👍/👎 under its answer can still name it (``bot.feedback``)."""

    key: int  # the question's message id
    question: str  # normalized
    intent: str
    ids: tuple[int, ...]  # the answer's facts, else its cited article

    def to_list(self) -> list[Any]:
        return [self.key, self.question, self.intent, list(self.ids)]

    @classmethod
    def from_list(cls, entry: Any) -> Asked | None:
        if not isinstance(entry, list) or len(entry) != 4 or _int(entry[0]) is None:
            return None
        key, question, intent, ids = entry
        return cls(key, str(question), str(intent), _ints(ids))


@dataclass(frozen=True)
class FollowUp:
    """What a chat keeps of its last answer: what a follow-up (那荆门呢, 原文呢, 还有吗, a chosen
    option, a vote) needs. ``intent`` None: there was no question to follow up."""

    intent: str | None = None
    article_id: int | None = None
    # the question asked, when there was one: a follow-up on another place or topic rewrites it
    query: str | None = None
    terms: tuple[str, ...] = ()
    place: str | None = None
    change: str | None = None
    fact_ids: tuple[int, ...] = ()  # the answered figure (原文呢 quotes its sentence)
    sentence_id: int | None = None  # the answered sentence
    alternatives: Alternatives | None = None
    offset: int = 0  # which of the alternatives is shown
    suggestions: tuple[str, ...] = ()  # the questions offered under the answer (buttons ``q:<n>``)
    choices: tuple[Choice, ...] = ()  # the same, typed, when they were "您是不是想问" options
    asked: tuple[Asked, ...] = ()

    def inherit(self, previous: FollowUp) -> FollowUp:
        """This state, with what it leaves unset taken from ``previous``: a follow-up keeps the thread."""
        changes: dict[str, Any] = {}
        if self.query is None and previous.query is not None:
            changes.update(
                query=previous.query, terms=previous.terms, place=previous.place, change=previous.change
            )
        if not self.fact_ids:
            changes["fact_ids"] = previous.fact_ids
        if self.sentence_id is None:
            changes["sentence_id"] = previous.sentence_id
        if self.alternatives is None:
            changes.update(alternatives=previous.alternatives, offset=previous.offset)
        for name in ("suggestions", "choices", "asked"):
            if not getattr(self, name):
                changes[name] = getattr(previous, name)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON for the chat's row; unset fields are left out, as the dicts of earlier versions did."""
        data: dict[str, Any] = {}
        if self.intent is not None or self.article_id is not None:  # else no answer to follow up
            data.update(intent=self.intent, article_id=self.article_id)
        if self.query is not None:
            data.update(query=self.query, terms=list(self.terms), place=self.place, change=self.change)
        if self.fact_ids:
            data["fact_ids"] = list(self.fact_ids)
        if self.sentence_id is not None:
            data["sentence_id"] = self.sentence_id
        if self.alternatives is not None:
            data["alternatives"] = self.alternatives.to_dict()
            data["offset"] = self.offset
        if self.suggestions:
            data["suggestions"] = list(self.suggestions)
        if self.choices:
            data["choices"] = [c.to_dict() for c in self.choices]
        if self.asked:
            data["asked"] = [a.to_list() for a in self.asked]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> FollowUp:
        """The state ``data`` holds. Deployed databases keep what older versions stored: missing
        keys take their defaults, unknown keys and values of the wrong type are ignored."""
        if not isinstance(data, dict):
            return cls()
        terms = data.get("terms")
        offset = _int(data.get("offset"))
        return cls(
            intent=_str(data.get("intent")),
            article_id=_int(data.get("article_id")),
            query=_str(data.get("query")),
            terms=tuple(t for t in terms if isinstance(t, str)) if isinstance(terms, list) else (),
            place=_str(data.get("place")),
            change=_str(data.get("change")),
            fact_ids=_ints(data.get("fact_ids")),
            sentence_id=_int(data.get("sentence_id")),
            alternatives=Alternatives.from_dict(data.get("alternatives")),
            offset=offset if offset is not None and offset >= 0 else 0,
            suggestions=tuple(str(s) for s in _list(data.get("suggestions")) if isinstance(s, str | int)),
            choices=tuple(c for c in map(Choice.from_dict, _list(data.get("choices"))) if c is not None),
            asked=tuple(a for a in map(Asked.from_list, _list(data.get("asked"))) if a is not None),
        )


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


@dataclass
class Answer:
    intent: Intent
    reply: str
    confidence: float = 0.0
    citation: Citation | None = None
    fact_ids: list[int] = field(default_factory=list)
    # "您是不是想问" choices (low confidence) or natural next questions (high confidence)
    suggestions: list[str] = field(default_factory=list)
    # what a follow-up in the same chat may inherit (see bot.context)
    context: FollowUp = field(default_factory=FollowUp)
    # top candidates and scores, for diagnostics only
    debug: list[str] = field(default_factory=list)
    headline: Figure | None = None  # the figure the reply leads with
    facts: list[Figure] = field(default_factory=list)  # every figure the reply states, in its order
    quote: Quote | None = None
    # the suggestions as typed options, when they are "您是不是想问" choices (same order)
    choices: list[Choice] = field(default_factory=list)

    @property
    def article_id(self) -> int | None:
        return self.citation.article_id if self.citation else None

    @property
    def source(self) -> str | None:
        return self.citation.sentence if self.citation else None

    def remembered(self) -> FollowUp:
        """What the chat keeps of this answer: its follow-up state and the options offered under it."""
        return replace(self.context, suggestions=tuple(self.suggestions), choices=tuple(self.choices))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("debug")
        data["context"] = self.context.to_dict()
        data["article_id"] = self.article_id
        data["source"] = self.source
        return data
