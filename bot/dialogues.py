"""Moderators' unfinished work — the /addfact draft and pending ✅/❌ confirmations — in the database.

Several webhook workers answer one bot, and a load balancer sends each update to any of them, so
a dialogue kept in one process's memory is lost when the next step lands elsewhere. Here every
step is read from and written to the ``moderator_dialogues`` table, so any worker continues it:

    /addfact ──► start_draft ──► row (user, "addfact"): step + answers, version, updated_at
    a step   ──► draft ──► save_draft(version seen)  ── another worker saved first? → None, re-read
    preview  ──► remember / save_draft(pending)  ──► row (user, token): what ✅ applies
    ✅ / ❌   ──► take(token): DELETE … RETURNING — of two presses on two workers only one gets it

Transport-free (no Telegram here): ``bot.moderation`` translates. Rows hold plain JSON written
from the dataclasses below and are validated on the way back; a row this code cannot read (hand
edited, or written by another version) comes back as :class:`Unreadable`, never as a crash.
Times are the workers' UTC clocks, like ``bot.context``.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, delete, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import ModeratorDialogue

__all__ = [
    "DRAFT_TTL",
    "KINDS",
    "MAX_PENDING",
    "PENDING_TTL",
    "STEPS",
    "DialogueStore",
    "Draft",
    "Pending",
    "StoredDraft",
    "Unreadable",
    "new_token",
]

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the JSON shape changes: older rows then read as Unreadable, not misread
DRAFT_SLOT = "addfact"  # a confirmation token never equals it (token_urlsafe(6) is 8 characters)
DRAFT_KIND = "draft"
STEPS = ("article", "subject", "value", "unit", "change", "period", "confirm")
KINDS = ("add", "edit", "retire", "restore", "undo")
DRAFT_TTL = timedelta(minutes=5)  # silence after which a draft is dropped
PENDING_TTL = timedelta(minutes=10)  # how long a ✅ button stays valid
MAX_PENDING = 20  # confirmations per moderator; the oldest is forgotten first
# Rows nobody came back for are deleted after this long. Longer than DRAFT_TTL on purpose: a
# moderator who returns to an expired draft is told it timed out rather than silently answered.
SWEEP_AFTER = timedelta(days=1)
START_ATTEMPTS = 3  # two workers starting /addfact for one user at once: the loser retries


@dataclass(frozen=True)
class Pending:
    """A change shown to a moderator and waiting for ✅ 确认."""

    kind: str  # add | edit | retire | restore | undo
    fact_id: int | None
    version: int | None  # the version shown: passed as expected_version
    fields: dict[str, str]  # add: Curator.add keyword arguments; edit: field → raw value
    reason: str


@dataclass(frozen=True)
class Draft:
    """An /addfact dialogue: the step it waits at and the answers so far (validated strings)."""

    step: str = "article"
    article: str | None = None  # article key
    title: str | None = None
    subject: str | None = None
    value: str | None = None  # as typed: the Curator parses it again on ✅
    unit: str | None = None
    change: str | None = None
    period: str | None = None
    token: str | None = None  # at "confirm": the pending confirmation it shows


@dataclass(frozen=True)
class Unreadable:
    """A stored row this code cannot use: treated as expired, and the moderator is told so."""

    problem: str


@dataclass(frozen=True)
class StoredDraft:
    """A draft as read, with what a compare-and-set needs (``version``)."""

    user_id: int
    chat_id: int  # the chat the dialogue runs in; text elsewhere is not a step
    version: int
    touched: datetime
    draft: Draft | Unreadable
    expired: bool


def new_token() -> str:
    """A confirmation token: short enough for callback data, too many to guess (48 bits)."""
    return secrets.token_urlsafe(6)


# ---------------------------------------------------------------------------------- JSON


def _dump(value: Draft | Pending) -> dict[str, Any]:
    return {"format": FORMAT, **dataclasses.asdict(value)}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _body(data: object, cls: type) -> dict[str, Any]:
    """``data`` as the keyword arguments of ``cls``, or ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"not a JSON object: {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise ValueError(f"format {data.get('format')!r}, this version reads {FORMAT}")
    body = {k: v for k, v in data.items() if k != "format"}
    names = {f.name for f in dataclasses.fields(cls)}
    if set(body) != names:
        raise ValueError(f"fields {sorted(body)} are not {sorted(names)}")
    return body


# answer → the first step that needs it
_NEEDED_FROM = {
    "article": "subject",
    "title": "subject",
    "subject": "value",
    "value": "unit",
    "unit": "change",
    "token": "confirm",
}


def load_draft(data: object) -> Draft:
    """A stored draft, or ValueError saying why it cannot be used."""
    body = _body(data, Draft)
    if body["step"] not in STEPS:
        raise ValueError(f"unknown step {body['step']!r}")
    for name, value in body.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} is {type(value).__name__}, not text")
    # every answer the later steps rely on is there (change and period may stay empty)
    reached = STEPS.index(body["step"])
    missing = [n for n, step in _NEEDED_FROM.items() if reached >= STEPS.index(step) and not body[n]]
    if missing:
        raise ValueError(f"step {body['step']} without {', '.join(missing)}")
    return Draft(**body)


def load_pending(data: object, kind: str) -> Pending:
    """A stored confirmation of ``kind`` (the row's column), or ValueError saying why not."""
    body = _body(data, Pending)
    if body["kind"] not in KINDS or body["kind"] != kind:
        raise ValueError(f"kind {body['kind']!r} (row says {kind!r})")
    for name in ("fact_id", "version"):
        if body[name] is not None and not _is_int(body[name]):
            raise ValueError(f"{name} is {type(body[name]).__name__}, not a number")
    if (body["fact_id"] is None) != (kind == "add"):
        raise ValueError(f"{kind} with fact_id {body['fact_id']!r}")
    fields = body["fields"]
    if not isinstance(fields, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
    ):
        raise ValueError("fields are not text → text")
    if not isinstance(body["reason"], str):
        raise ValueError("reason is not text")
    return Pending(**body)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the zone; stored in UTC


# ---------------------------------------------------------------------------------- store

T = ModeratorDialogue
_TABLE = ModeratorDialogue.__table__
# the one read every typed message costs (is this an /addfact step?): a Core primary-key SELECT
_SELECT_DRAFT = select(_TABLE.c.chat_id, _TABLE.c.version, _TABLE.c.data, _TABLE.c.updated_at).where(
    _TABLE.c.user_id == bindparam("user_id", type_=_TABLE.c.user_id.type), _TABLE.c.slot == DRAFT_SLOT
)


class DialogueStore:
    """Typed reads and writes of ``moderator_dialogues``; every method is one short transaction.

    Stateless apart from its settings, so a handler may make one per update. Call it off the
    event loop (``asyncio.to_thread``): it does blocking database I/O.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        draft_ttl: timedelta = DRAFT_TTL,
        pending_ttl: timedelta = PENDING_TTL,
        max_pending: int = MAX_PENDING,
    ) -> None:
        bind = factory.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("DialogueStore needs a sessionmaker bound to an Engine")
        self._factory = factory
        self._reader = bind.execution_options(isolation_level="AUTOCOMMIT")  # no BEGIN/COMMIT to read
        self._draft_ttl = draft_ttl
        self._pending_ttl = pending_ttl
        self._max_pending = max(1, max_pending)

    # -- drafts

    def start_draft(self, user_id: int, chat_id: int) -> StoredDraft:
        """A fresh /addfact draft in ``chat_id``, replacing the user's earlier one and its ✅."""
        self._sweep()
        for attempt in range(START_ATTEMPTS):
            now = datetime.now(UTC)
            try:
                with self._factory.begin() as session:
                    self._drop_draft(session, user_id)
                    session.add(
                        T(
                            user_id=user_id,
                            slot=DRAFT_SLOT,
                            kind=DRAFT_KIND,
                            chat_id=chat_id,
                            version=1,
                            data=_dump(Draft()),
                            updated_at=now,
                        )
                    )
            except IntegrityError:  # another worker inserted one between our delete and insert
                if attempt == START_ATTEMPTS - 1:
                    raise
                continue
            return StoredDraft(user_id, chat_id, 1, now, Draft(), expired=False)
        raise AssertionError("unreachable")  # pragma: no cover

    def draft(self, user_id: int) -> StoredDraft | None:
        """The user's draft, expired or unreadable ones included (the caller says so and ends it)."""
        with self._reader.connect() as conn:
            row = conn.execute(_SELECT_DRAFT, {"user_id": user_id}).first()
        if row is None:
            return None
        touched = _aware(row.updated_at)
        try:
            draft: Draft | Unreadable = load_draft(row.data)
        except ValueError as exc:
            draft = Unreadable(str(exc))
        expired = datetime.now(UTC) - touched > self._draft_ttl
        return StoredDraft(user_id, row.chat_id, row.version, touched, draft, expired)

    def save_draft(
        self, stored: StoredDraft, draft: Draft, pending: Pending | None = None
    ) -> StoredDraft | None:
        """Compare-and-set: write ``draft`` only if nobody saved since ``stored`` was read.

        ``None`` means another worker moved the dialogue on first: read it again. A ``pending``
        confirmation (the /addfact summary) is stored under ``draft.token`` in the same
        transaction, so the ✅ button exists exactly when the draft says it does.
        """
        new_token = draft.token is not None and draft.token != _token_of(stored)
        if (pending is not None) != new_token:
            raise ValueError("a new confirmation needs a new draft.token, and only then")
        now = datetime.now(UTC)
        with self._factory.begin() as session:
            result = session.execute(
                update(T)
                .where(T.user_id == stored.user_id, T.slot == DRAFT_SLOT, T.version == stored.version)
                .values(data=_dump(draft), version=stored.version + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None
            if pending is not None:
                assert draft.token is not None
                self._add_pending(session, stored.user_id, stored.chat_id, draft.token, pending, now)
        return dataclasses.replace(stored, version=stored.version + 1, touched=now, draft=draft)

    def end_draft(self, user_id: int) -> None:
        """Drop the user's draft and its ✅ (finished, cancelled, timed out or refused)."""
        with self._factory.begin() as session:
            self._drop_draft(session, user_id)

    def expire_draft(self, user_id: int, version: int) -> bool:
        """Compare-and-delete for a timeout: drop the draft only if still at ``version``.

        Whichever worker scheduled a timeout checks with the version it saved; if any worker
        has moved the dialogue on since, nothing happens. True when this call ended it.
        """
        with self._factory.begin() as session:
            result = session.execute(
                delete(T)
                .where(T.user_id == user_id, T.slot == DRAFT_SLOT, T.version == version)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return False
            self._drop_draft(session, user_id)
            return True

    # -- confirmations

    def remember(self, user_id: int, chat_id: int, pending: Pending) -> str:
        """Store a change waiting for ✅; the token its buttons carry."""
        self._sweep()
        token = new_token()
        now = datetime.now(UTC)
        with self._factory.begin() as session:
            self._add_pending(session, user_id, chat_id, token, pending, now)
        return token

    def take(self, user_id: int, token: str) -> Pending | Unreadable | None:
        """Consume the user's confirmation ``token`` — atomically, so of two presses one wins.

        ``None``: no such confirmation for this user (used, cancelled, another moderator's,
        forgotten) or expired. Taking an /addfact confirmation also ends its draft.
        """
        now = datetime.now(UTC)
        with self._factory.begin() as session:
            row = session.execute(
                delete(T)
                .where(T.user_id == user_id, T.slot == token, T.kind != DRAFT_KIND)
                .returning(T.kind, T.data, T.updated_at)
                .execution_options(synchronize_session=False)
            ).first()
            if row is None:
                return None
            kind, data, updated_at = row
            if kind == "add":
                draft = session.get(T, (user_id, DRAFT_SLOT))
                if draft is not None and isinstance(draft.data, dict) and draft.data.get("token") == token:
                    session.delete(draft)
        if now - _aware(updated_at) > self._pending_ttl:
            return None
        try:
            return load_pending(data, kind)
        except ValueError as exc:
            return Unreadable(str(exc))

    def cancel_all(self, user_id: int) -> bool:
        """/cancel: drop everything of this user; whether anything was still live."""
        now = datetime.now(UTC)
        with self._factory.begin() as session:
            rows = session.execute(
                delete(T)
                .where(T.user_id == user_id)
                .returning(T.kind, T.updated_at)
                .execution_options(synchronize_session=False)
            ).all()
        return any(
            now - _aware(at) <= (self._draft_ttl if kind == DRAFT_KIND else self._pending_ttl)
            for kind, at in rows
        )

    # -- helpers

    def _add_pending(
        self, session: Session, user_id: int, chat_id: int, token: str, pending: Pending, now: datetime
    ) -> None:
        if pending.kind not in KINDS:
            raise ValueError(f"unknown kind {pending.kind!r}")
        # room for one more: the user's oldest confirmations beyond the cap are forgotten
        oldest = (
            select(T.slot)
            .where(T.user_id == user_id, T.kind != DRAFT_KIND)
            .order_by(T.updated_at.desc(), T.slot)
            .offset(self._max_pending - 1)
        )
        forget = list(session.scalars(oldest))
        if forget:
            session.execute(
                delete(T)
                .where(T.user_id == user_id, T.slot.in_(forget))
                .execution_options(synchronize_session=False)
            )
        session.add(
            T(
                user_id=user_id,
                slot=token,
                kind=pending.kind,
                chat_id=chat_id,
                version=1,
                data=_dump(pending),
                updated_at=now,
            )
        )

    @staticmethod
    def _drop_draft(session: Session, user_id: int) -> None:
        session.execute(
            delete(T)
            .where(T.user_id == user_id, or_(T.slot == DRAFT_SLOT, T.kind == "add"))
            .execution_options(synchronize_session=False)
        )

    def _sweep(self) -> None:
        """Delete everyone's expired confirmations and long-abandoned drafts (the table stays small).

        Its own transaction and best effort: two workers sweeping the same rows at once may
        deadlock on PostgreSQL, and the loser just leaves them to the next sweep.
        """
        now = datetime.now(UTC)
        try:
            with self._factory.begin() as session:
                session.execute(
                    delete(T)
                    .where(
                        T.updated_at < now - self._pending_ttl,
                        or_(T.kind != DRAFT_KIND, T.updated_at < now - SWEEP_AFTER),
                    )
                    .execution_options(synchronize_session=False)
                )
        except DBAPIError:
            log.info("sweeping old moderator dialogues failed; left for the next sweep", exc_info=True)


def _token_of(stored: StoredDraft) -> str | None:
    return stored.draft.token if isinstance(stored.draft, Draft) else None
