"""What the Telegram front end notes about each answer for the curators' loop.

* the question's outcome goes to the question log (``knowledge.questionlog``): counted per day,
  and kept as text when it was refused or offered choices;
* 👍/👎 buttons go beside 📄/📊/📝; they carry the id of the question's message only, and the chat
  context (already read and written once per question, in the database, so any worker can take
  the press) remembers the last few questions with the kind and ids of their answers.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.answer import Answer, Asked, FollowUp
from bot.normalize import normalize
from knowledge.questionlog import QuestionLog

__all__ = [
    "RECENT",
    "VOTE_DOWN",
    "VOTE_UP",
    "asked",
    "note",
    "outcome",
    "remember",
    "with_votes",
]

log = logging.getLogger(__name__)

VOTE_UP, VOTE_DOWN = "👍", "👎"
RECENT = 8  # questions per chat a vote can still name
ANSWERED = frozenset({"fact", "summary", "excerpt", "list"})


def outcome(answer: Answer) -> str | None:
    """answered | chose | refused, or None for what is no question (help, thanks, "没有更多了")."""
    if answer.intent in ANSWERED:
        return "answered"
    if answer.intent == "none" and answer.context.intent == "none":
        return "chose" if answer.choices else "refused"
    return None


def note(factory: sessionmaker[Session], question: str, answer: Answer, chat_type: str) -> None:
    """Count the question; keep it if unanswered. Never fails the answer it is about."""
    result = outcome(answer)
    if result is None:
        return
    try:
        QuestionLog(factory).record(normalize(question), result, chat_type)
    except Exception:  # the log is for moderators: a user still gets the answer
        log.warning("could not log a question", exc_info=True)


def remember(before: FollowUp | None, state: FollowUp, key: int, question: str, answer: Answer) -> FollowUp:
    """``state`` plus this question among the chat's last :data:`RECENT`, for a later vote."""
    recent = [e for e in (before.asked if before is not None else ()) if e.key != key]
    entry = Asked(key, normalize(question), answer.intent, tuple(answer.fact_ids) or tuple(_cited(answer)))
    return replace(state, asked=(*recent[-(RECENT - 1) :], entry))


def asked(state: FollowUp | None, key: int) -> tuple[str, str, list[int]] | None:
    """The question (normalized), the answer's kind and ids behind a vote button; None: too old."""
    for entry in state.asked if state is not None else ():
        if entry.key == key:
            return entry.question, entry.intent, list(entry.ids)
    return None


def with_votes(markup: InlineKeyboardMarkup | None, answer: Answer, key: int) -> InlineKeyboardMarkup | None:
    """The answer's buttons with 👍 👎 beside the first row (or as a row of their own)."""
    if outcome(answer) is None:
        return markup
    votes = [
        InlineKeyboardButton(VOTE_UP, callback_data=cb.encode(cb.Vote(True, key))),
        InlineKeyboardButton(VOTE_DOWN, callback_data=cb.encode(cb.Vote(False, key))),
    ]
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    if rows and answer.intent in ANSWERED and answer.citation is not None:
        rows[0] += votes
    else:
        rows.append(votes)
    return InlineKeyboardMarkup(rows)


def _cited(answer: Answer) -> list[int]:
    return [answer.citation.article_id] if answer.citation is not None else []
