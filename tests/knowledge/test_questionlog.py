"""knowledge.questionlog: what is kept of questions and votes, for how long, and nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge import questionlog
from knowledge.models import AnswerVote, QuestionDay, UnansweredQuestion
from knowledge.questionlog import QuestionLog, log_days

ALPHA = "阿尔法行动战果如何"


@pytest.fixture
def qlog(factory: sessionmaker[Session]) -> QuestionLog:
    log = QuestionLog(factory)
    log.flush()  # start from zero counts in this process
    return log


def test_only_unanswered_questions_are_kept_as_text_and_merged_by_key(qlog, factory):
    qlog.record(ALPHA, "refused", "private")
    qlog.record(f"{ALPHA}？", "refused", "private")
    qlog.record(f"{ALPHA}！", "chose", "supergroup")
    qlog.record("鼓楼派出所抓获了多少嫌疑人", "answered", "private")
    with factory() as session:
        rows = session.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.chat_type)).all()
    assert [(r.count, r.chat_type, r.outcome) for r in rows] == [
        (2, "private", "refused"),
        (1, "supergroup", "chose"),
    ]
    [merged] = qlog.unanswered()
    assert (merged.count, merged.chat_types, merged.outcome, merged.link_id) == (
        3,
        ("private", "supergroup"),
        "chose",
        None,
    )
    assert merged.first_at <= merged.last_at


def test_day_counts_from_two_processes_add_up(factory):
    a, b = QuestionLog(factory), QuestionLog(factory)
    a.flush()
    a.record("一", "answered", "private")
    questionlog._counts.pop(b._db)  # as if b were another process with its own counts
    b._counts = questionlog._counts.setdefault("other process", questionlog.DayCounts())
    b.record("二", "refused", "private")
    b.record("三", "chose", "private")
    b.flush()
    [today] = a.stats(1)
    assert (today.answered, today.chose, today.refused, today.asked) == (1, 1, 1, 3)


def test_a_vote_per_user_and_answer_changeable_stored_under_pseudonyms(qlog, factory):
    assert qlog.vote(5001, "5001:17", -1, ALPHA, "none", [], "抱歉")
    assert not qlog.vote(5001, "5001:17", -1, ALPHA, "none", [], "抱歉")  # the same again
    assert qlog.vote(5001, "5001:17", 1, ALPHA, "none", [], "抱歉")  # changed
    assert qlog.vote(5002, "5001:17", -1, ALPHA, "none", [], "抱歉")  # another user
    with factory() as session:
        votes = session.scalars(select(AnswerVote)).all()
    assert sorted(v.vote for v in votes) == [-1, 1]
    assert all("5001" not in v.user_ref + v.answer_ref and len(v.user_ref) == 64 for v in votes)
    assert qlog.pseudonym("user", 5001) == QuestionLog(factory).pseudonym("user", 5001)
    assert [f.vote for f in qlog.feedback()] == [-1] and len(qlog.feedback(None)) == 2


def test_entries_older_than_the_retention_are_deleted(qlog, factory, monkeypatch):
    monkeypatch.setenv("FACTBOT_LOG_DAYS", "30")
    assert log_days() == 30 and QuestionLog(factory).days == 30
    old = datetime.now(UTC) - timedelta(days=31)
    qlog.record("很久以前的问题", "refused", "private", now=old)
    qlog.record(ALPHA, "refused", "private")
    qlog.vote(5001, "5001:1", -1, ALPHA, "none", [], "抱歉")
    with factory.begin() as session:
        session.add(QuestionDay(day=old.date().isoformat(), answered=3, chose=0, refused=1))
        for vote in session.scalars(select(AnswerVote)):
            vote.at = old
    assert QuestionLog(factory).purge() == 3
    assert [q.text for q in qlog.unanswered(365)] == [ALPHA]
    assert qlog.feedback(None) == []


@pytest.mark.parametrize("raw", ["", "abc", "0", "-5", "99999"])
def test_a_bad_retention_setting_falls_back_to_90_days(monkeypatch, raw):
    monkeypatch.setenv("FACTBOT_LOG_DAYS", raw)
    assert log_days() == 90
