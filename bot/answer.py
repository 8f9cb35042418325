"""The engine's output: everything a transport needs to show an answer, nothing about how."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Intent = Literal["fact", "summary", "excerpt", "list", "help", "none"]
INTENTS: tuple[str, ...] = ("fact", "summary", "excerpt", "list", "help", "none")


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
    context: dict[str, Any] = field(default_factory=dict)
    # top candidates and scores, for diagnostics only
    debug: list[str] = field(default_factory=list)

    @property
    def article_id(self) -> int | None:
        return self.citation.article_id if self.citation else None

    @property
    def source(self) -> str | None:
        return self.citation.sentence if self.citation else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("debug")
        data["article_id"] = self.article_id
        data["source"] = self.source
        return data
