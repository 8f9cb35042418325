"""Follow-ups: a short message that only makes sense after the chat's previous answer.

``那荆门呢`` asks the previous question about another place; ``原文呢`` wants the source of the
previous answer; ``还有吗`` the next match; ``详细点`` more of the same article; ``上一篇`` /
``下一篇`` the neighbouring article. The previous answer's ``context`` (a
:class:`bot.answer.FollowUp`) carries what is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.answer import FollowUp as State
from bot.lexicon import Lexicon

__all__ = ["CUE_WORD", "MAX_FRAGMENT_CHARS", "Action", "FollowUp", "resolve"]

MAX_FRAGMENT_CHARS = 16  # longer messages are questions in their own right

SOURCE = re.compile(
    r"^(那|那么)?(原文|原话|原句|出处|来源|出自哪里|哪里说的|哪篇报道|哪篇文章)(呢|是什么|在哪|在哪里)?$"
)
MORE = re.compile(r"^(还有吗|还有呢|还有别的吗|还有没有|更多|再来一个|下一个|换一个|其他的呢|别的呢)$")
DETAIL = re.compile(r"^(详细点|详细一点|详细些|具体点|具体一点|展开说说|展开讲讲|再详细点|说详细点|多说点)$")
PREV_ARTICLE = re.compile(r"^(上一篇|前一篇)$")
NEXT_ARTICLE = re.compile(r"^(下一篇|后一篇)$")
FRAGMENT = re.compile(r"^(那|那么|那个|还有|换成)?(?P<rest>.+?)(呢|的呢|怎么样|如何|的情况呢?)$")

CUE_WORD = {"fact": "多少", "summary": "讲了什么", "excerpt": "原文", "list": "有哪些"}

Action = Literal["source", "more", "detail", "prev_article", "next_article", "ask"]


@dataclass(frozen=True)
class FollowUp:
    """What a message is as a follow-up: an action on the previous answer, or a rewritten question."""

    action: Action
    text: str = ""  # for "ask": the rewritten full question


def resolve(text: str, context: State | None, lexicon: Lexicon) -> FollowUp | None:
    """The follow-up a message is, given the previous answer's context; None for a fresh question."""
    if len(text) > MAX_FRAGMENT_CHARS:
        return None
    for pattern, action in (
        (SOURCE, "source"),
        (MORE, "more"),
        (DETAIL, "detail"),
        (PREV_ARTICLE, "prev_article"),
        (NEXT_ARTICLE, "next_article"),
    ):
        if pattern.match(text):
            return FollowUp(action)  # type: ignore[arg-type]
    if context is None:
        return None
    match = FRAGMENT.match(text)
    previous = context.terms
    intent = context.intent
    if not match or not previous or intent not in CUE_WORD:
        return None
    rest = match.group("rest").strip()
    cue = (context.change or "") + CUE_WORD[intent] if intent == "fact" else CUE_WORD[intent]
    names = [w for w in previous if w in lexicon.names]
    if lexicon.place_in([rest], rest) is not None or rest in lexicon.names:
        # Same question, another place or agency.
        return FollowUp("ask", rest + "".join(w for w in previous if w not in lexicon.names) + cue)
    # Same place or agency, another topic.
    return FollowUp("ask", "".join(names) + rest + cue)
