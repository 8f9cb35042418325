"""The moderators' dialogue store on SQLite and on a real PostgreSQL (skipped when absent).

What several workers rely on: a draft is compare-and-set (a stale writer learns it lost), a
confirmation is consumed once even when two threads race for it, and a row this version cannot
read comes back as ``Unreadable`` instead of raising.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogues import (
    DialogueStore,
    Draft,
    Pending,
    Unreadable,
    load_draft,
    load_pending,
    new_token,
)
from knowledge.db import get_engine, init_db, session_factory
from knowledge.models import ModeratorDialogue

USER, CHAT, OTHER = 7007, 7007, 8008
EDIT = Pending("edit", 6, 1, {"value": "45"}, "核对原文")
ADD = Pending("add", None, None, {"article": "a#1", "subject": "s", "value": "7", "unit": "个"}, "r")


@pytest.fixture
def sessions(empty_url: str) -> sessionmaker[Session]:
    engine = get_engine(empty_url)
    init_db(engine)  # the real migrations, 0003 included
    return session_factory(engine)


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> DialogueStore:
    return DialogueStore(sessions)


def rows(sessions: sessionmaker[Session], user_id: int = USER) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).where(ModeratorDialogue.user_id == user_id)) or 0


def age(sessions: sessionmaker[Session], by: timedelta, slot: str | None = None) -> None:
    """Move rows back in time, as if the moderator had walked away."""
    stmt = update(ModeratorDialogue).values(updated_at=datetime.now(UTC) - by)
    if slot is not None:
        stmt = stmt.where(ModeratorDialogue.slot == slot)
    with sessions.begin() as s:
        s.execute(stmt)


def corrupt(sessions: sessionmaker[Session], slot: str, data: object) -> None:
    with sessions.begin() as s:
        s.execute(update(ModeratorDialogue).where(ModeratorDialogue.slot == slot).values(data=data))


def test_draft_round_trip_and_compare_and_set(store: DialogueStore) -> None:
    assert store.draft(USER) is None
    first = store.start_draft(USER, CHAT)
    read = store.draft(USER)
    assert read == first and read.draft == Draft() and not read.expired
    moved = store.save_draft(read, dataclasses.replace(read.draft, step="subject", article="k", title="t"))
    assert moved is not None and moved.version == read.version + 1
    assert store.draft(USER).draft.step == "subject"
    # a worker still holding the old read loses, and nothing it wrote is kept
    assert store.save_draft(read, dataclasses.replace(read.draft, step="value")) is None
    assert store.draft(USER).draft == moved.draft
    # /addfact again starts over
    again = store.start_draft(USER, CHAT + 1)
    assert store.draft(USER) == again and again.chat_id == CHAT + 1 and again.draft == Draft()


def test_confirmation_is_taken_once_and_only_by_its_owner(store: DialogueStore) -> None:
    token = store.remember(USER, CHAT, EDIT)
    assert store.take(OTHER, token) is None  # another moderator's button
    assert store.take(USER, token) == EDIT
    assert store.take(USER, token) is None  # spent
    assert store.take(USER, "addfact") is None  # a tampered token naming the draft's slot


def test_addfact_confirmation_is_saved_with_its_draft_and_ends_it(store, sessions) -> None:
    stored = store.start_draft(USER, CHAT)
    token = new_token()
    confirm = Draft("confirm", "a#1", "标题", "s", "7", "个", None, None, token)
    with pytest.raises(ValueError):
        store.save_draft(stored, confirm)  # a new token without its confirmation
    saved = store.save_draft(stored, confirm, ADD)
    assert saved is not None and store.draft(USER).draft.token == token
    assert store.take(USER, token) == ADD
    assert store.draft(USER) is None and rows(sessions) == 0
    # a new /addfact forgets the confirmation of the earlier one
    saved = store.save_draft(store.start_draft(USER, CHAT), dataclasses.replace(confirm, token="T" * 8), ADD)
    store.start_draft(USER, CHAT)
    assert store.take(USER, "T" * 8) is None


def race(fn: Callable[[], object], n: int = 2) -> list[object]:
    """Run ``fn`` in ``n`` threads released at the same moment; their results."""
    barrier = threading.Barrier(n)
    got: list[object] = []

    def run() -> None:
        barrier.wait()
        got.append(fn())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_two_threads_pressing_the_same_button_apply_once(store: DialogueStore) -> None:
    for _ in range(5):
        token = store.remember(USER, CHAT, EDIT)
        got = race(functools.partial(store.take, USER, token))
        assert sorted(map(repr, got)) == sorted([repr(EDIT), "None"])


def test_two_threads_saving_one_draft_step_one_wins(store: DialogueStore) -> None:
    stored = store.start_draft(USER, CHAT)
    step = dataclasses.replace(stored.draft, step="subject", article="k", title="t")
    got = race(functools.partial(store.save_draft, stored, step))
    assert sum(g is not None for g in got) == 1
    assert store.draft(USER).version == stored.version + 1


def test_expiry_and_the_timeout_compare_and_delete(sessions: sessionmaker[Session]) -> None:
    store = DialogueStore(sessions)
    stored = store.start_draft(USER, CHAT)
    age(sessions, timedelta(minutes=6))
    assert store.draft(USER).expired
    assert not store.expire_draft(USER, stored.version + 1)  # someone moved on: not ours to end
    assert store.expire_draft(USER, stored.version) and store.draft(USER) is None
    token = store.remember(USER, CHAT, EDIT)
    age(sessions, timedelta(minutes=11), token)
    assert store.take(USER, token) is None  # expired: stale, and gone
    assert rows(sessions) == 0


def test_cancel_all_says_whether_anything_was_live(sessions: sessionmaker[Session]) -> None:
    store = DialogueStore(sessions)
    assert not store.cancel_all(USER)
    store.remember(USER, CHAT, EDIT)
    store.start_draft(USER, CHAT)
    store.remember(OTHER, CHAT, EDIT)
    assert store.cancel_all(USER) and rows(sessions) == 0 and rows(sessions, OTHER) == 1
    store.remember(USER, CHAT, EDIT)
    age(sessions, timedelta(hours=1))
    assert not store.cancel_all(USER)  # only dead rows: nothing was in progress


def test_oldest_confirmations_are_forgotten_and_old_rows_swept(sessions: sessionmaker[Session]) -> None:
    store = DialogueStore(sessions, max_pending=3)
    tokens = [store.remember(USER, CHAT, EDIT) for _ in range(3)]
    age(sessions, timedelta(seconds=1), tokens[0])  # make it clearly the oldest
    tokens.append(store.remember(USER, CHAT, EDIT))
    assert rows(sessions) == 3 and store.take(USER, tokens[0]) is None
    # anyone's expired confirmations go on the next write, a draft only after a day
    store.remember(OTHER, CHAT, EDIT)
    store.start_draft(OTHER, CHAT)
    age(sessions, timedelta(hours=1))
    store.remember(USER, CHAT, EDIT)
    assert rows(sessions) == 1 and rows(sessions, OTHER) == 1  # OTHER's draft is kept for now
    age(sessions, timedelta(days=2))
    store.remember(USER, CHAT, EDIT)
    assert rows(sessions, OTHER) == 0


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        [1, 2],
        {"step": "subject"},  # written before the format key existed
        {"format": 99, **dataclasses.asdict(Draft())},
        {"format": 1, **dataclasses.asdict(Draft()), "extra": 1},
        {"format": 1, **dataclasses.asdict(Draft(step="flying"))},
        {"format": 1, **dataclasses.asdict(Draft(step="value"))},  # no subject yet
        {"format": 1, **dataclasses.asdict(Draft()), "title": 5},
    ],
)
def test_a_malformed_draft_reads_as_unreadable(store, sessions, data) -> None:
    store.start_draft(USER, CHAT)
    corrupt(sessions, "addfact", data)
    stored = store.draft(USER)
    assert isinstance(stored.draft, Unreadable) and stored.draft.problem
    assert stored.chat_id == CHAT  # still known: the moderator can be told in the right chat
    store.end_draft(USER)
    assert store.draft(USER) is None


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "edit"},
        {"format": 1, **dataclasses.asdict(EDIT), "fact_id": "6"},
        {"format": 1, **dataclasses.asdict(EDIT), "fact_id": True},
        {"format": 1, **dataclasses.asdict(EDIT), "kind": "retire"},  # the row says edit
        {"format": 1, **dataclasses.asdict(EDIT), "fact_id": None},
        {"format": 1, **dataclasses.asdict(EDIT), "fields": {"value": 45}},
        {"format": 1, **dataclasses.asdict(EDIT), "reason": None},
    ],
)
def test_a_malformed_confirmation_reads_as_unreadable_and_is_spent(store, sessions, data) -> None:
    token = store.remember(USER, CHAT, EDIT)
    corrupt(sessions, token, data)
    taken = store.take(USER, token)
    assert isinstance(taken, Unreadable) and taken.problem
    assert store.take(USER, token) is None


def test_loaders_accept_what_the_store_writes() -> None:
    full = Draft("confirm", "a#1", "标题", "s", "7", "个", "上升", "今年", "tok12345")
    assert load_draft({"format": 1, **dataclasses.asdict(full)}) == full
    assert load_pending({"format": 1, **dataclasses.asdict(ADD)}, "add") == ADD
