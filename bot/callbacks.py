"""Compact, validated ``callback_data`` for inline buttons.

Telegram caps callback data at 64 bytes and hands it back verbatim, so buttons carry a short
verb and integer ids only — never raw text (a suggestion is chosen by its index into the chat
context kept in the database). ``decode`` accepts exactly what ``encode`` produces and returns
``None`` for anything else, so a stale or tampered button is answered politely, not crashed on.

Verbs: ``x:<article>`` original text, ``s:<article>`` summary, ``d:<article>:<page>`` facts
(``D:`` = page navigation that edits the message in place), ``a:<page>`` article list (``A:``
edits in place), ``q:<n>`` the n-th suggestion of the last answer, ``e:<n>`` the n-th example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram.constants import InlineKeyboardButtonLimit

__all__ = [
    "MAX_BYTES",
    "Articles",
    "CallbackValue",
    "Choose",
    "Example",
    "Excerpt",
    "Facts",
    "Summary",
    "decode",
    "encode",
]

MAX_BYTES: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
MAX_ID = 10**9  # ids and pages are small; bigger numbers can only come from tampering


@dataclass(frozen=True)
class Excerpt:
    article_id: int


@dataclass(frozen=True)
class Summary:
    article_id: int


@dataclass(frozen=True)
class Facts:
    article_id: int
    page: int = 0
    nav: bool = False  # True: paging within the facts message, so edit it instead of sending


@dataclass(frozen=True)
class Articles:
    page: int = 0
    nav: bool = False


@dataclass(frozen=True)
class Choose:
    index: int


@dataclass(frozen=True)
class Example:
    index: int


CallbackValue = Excerpt | Summary | Facts | Articles | Choose | Example

_NUM = r"(0|[1-9]\d{0,9})"  # no signs, no leading zeros: one canonical spelling per value
_PATTERN = re.compile(rf"([xsqe]):{_NUM}|([dD]):{_NUM}:{_NUM}|([aA]):{_NUM}", re.ASCII)


def encode(value: CallbackValue) -> str:
    match value:
        case Excerpt(article_id=a):
            data = f"x:{a}"
        case Summary(article_id=a):
            data = f"s:{a}"
        case Facts(article_id=a, page=p, nav=nav):
            data = f"{'D' if nav else 'd'}:{a}:{p}"
        case Articles(page=p, nav=nav):
            data = f"{'A' if nav else 'a'}:{p}"
        case Choose(index=i):
            data = f"q:{i}"
        case Example(index=i):
            data = f"e:{i}"
        case _:
            raise TypeError(f"not a callback value: {value!r}")
    if len(data.encode()) > MAX_BYTES or decode(data) != value:
        raise ValueError(f"cannot encode {value!r} within {MAX_BYTES} bytes")
    return data


def decode(data: str | None) -> CallbackValue | None:
    """The typed value behind ``data``, or ``None`` when it is malformed or out of range."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    m = _PATTERN.fullmatch(data)  # fullmatch: "$" would let a trailing newline through
    if m is None:
        return None
    one, one_n, two, two_a, two_p, page_verb, page_n = m.groups()
    if one:
        n = int(one_n)
        if n >= MAX_ID:
            return None
        return {"x": Excerpt, "s": Summary, "q": Choose, "e": Example}[one](n)
    if two:
        a, p = int(two_a), int(two_p)
        if a >= MAX_ID or p >= MAX_ID:
            return None
        return Facts(a, p, nav=two == "D")
    p = int(page_n)
    if p >= MAX_ID:
        return None
    return Articles(p, nav=page_verb == "A")
