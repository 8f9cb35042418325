"""Compact, validated ``callback_data`` for inline buttons.

Telegram caps callback data at 64 bytes and hands it back verbatim, so buttons carry a short
verb and integer ids only — never raw text (a suggestion is chosen by its index into the chat
context kept in the database). ``decode`` accepts exactly what ``encode`` produces and returns
``None`` for anything else, so a stale or tampered button is answered politely, not crashed on.

Verbs: ``x:<article>`` original text, ``s:<article>`` summary, ``d:<article>:<page>`` facts
(``D:`` = page navigation that edits the message in place), ``a:<page>`` article list (``A:``
edits in place), ``q:<n>`` the n-th suggestion of the last answer, ``e:<n>`` the n-th example.

Moderation (``bot.moderation``; rights are checked again by the handler, never trusted from here):
``me:<token>``/``mc:<token>`` confirm/cancel a pending change (the token names it among the
user's confirmations in the database, ``bot.dialogues``), ``ma:<article>`` / ``mp:<page>`` pick
an article / page the list in /addfact, ``mu:<n>`` the n-th common unit, ``mg:<n>`` the n-th
change word, ``mn:0`` skip the period, ``mh:<fact>:<page>`` a page of a fact's history.

The curators' loop (``bot.curation``): ``v:1:<n>``/``v:0:<n>`` 👍/👎 on the answer to the chat's
question ``n`` (a message id; the question itself is in the chat context), ``l:<list>:<days>:<page>``
a page of /unanswered (``u``), /feedback (``f``), /links (``l``) or /synonyms (``s``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram.constants import InlineKeyboardButtonLimit

__all__ = [
    "MAX_BYTES",
    "MODERATION",
    "Articles",
    "CallbackValue",
    "Choose",
    "Example",
    "Excerpt",
    "Facts",
    "ListPage",
    "ModArticle",
    "ModArticlePage",
    "ModCancel",
    "ModChange",
    "ModConfirm",
    "ModHistory",
    "ModSkip",
    "ModUnit",
    "Summary",
    "Vote",
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


@dataclass(frozen=True)
class ModConfirm:
    token: str


@dataclass(frozen=True)
class ModCancel:
    token: str


@dataclass(frozen=True)
class ModArticle:
    article_id: int


@dataclass(frozen=True)
class ModArticlePage:
    page: int


@dataclass(frozen=True)
class ModUnit:
    index: int


@dataclass(frozen=True)
class ModChange:
    index: int


@dataclass(frozen=True)
class ModSkip:
    pass


@dataclass(frozen=True)
class ModHistory:
    fact_id: int
    page: int = 0


@dataclass(frozen=True)
class Vote:
    up: bool
    key: int  # which answer: the chat's question message it answered


@dataclass(frozen=True)
class ListPage:
    list: str  # u: unanswered, f: feedback, l: links, s: synonyms
    days: int
    page: int


CallbackValue = (
    Excerpt
    | Summary
    | Facts
    | Articles
    | Choose
    | Example
    | ModConfirm
    | ModCancel
    | ModArticle
    | ModArticlePage
    | ModUnit
    | ModChange
    | ModSkip
    | ModHistory
    | Vote
    | ListPage
)
MODERATION = (ModConfirm, ModCancel, ModArticle, ModArticlePage, ModUnit, ModChange, ModSkip, ModHistory)

_NUM = r"(0|[1-9]\d{0,9})"  # no signs, no leading zeros: one canonical spelling per value
_PATTERN = re.compile(rf"([xsqe]):{_NUM}|([dD]):{_NUM}:{_NUM}|([aA]):{_NUM}", re.ASCII)
TOKEN_RE = r"[A-Za-z0-9_-]{6,16}"  # secrets.token_urlsafe(6) gives 8 of these
_MOD_PATTERN = re.compile(
    rf"m([ec]):({TOKEN_RE})|m([apug]):{_NUM}|mn:0|mh:{_NUM}:{_NUM}",
    re.ASCII,
)
_LOOP_PATTERN = re.compile(rf"v:([01]):{_NUM}|l:([ufls]):{_NUM}:{_NUM}", re.ASCII)
_MOD_ONE = {"a": ModArticle, "p": ModArticlePage, "u": ModUnit, "g": ModChange}


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
        case ModConfirm(token=t):
            data = f"me:{t}"
        case ModCancel(token=t):
            data = f"mc:{t}"
        case ModArticle(article_id=a):
            data = f"ma:{a}"
        case ModArticlePage(page=p):
            data = f"mp:{p}"
        case ModUnit(index=i):
            data = f"mu:{i}"
        case ModChange(index=i):
            data = f"mg:{i}"
        case ModSkip():
            data = "mn:0"
        case ModHistory(fact_id=f, page=p):
            data = f"mh:{f}:{p}"
        case Vote(up=up, key=k):
            data = f"v:{int(up)}:{k}"
        case ListPage(list=name, days=d, page=p):
            data = f"l:{name}:{d}:{p}"
        case _:
            raise TypeError(f"not a callback value: {value!r}")
    if len(data.encode()) > MAX_BYTES or decode(data) != value:
        raise ValueError(f"cannot encode {value!r} within {MAX_BYTES} bytes")
    return data


def decode(data: str | None) -> CallbackValue | None:
    """The typed value behind ``data``, or ``None`` when it is malformed or out of range."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    if data.startswith("m"):
        return _decode_moderation(data)
    if data.startswith(("v:", "l:")):
        return _decode_loop(data)
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


def _decode_loop(data: str) -> CallbackValue | None:
    m = _LOOP_PATTERN.fullmatch(data)
    if m is None:
        return None
    up, key, name, days, page = m.groups()
    if up is not None:
        return Vote(up == "1", int(key)) if int(key) < MAX_ID else None
    d, p = int(days), int(page)
    return ListPage(name, d, p) if d < MAX_ID and p < MAX_ID else None


def _decode_moderation(data: str) -> CallbackValue | None:
    m = _MOD_PATTERN.fullmatch(data)
    if m is None:
        return None
    token_verb, token, one, one_n, hist_f, hist_p = m.groups()
    if token_verb:
        return ModConfirm(token) if token_verb == "e" else ModCancel(token)
    if one:
        n = int(one_n)
        return _MOD_ONE[one](n) if n < MAX_ID else None
    if hist_f is not None:
        f, p = int(hist_f), int(hist_p)
        return ModHistory(f, p) if f < MAX_ID and p < MAX_ID else None
    return ModSkip()
