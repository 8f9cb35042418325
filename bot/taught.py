"""What moderators taught the engine at run time: question links and synonyms (``knowledge.teach``).

The engine asks :meth:`TaughtKeeper.current` with its view's revision on every message. A link
or synonym change bumps the knowledge revision like a fact edit, so it reaches every worker the
way edits do (PostgreSQL NOTIFY, ``bot.notify``; on SQLite the per-message revision read); only
then are the two small tables read again. In between a message costs a dict lookup.

Synonyms rewrite the message before it is parsed: each word a moderator taught becomes the word
the reports use (chains ``a = b``, ``b = c`` read ``a`` as ``c``; cycles are refused when added).
One regular expression matches every taught word and every target, longest first, so a target
already in the message (``电信诈骗`` when ``诈骗 = 电信诈骗``) is left as it is.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import QuestionLink, Synonym
from knowledge.phrases import question_key

if TYPE_CHECKING:
    from bot.answer import Answer
    from bot.engine import Engine
    from bot.view import Loaded

__all__ = ["Taught", "TaughtKeeper"]


@dataclass(frozen=True)
class _Link:
    id: int
    target: str  # fact | article
    fact_id: int | None
    article_key: str | None


@dataclass
class Taught:
    """One revision's links and synonyms."""

    revision: str
    links: dict[str, _Link] = field(default_factory=dict)
    synonyms: dict[str, str] = field(default_factory=dict)  # word → final target
    _pattern: re.Pattern[str] | None = None

    @classmethod
    def load(cls, session: Session, revision: str) -> Taught:
        links = {
            key: _Link(i, target, fact_id, article_key)
            for key, i, target, fact_id, article_key in session.execute(
                select(
                    QuestionLink.key,
                    QuestionLink.id,
                    QuestionLink.target,
                    QuestionLink.fact_id,
                    QuestionLink.article_key,
                ).where(QuestionLink.active.is_(True))
            )
        }
        edges = dict(
            session.execute(select(Synonym.word, Synonym.target).where(Synonym.active.is_(True))).all()
        )
        synonyms = {word: _resolve(word, edges) for word in edges}
        words = sorted(set(synonyms) | set(synonyms.values()), key=lambda w: (-len(w), w))
        pattern = re.compile("|".join(map(re.escape, words))) if words else None
        return cls(revision, links, synonyms, pattern)

    def rewrite(self, text: str) -> str:
        """The message with every taught word replaced by the word the reports use."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.synonyms.get(m.group(0), m.group(0)), text)

    def answer(self, engine: Engine, kb: Loaded, *messages: str) -> Answer | None:
        """The linked answer when a message reads like a linked question, else None."""
        for message in messages:
            link = self.links.get(question_key(message)) if self.links else None
            if link is not None:
                break
        else:
            return None
        if link.target == "fact":
            fact = kb.facts.get(link.fact_id) if link.fact_id is not None else None
            if fact is None or fact.article_id is None:
                return None  # retired or gone since: answer as if unlinked
            answer = engine.fact_of(kb, fact)
        else:
            article = next((a for a in kb.snapshot.articles if a.key == link.article_key), None)
            if article is None:
                return None
            answer = engine.summary_of(kb, article)
        answer.debug.append(f"link:{link.id}")
        return answer


def _resolve(word: str, edges: dict[str, str]) -> str:
    seen = {word}
    at = edges[word]
    while at in edges and at not in seen:
        seen.add(at)
        at = edges[at]
    return at


class TaughtKeeper:
    """The current :class:`Taught` for one database; thread-safe."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._taught = Taught("")

    def current(self, revision: str) -> Taught:
        taught = self._taught
        if taught.revision == revision:
            return taught
        with self._lock:
            if self._taught.revision != revision:
                with self._factory() as session:
                    self._taught = Taught.load(session, revision)
            return self._taught
