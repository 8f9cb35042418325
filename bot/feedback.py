"""What the Telegram front end notes about each answer for the curators' loop.

* the question's outcome goes to the question log (``knowledge.questionlog``): counted per day,
  and kept as text when it was refused or offered choices;
* 👍/👎 buttons go beside 📄/📊/📝; they carry the id of the question's message only, and the chat
  context (already read and written once per question, in the database, so any worker can take
  the press) remembers the last few questions with the kind and ids of their answers.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.answer import Answer
from bot.normalize import normalize
from knowledge.questionlog import QuestionLog

__all__ = [
    "CHOICES_PREFIX",
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
RECENT_KEY = "asked"
CHOICES_PREFIX = "您是不是想问"  # how the engine words an answer that offers choices
ANSWERED = frozenset({"fact", "summary", "excerpt", "list"})


def outcome(answer: Answer) -> str | None:
    """answered | chose | refused, or None for what is no question (help, thanks, "没有更多了")."""
    if answer.intent in ANSWERED:
        return "answered"
    if answer.intent == "none" and answer.context.get("intent") == "none":
        return "chose" if answer.reply.startswith(CHOICES_PREFIX) else "refused"
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


def remember(before: dict[str, Any] | None, ctx: dict[str, Any], key: int, question: str,
             answer: Answer) -> dict[str, Any]:  # fmt: skip
    """``ctx`` plus this question among the chat's last :data:`RECENT`, for a later vote."""
    recent = [e for e in (before or {}).get(RECENT_KEY) or [] if isinstance(e, list) and e[:1] != [key]]
    entry = [key, normalize(question), answer.intent, list(answer.fact_ids) or _cited(answer)]
    return {**ctx, RECENT_KEY: [*recent[-(RECENT - 1) :], entry]}


def asked(ctx: dict[str, Any] | None, key: int) -> tuple[str, str, list[int]] | None:
    """The question (normalized), the answer's kind and ids behind a vote button; None: too old."""
    for entry in (ctx or {}).get(RECENT_KEY) or []:
        if isinstance(entry, list) and len(entry) == 4 and entry[0] == key:
            _, question, kind, ids = entry
            return str(question), str(kind), [int(i) for i in ids if isinstance(i, int)]
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
