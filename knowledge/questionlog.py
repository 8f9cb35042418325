"""What the curators' loop learns from users: questions the bot could not answer, daily counts, 👍/👎.

Privacy by construction: no names, no chat ids. An unanswered question is kept as its
normalized text with a count, its first and last time and the chat's type; a vote as the
question, the answer's kind and ids, and a salted hash of the user and of the answer (one vote
per user per answer, changeable). The salt is random per knowledge base. Everything is deleted
``FACTBOT_LOG_DAYS`` (default 90) days after it was last touched.

Daily counts are kept in memory for a few seconds and added to the database in one statement
(:class:`DayCounts`): a question costs no write of its own unless it was left unanswered.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import AnswerVote, QuestionDay, QuestionLink, UnansweredQuestion
from knowledge.phrases import question_key
from knowledge.store import get_meta, set_meta

__all__ = [
    "DEFAULT_LOG_DAYS",
    "LOG_DAYS_ENV",
    "OUTCOMES",
    "DayStats",
    "FeedbackView",
    "QuestionLog",
    "UnansweredView",
    "log_days",
    "total",
]

LOG_DAYS_ENV = "FACTBOT_LOG_DAYS"
DEFAULT_LOG_DAYS = 90
SALT_KEY = "log_salt"
MAX_TEXT = 300
MAX_ANSWER = 600  # characters of the answer a vote remembers
FLUSH_S = 5.0  # daily counts are written at most this often per process
PURGE_S = 3600.0  # old entries are deleted at most this often per process
OUTCOMES = ("answered", "chose", "refused")


def log_days() -> int:
    """``FACTBOT_LOG_DAYS``: how long entries are kept (a bad value falls back to the default)."""
    raw = os.environ.get(LOG_DAYS_ENV, "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 3650 else DEFAULT_LOG_DAYS


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the zone


@dataclass(frozen=True)
class UnansweredView:
    text: str
    count: int
    first_at: datetime
    last_at: datetime
    chat_types: tuple[str, ...]
    outcome: str  # refused | chose (the latest)
    link_id: int | None  # linked since


@dataclass(frozen=True)
class FeedbackView:
    question: str
    kind: str
    ids: tuple[int, ...]
    answer: str
    vote: int
    at: datetime


@dataclass(frozen=True)
class DayStats:
    day: date
    answered: int
    chose: int
    refused: int
    up: int
    down: int

    @property
    def asked(self) -> int:
        return self.answered + self.chose + self.refused

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


def total(days: Sequence[DayStats]) -> DayStats:
    """The days added up (dated by the last)."""
    last = days[-1].day if days else datetime.now(UTC).date()
    sums = [sum(getattr(d, f) for d in days) for f in ("answered", "chose", "refused", "up", "down")]
    return DayStats(last, *sums)


def _upsert(session: Session, table: Any, values: dict[str, Any], keys: Sequence[str], set_: dict[str, Any]):
    """INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike (one statement, no race)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values)
    return session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=set_(stmt.excluded)))


class DayCounts:
    """Questions per day and outcome, added up in memory and written every :data:`FLUSH_S`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str]] = Counter()
        self._flushed = time.monotonic()

    def add(self, outcome: str, today: str) -> bool:
        """Count one; True when it is time to write."""
        with self._lock:
            self._pending[(today, outcome)] += 1
            return time.monotonic() - self._flushed >= FLUSH_S

    def take(self) -> Counter[tuple[str, str]]:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._flushed = time.monotonic()
            return pending

    def give_back(self, pending: Counter[tuple[str, str]]) -> None:
        with self._lock:
            self._pending.update(pending)


_counts: dict[str, DayCounts] = {}
_purged: dict[str, float] = {}
_salts: dict[str, str] = {}
_registry_lock = threading.Lock()


def _key_of(bind: Engine) -> str:
    return bind.url.render_as_string(hide_password=True)


class QuestionLog:
    """The log over a sessionmaker; cheap to make, its in-memory counts are per process and database."""

    def __init__(self, factory: sessionmaker[Session], days: int | None = None) -> None:
        self.factory = factory
        self.days = days or log_days()
        self._db = _key_of(factory.kw["bind"])
        with _registry_lock:
            self._counts = _counts.setdefault(self._db, DayCounts())

    # ----- writes (the bot, per question)

    def record(self, text: str, outcome: str, chat_type: str, now: datetime | None = None) -> None:
        """Count a question's outcome; remember it if it was refused or offered choices."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        now = now or datetime.now(UTC)
        text = text.strip()[:MAX_TEXT]
        key = question_key(text)[:MAX_TEXT]
        due = self._counts.add(outcome, now.date().isoformat())
        if outcome != "answered" and key:
            with self.factory() as session, session.begin():
                _upsert(
                    session,
                    UnansweredQuestion,
                    {
                        "key": key,
                        "text": text,
                        "chat_type": chat_type[:20],
                        "outcome": outcome,
                        "count": 1,
                        "first_at": now,
                        "last_at": now,
                    },  # fmt: skip
                    ("key", "chat_type"),
                    lambda new: {
                        "count": UnansweredQuestion.count + 1,
                        "last_at": new.last_at,
                        "outcome": new.outcome,
                    },
                )
        if due:
            self.flush()

    def flush(self) -> None:
        """Write this process's counts (and, hourly, delete what is older than the retention)."""
        pending = self._counts.take()
        try:
            if pending:
                with self.factory() as session, session.begin():
                    for (day, outcome), n in sorted(pending.items()):
                        zero = dict.fromkeys(OUTCOMES, 0)
                        _upsert(
                            session,
                            QuestionDay,
                            {"day": day, **zero, outcome: n},
                            ("day",),
                            lambda new, o=outcome: {o: getattr(QuestionDay, o) + getattr(new, o)},
                        )
        except Exception:
            self._counts.give_back(pending)  # tried again on the next flush
            raise
        if time.monotonic() - _purged.get(self._db, float("-inf")) >= PURGE_S:
            _purged[self._db] = time.monotonic()
            self.purge()

    def vote(
        self,
        user_id: int,
        answer_ref: str,
        vote: int,
        question: str,
        kind: str,
        ids: Sequence[int],
        answer: str,
    ) -> bool:
        """One vote per user and answer; a second vote replaces the first. True if it changed."""
        if vote not in (-1, 1):
            raise ValueError(vote)
        user, ref = self.pseudonym("user", user_id), self.pseudonym("answer", answer_ref)
        with self.factory() as session, session.begin():
            before = session.scalar(
                select(AnswerVote.vote).where(AnswerVote.answer_ref == ref, AnswerVote.user_ref == user)
            )
            _upsert(
                session,
                AnswerVote,
                {
                    "answer_ref": ref,
                    "user_ref": user,
                    "vote": vote,
                    "question": question.strip()[:MAX_TEXT],
                    "kind": kind[:20],
                    "ids": [int(i) for i in ids][:20],
                    "answer": answer[:MAX_ANSWER],
                    "at": datetime.now(UTC),
                },  # fmt: skip
                ("answer_ref", "user_ref"),
                lambda new: {"vote": new.vote, "at": new.at},
            )
        return before != vote

    def purge(self, now: datetime | None = None) -> int:
        """Delete entries older than the retention; how many went."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.days)
        with self.factory() as session, session.begin():
            n = session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.last_at < cutoff)
            ).rowcount
            n += session.execute(delete(AnswerVote).where(AnswerVote.at < cutoff)).rowcount
            n += session.execute(
                delete(QuestionDay).where(QuestionDay.day < cutoff.date().isoformat())
            ).rowcount
        return n or 0

    def pseudonym(self, kind: str, value: object) -> str:
        """A salted hash: the same user (or answer) always gives the same value, which names nobody."""
        salt = _salts.get(self._db)
        if salt is None:
            try:
                with self.factory() as session, session.begin():
                    salt = get_meta(session, SALT_KEY)
                    if salt is None:
                        salt = secrets.token_hex(16)
                        set_meta(session, SALT_KEY, salt)
            except IntegrityError:  # another worker's first vote made it just now: use that one
                with self.factory() as session:
                    salt = get_meta(session, SALT_KEY)
            assert salt is not None
            _salts[self._db] = salt
        return hashlib.sha256(f"{salt}:{kind}:{value}".encode()).hexdigest()

    # ----- reads (moderators)

    def unanswered(self, days: int | None = None, limit: int = 200) -> list[UnansweredView]:
        """Questions left unanswered, last asked within ``days``, most asked first."""
        since = datetime.now(UTC) - timedelta(days=days or self.days)
        with self.factory() as session:
            rows = session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.last_at >= since))
            merged: dict[str, list[UnansweredQuestion]] = {}
            for row in rows:
                merged.setdefault(row.key, []).append(row)
            links = dict(
                session.execute(
                    select(QuestionLink.key, QuestionLink.id).where(
                        QuestionLink.active.is_(True), QuestionLink.key.in_(list(merged))
                    )
                ).all()
            ) if merged else {}  # fmt: skip
        out = []
        for key, group in merged.items():
            latest = max(group, key=lambda r: _utc(r.last_at))
            out.append(
                UnansweredView(
                    text=latest.text,
                    count=sum(r.count for r in group),
                    first_at=min(_utc(r.first_at) for r in group),
                    last_at=_utc(latest.last_at),
                    chat_types=tuple(sorted({r.chat_type for r in group})),
                    outcome=latest.outcome,
                    link_id=links.get(key),
                )
            )
        out.sort(key=lambda v: (-v.count, -v.last_at.timestamp(), v.text))
        return out[:limit]

    def feedback(self, vote: int | None = -1, limit: int = 200) -> list[FeedbackView]:
        """Recent votes (👎 by default), newest first."""
        with self.factory() as session:
            stmt = select(AnswerVote).order_by(AnswerVote.at.desc(), AnswerVote.id.desc()).limit(limit)
            if vote is not None:
                stmt = stmt.where(AnswerVote.vote == vote)
            return [
                FeedbackView(r.question, r.kind, tuple(r.ids or ()), r.answer, r.vote, _utc(r.at))
                for r in session.scalars(stmt)
            ]

    def stats(self, days: int = 7, today: date | None = None) -> list[DayStats]:
        """One row per day, oldest first, ending today (UTC); this process's counts are written first."""
        self.flush()
        today = today or datetime.now(UTC).date()
        first = today - timedelta(days=days - 1)
        with self.factory() as session:
            counts = {
                r.day: r
                for r in session.scalars(select(QuestionDay).where(QuestionDay.day >= first.isoformat()))
            }
            since = datetime.combine(first, datetime.min.time(), UTC)
            votes = Counter(
                (_utc(at).date(), v)
                for at, v in session.execute(
                    select(AnswerVote.at, AnswerVote.vote).where(AnswerVote.at >= since)
                )
            )
        out = []
        for i in range(days):
            day = first + timedelta(days=i)
            row = counts.get(day.isoformat())
            out.append(
                DayStats(
                    day,
                    row.answered if row else 0,
                    row.chose if row else 0,
                    row.refused if row else 0,
                    votes[(day, 1)],
                    votes[(day, -1)],
                )
            )
        return out
