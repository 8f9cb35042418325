"""Moderators curate facts from Telegram: /addfact (guided), /editfact, /delfact, /restorefact,
/undo, /history, /findfact, /cancel.

    command ──► moderator? ──► validate (knowledge.curate) ──► preview + [✅ 确认][❌ 取消]
                                                                    │ me:/mc:<token>
    button  ──► moderator? ──► pending[token] (this user's user_data) ──► Curator ──► result

Every rule lives below this module: *who* may curate in ``knowledge.moderators`` (the
``MODERATOR_IDS`` list plus the ``moderators`` table, asked in every handler — command scopes
only change what a client shows), *what* is valid, the audit trail, optimistic locking and the
revision bump in ``knowledge.curate``. Input is validated with the curate module's own
validators as soon as it is typed, so a bad value is re-asked at its step, and the Curator
checks everything again when the change is confirmed.

A confirmation remembers the fact version it showed and passes it as ``expected_version``, so an
edit made elsewhere in between (CLI, another moderator) surfaces as ``StaleEditError`` with the
current values instead of being overwritten. Pending changes are kept in the user's
``user_data`` under a short random token, so a button works once, only for the moderator who
asked, and only for :data:`PENDING_TTL`; anything else is answered as a stale button.

Nothing here touches the engine: the Curator bumps the knowledge revision and the engine
reloads on the next question, so an edit is answered at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import secrets
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks as cb
from bot import render, texts
from bot.telegram_app import SERVICES_KEY, BotServices
from knowledge.curate import (
    ALLOWED_UNITS,
    FIELD_LABELS,
    MAX_REASON,
    CuratedFact,
    CurationError,
    Curator,
    FieldChange,
    NotFoundError,
    RevisionView,
    ValidationError,
    check_text,
    parse_changes,
    validate_value,
)
from knowledge.moderators import is_moderator
from knowledge.store import ArticleView

__all__ = [
    "ADD_TIMEOUT",
    "COMMON_UNITS",
    "PENDING_TTL",
    "Pending",
    "history_pages",
    "register",
    "split_reason",
]

log = logging.getLogger(__name__)

ADD_TIMEOUT = 5 * 60  # seconds of silence after which a /addfact draft is dropped
PENDING_TTL = 10 * 60  # seconds a confirm button stays valid
MAX_PENDING = 20  # per user; the oldest is forgotten first
HISTORY_BUDGET = render.MAX_TEXT - 400  # one page of history, leaving room for the title line
HISTORY_VALUE = 80  # characters of an old/new value shown in history (a sentence can be 2000)
FIND_LIMIT = 20
COMMON_UNITS = ("名", "人", "起", "个", "件", "次", "家", "元", "万元", "%")
CHANGE_CHOICES: tuple[str | None, ...] = ("上升", "下降", None)
UNITS_PER_ROW = 5
EMPTY = "（空）"
DATA_KEY = "moderation"

assert all(u in ALLOWED_UNITS for u in COMMON_UNITS), "a unit button the Curator would refuse"

# /addfact conversation states
ARTICLE, SUBJECT, VALUE, UNIT, CHANGE, PERIOD, CONFIRM = range(7)
END = ConversationHandler.END


@dataclass(frozen=True)
class Pending:
    """A change shown to a moderator and waiting for ✅ 确认."""

    kind: str  # add | edit | retire | restore | undo
    fact_id: int | None
    version: int | None  # the version shown: passed as expected_version
    fields: dict[str, str]  # add: Curator.add keyword arguments; edit: field → raw value
    reason: str
    created: float = field(default_factory=time.monotonic)

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.created > PENDING_TTL


# ---------------------------------------------------------------------------------- plumbing


def _services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data[SERVICES_KEY]


def _curator(context: ContextTypes.DEFAULT_TYPE) -> Curator:
    return Curator(_services(context).engine.factory)  # stateless and cheap


def _state(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    return context.user_data.setdefault(DATA_KEY, {"pending": {}, "draft": None, "touched": 0.0})


async def _allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Moderator rights, asked afresh on every update (env list and table alike)."""
    services = _services(context)
    user = update.effective_user
    uid = user.id if user else None
    if await asyncio.to_thread(is_moderator, services.engine.factory, uid, services.moderator_ids):
        return True
    log.info("refused moderation update from user %s", uid)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NO_RIGHTS, show_alert=True)
    elif update.effective_chat is not None:
        await _say(update, context, texts.NO_RIGHTS, bold=False)
    return False


async def _say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    bold: bool = True,
) -> None:
    """Plain text → escaped HTML parts within the length limit; buttons under the last part."""
    parts = [p for p in render.render_text(text, bold_first=bold) if p]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await context.bot.send_message(update.effective_chat.id, part, reply_markup=markup if last else None)


def _args(message: Message | None) -> str:
    """The text after the command, quotes and spacing intact (``context.args`` splits them)."""
    parts = (message.text or "").split(None, 1) if message else []
    return parts[1].strip() if len(parts) > 1 else ""


_DASHES = re.compile(r"(?:^|\s)--(?:\s|\Z)")
_REASON = re.compile(r"(?:^|\s)(?:原因|理由|reason)\s*[=＝:：]\s*(?P<reason>.*)\Z", re.S | re.I)


def split_reason(text: str) -> tuple[str, str | None]:
    """``"数值=50 原因=核对原文"`` or ``"数值=50 -- 核对原文"`` → ``("数值=50", "核对原文")``."""
    m = _DASHES.search(text)
    if m:
        return text[: m.start()].strip(), text[m.end() :].strip()
    m = _REASON.search(text)
    if m:
        return text[: m.start()].strip(), m.group("reason").strip()
    return text.strip(), None


def _reason(raw: str | None, command: str) -> str:
    # the Curator checks again; checking here means the preview never shows a reason it will refuse
    text = raw if raw and raw.strip() else texts.MOD_DEFAULT_REASON.format(command=command)
    return check_text("reason", text, MAX_REASON, required=True, multiline=True)


def _remember(context: ContextTypes.DEFAULT_TYPE, pending: Pending) -> str:
    store: dict[str, Pending] = _state(context)["pending"]
    for token in [t for t, p in store.items() if p.expired]:
        del store[token]
    while len(store) >= MAX_PENDING:
        del store[next(iter(store))]
    token = secrets.token_urlsafe(6)
    store[token] = pending
    return token


def _confirm_keyboard(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.MOD_CONFIRM, callback_data=cb.encode(cb.ModConfirm(token))),
                InlineKeyboardButton(texts.MOD_CANCEL, callback_data=cb.encode(cb.ModCancel(token))),
            ]
        ]
    )


def _matches(*types: type) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: the data decodes to one of ``types``."""
    return lambda data: isinstance(data, str) and isinstance(cb.decode(data), types)


# ---------------------------------------------------------------------------------- wording


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _clip(text: str, limit: int = HISTORY_VALUE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _current(fact: CuratedFact, name: str) -> str:
    """A fact's current value of a ``字段=值`` field, as the preview shows it."""
    if name == "value":
        return f"{_number(fact.value)}（原文 {fact.value_text}）"
    if name == "approximate":
        return "是" if fact.approximate else "否"
    if name == "article":
        return fact.article_key + (f"《{fact.article_title}》" if fact.article_title else "")
    value = getattr(fact, name)
    return _clip(str(value), 200) if value else EMPTY


def _stored(name: str, text: str | None) -> str:
    """A revision's stored string (floats and booleans as dumped) for people."""
    if text is None or text == "":
        return EMPTY
    if name == "value":
        with contextlib.suppress(ValueError):
            return _number(float(text))
    if name == "approximate":
        return "是" if text == "true" else "否"
    if name == "status":
        return {"active": "有效", "retired": "已停用"}.get(text, text)
    return _clip(text)


def _change_lines(changes: Sequence[FieldChange]) -> list[str]:
    return [f"{_label(c.field)}：{_stored(c.field, c.old)} → {_stored(c.field, c.new)}" for c in changes]


def _batches(revisions: Sequence[RevisionView]) -> list[list[RevisionView]]:
    """Revisions grouped by batch (one edit each), newest first."""
    groups: dict[str, list[RevisionView]] = {}
    for r in revisions:
        groups.setdefault(r.batch, []).append(r)
    return list(reversed(groups.values()))


def _when(rev: RevisionView) -> str:
    at = rev.at.astimezone(UTC) if rev.at.tzinfo else rev.at  # stored in UTC; SQLite drops the zone
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _batch_lines(n: int, batch: Sequence[RevisionView]) -> list[render.Line]:
    first = batch[0]
    created = any(r.field == "status" and r.old is None for r in batch)
    lines = [render.Line(f"{n}. {_when(first)} · {_clip(first.actor, 100)}" + (" · 新增" if created else ""))]
    lines.append(render.Line(f"　原因：{_clip(first.reason, 200)}"))
    lines += [
        render.Line(f"　{_label(r.field)}：{_stored(r.field, r.old)} → {_stored(r.field, r.new)}")
        for r in batch
    ]
    return lines


def history_pages(revisions: Sequence[RevisionView]) -> list[list[render.Line]]:
    """Whole edits packed greedily into pages that each fit one message (newest first)."""
    pages: list[list[render.Line]] = []
    current: list[render.Line] = []
    size = 0
    for n, batch in enumerate(_batches(revisions), 1):
        lines = _batch_lines(n, batch)
        cost = sum(render.utf16_len(line.html()) + 1 for line in lines)
        if current and size + cost > HISTORY_BUDGET:
            pages.append(current)
            current, size = [], 0
        current += lines
        size += cost
    if current:
        pages.append(current)
    return pages


def _history_message(fact_id: int, revisions: Sequence[RevisionView], page: int) -> tuple[str, Any]:
    pages = history_pages(revisions)
    count = len(_batches(revisions))
    p = render.paginate(pages, page, 1)
    title = texts.HISTORY_TITLE.format(id=fact_id, count=count, page=p.page + 1, pages=p.pages)
    text = render.to_messages([render.Line(title, "b"), *p.items[0]])[0]
    row = []
    if p.has_prev:
        row.append(
            InlineKeyboardButton("◀ 上一页", callback_data=cb.encode(cb.ModHistory(fact_id, p.page - 1)))
        )
    if p.has_next:
        row.append(
            InlineKeyboardButton("下一页 ▶", callback_data=cb.encode(cb.ModHistory(fact_id, p.page + 1)))
        )
    return text, InlineKeyboardMarkup([row]) if row else None


# ---------------------------------------------------------------------------------- confirming


def _execute(curator: Curator, pending: Pending, actor: str) -> str:
    """Run a confirmed change (in a worker thread); the result as plain text."""
    fid, version, reason = pending.fact_id, pending.version, pending.reason
    if pending.kind == "add":
        view = curator.add(actor, reason=reason, **pending.fields)
        return "\n".join([texts.ADD_DONE.format(id=view.id, version=view.version), *view.lines()])
    if pending.kind == "edit":
        result = curator.edit(actor, fid, pending.fields, version, reason)
        if result.batch is None:
            return texts.EDIT_NO_CHANGE.format(id=fid)
        head = texts.EDIT_DONE.format(id=fid, version=result.fact.version)
        return "\n".join([head, *_change_lines(result.changes), f"当前：{result.fact.brief()}"])
    if pending.kind in ("retire", "restore"):
        method = curator.retire if pending.kind == "retire" else curator.restore
        result = method(actor, fid, version, reason)
        done = texts.RETIRE_DONE if pending.kind == "retire" else texts.RESTORE_DONE
        return done.format(id=fid, version=result.fact.version)
    if pending.kind == "undo":
        result = curator.undo(actor, fid, reason, expected_version=version)
        head = texts.UNDO_DONE.format(id=fid, version=result.fact.version)
        return "\n".join([head, *_change_lines(result.changes), f"当前：{result.fact.brief()}"])
    raise AssertionError(pending.kind)  # pragma: no cover


async def on_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """✅/❌ under a preview. Also a state handler of /addfact, which ends when its change is decided."""
    query = update.callback_query
    value = cb.decode(query.data)
    if not await _allowed(update, context):
        return None
    state = _state(context)
    pending: Pending | None = state["pending"].pop(value.token, None)
    if pending is None or pending.expired:
        log.info("stale moderation button %r from user %s", query.data, update.effective_user.id)
        await query.answer(texts.MOD_STALE, show_alert=True)
        return None
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):  # the preview stays readable, only the buttons go
            await query.edit_message_reply_markup(None)
    ends = END if pending.kind == "add" else None
    if ends is not None:
        state["draft"] = None
    if isinstance(value, cb.ModCancel):
        await _say(update, context, texts.MOD_CANCELLED, bold=False)
        return ends
    actor = f"tg:{update.effective_user.id}"
    try:
        text = await asyncio.to_thread(_execute, _curator(context), pending, actor)
    except CurationError as exc:
        log.info("moderation %s of #%s refused: %s", pending.kind, pending.fact_id, exc)
        await _say(update, context, texts.MOD_FAILED.format(error=exc), bold=False)
        return ends
    log.info("moderation %s of #%s by %s", pending.kind, pending.fact_id, actor)
    await _say(update, context, text)
    return ends


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel: drops the /addfact draft and every pending confirmation of this user."""
    state = _state(context) if context.user_data is not None else {"pending": {}, "draft": None}
    busy = bool(state["pending"]) or state["draft"] is not None
    state["pending"].clear()
    state["draft"] = None
    await _say(update, context, texts.MOD_CANCELLED if busy else texts.MOD_NOTHING_TO_CANCEL, bold=False)
    return END


async def on_stale_step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A moderation button no live conversation or pending change claims (finished, restarted)."""
    await update.callback_query.answer(texts.MOD_STALE, show_alert=True)


# ---------------------------------------------------------------------------------- commands

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


def _moderator_command(fn: Handler) -> Handler:
    """Rights first; a CurationError from validation becomes its (Chinese) message, nothing saved."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await _allowed(update, context):
            return
        try:
            await fn(update, context)
        except NotFoundError as exc:
            await _say(update, context, f"{exc}\n{texts.MOD_NOT_FOUND_HINT}", bold=False)
        except CurationError as exc:
            await _say(update, context, str(exc), bold=False)

    return wrapper


def _id_and_rest(update: Update, command: str) -> tuple[str, str] | None:
    args = _args(update.effective_message)
    if not args:
        return None
    ref, *rest = args.split(None, 1)
    return ref, rest[0].strip() if rest else ""


async def _usage(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    await _say(update, context, texts.MOD_USAGE[command], bold=False)


async def _show(context: ContextTypes.DEFAULT_TYPE, ref: str) -> CuratedFact:
    # Curator.show accepts "6" and "#6" and words a non-number or an unknown id itself
    return await asyncio.to_thread(_curator(context).show, ref)  # type: ignore[arg-type]


@_moderator_command
async def on_editfact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = _id_and_rest(update, "editfact")
    if parsed is None:
        await _usage(update, context, "editfact")
        return
    ref, rest = parsed
    fact = await _show(context, ref)
    if not rest:
        await _say(update, context, "\n".join([*fact.lines(), "", texts.MOD_USAGE["editfact"]]))
        return
    body, raw_reason = split_reason(rest)
    changes = parse_changes(body)
    reason = _reason(raw_reason, "editfact")
    if "article" in changes:
        await _article(context, changes["article"])  # unknown article: said now, not at confirm
    token = _remember(context, Pending("edit", fact.id, fact.version, changes, reason))
    lines = [
        texts.EDIT_CONFIRM.format(id=fact.id, version=fact.version),
        f"主题：{_clip(fact.subject, 200)}",
        *(
            f"{_label(name)}：{_current(fact, name)} → {raw.strip() or EMPTY}"
            for name, raw in changes.items()
        ),
        f"原因：{reason}",
    ]
    await _say(update, context, "\n".join(lines), _confirm_keyboard(token))


async def _status_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str, command: str
) -> None:
    parsed = _id_and_rest(update, command)
    if parsed is None:
        await _usage(update, context, command)
        return
    ref, rest = parsed
    fact = await _show(context, ref)
    target = "retired" if kind == "retire" else "active"
    if fact.status == target:
        await _say(update, context, texts.MOD_ALREADY[target].format(id=fact.id), bold=False)
        return
    body, raw_reason = split_reason(rest)
    reason = _reason(raw_reason or body, command)
    token = _remember(context, Pending(kind, fact.id, fact.version, {}, reason))
    head = (texts.RETIRE_CONFIRM if kind == "retire" else texts.RESTORE_CONFIRM).format(id=fact.id)
    await _say(update, context, "\n".join([head, *fact.lines(), f"原因：{reason}"]), _confirm_keyboard(token))


@_moderator_command
async def on_delfact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _status_command(update, context, "retire", "delfact")


@_moderator_command
async def on_restorefact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _status_command(update, context, "restore", "restorefact")


@_moderator_command
async def on_undo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = _id_and_rest(update, "undo")
    if parsed is None:
        await _usage(update, context, "undo")
        return
    ref, rest = parsed
    curator = _curator(context)
    fact = await _show(context, ref)
    revisions = await asyncio.to_thread(curator.history, fact.id)
    if not revisions:
        await _say(update, context, texts.MOD_NOTHING_TO_UNDO.format(id=fact.id), bold=False)
        return
    body, raw_reason = split_reason(rest)
    reason = _reason(raw_reason or body, "undo")
    last = _batches(revisions)[0]
    first = last[0]
    head = texts.UNDO_CONFIRM.format(
        id=fact.id, at=_when(first), actor=_clip(first.actor, 100), reason=_clip(first.reason, 200)
    )
    if any(r.field == "status" and r.old is None for r in last):
        body_lines = [texts.UNDO_CREATION]
    else:  # undo writes each field's old value back
        body_lines = [
            f"{_label(r.field)}：{_stored(r.field, r.new)} → {_stored(r.field, r.old)}" for r in last
        ]
    token = _remember(context, Pending("undo", fact.id, fact.version, {}, reason))
    text = "\n".join([head, *body_lines, f"原因：{reason}"])
    await _say(update, context, text, _confirm_keyboard(token))


@_moderator_command
async def on_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = _id_and_rest(update, "history")
    if parsed is None:
        await _usage(update, context, "history")
        return
    fact = await _show(context, parsed[0])
    revisions = await asyncio.to_thread(_curator(context).history, fact.id)
    if not revisions:
        await _say(update, context, texts.MOD_NO_HISTORY.format(id=fact.id), bold=False)
        return
    text, markup = _history_message(fact.id, revisions, 0)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def on_history_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not await _allowed(update, context):
        return
    value = cb.decode(query.data)
    try:
        revisions = await asyncio.to_thread(_curator(context).history, value.fact_id)
    except CurationError:
        revisions = []
    if not revisions or not isinstance(query.message, Message):
        await query.answer(texts.MOD_STALE, show_alert=True)
        return
    await query.answer()
    text, markup = _history_message(value.fact_id, revisions, value.page)
    await query.edit_message_text(text, reply_markup=markup)


@_moderator_command
async def on_findfact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyword = _args(update.effective_message)
    if not keyword:
        await _usage(update, context, "findfact")
        return
    keyword = check_text("subject", keyword, 100, required=True)
    facts = await asyncio.to_thread(_curator(context).list_facts, keyword, None, "all", FIND_LIMIT + 1)
    if not facts:
        await _say(update, context, texts.MOD_FOUND_NONE.format(keyword=keyword), bold=False)
        return
    more = "，只列出前 20 条" if len(facts) > FIND_LIMIT else ""
    lines = [texts.FIND_TITLE.format(keyword=keyword, count=min(len(facts), FIND_LIMIT), more=more)]
    for f in facts[:FIND_LIMIT]:
        retired = "［已停用］" if f.status != "active" else ""
        period = f"（{f.period}）" if f.period else ""
        title = f"《{_clip(f.article_title or f.article_key, 30)}》"
        lines.append(f"#{f.id} {retired}{_clip(f.subject, 60)}：{f.value_text}{period} {title}")
    await _say(update, context, "\n".join(lines))


# ---------------------------------------------------------------------------------- /addfact


async def _article(context: ContextTypes.DEFAULT_TYPE, ref: str) -> ArticleView:
    """An article by id or key; the curate validator first (length, HTML), then the knowledge base."""
    text = validate_value("article", ref)
    kb = await asyncio.to_thread(_services(context).engine.loaded)
    snapshot = kb.snapshot
    article = snapshot.article(int(text)) if text.isdigit() else None
    article = article or next((a for a in snapshot.articles if a.key == text), None)
    if article is None:
        raise ValidationError(texts.ADD_UNKNOWN_ARTICLE.format(ref=_clip(text, 60)), "article")
    return article


def _articles_message(articles: Sequence[ArticleView], page: int) -> tuple[str, InlineKeyboardMarkup]:
    p = render.paginate(articles, page, render.ARTICLES_PER_PAGE)
    lines = [
        render.Line(texts.ADD_ARTICLE),
        render.Line(texts.ADD_ARTICLE_PAGE.format(total=len(articles), page=p.page + 1, pages=p.pages), "b"),
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for a in p.items:
        lines.append(render.Line(f"{a.id}. 《{a.title}》"))
        label = f"{a.id}. {a.title}"
        label = label if len(label) <= render.BUTTON_TEXT else label[: render.BUTTON_TEXT - 1] + "…"
        rows.append([InlineKeyboardButton(label, callback_data=cb.encode(cb.ModArticle(a.id)))])
    nav = []
    if p.has_prev:
        nav.append(InlineKeyboardButton("◀ 上一页", callback_data=cb.encode(cb.ModArticlePage(p.page - 1))))
    if p.has_next:
        nav.append(InlineKeyboardButton("下一页 ▶", callback_data=cb.encode(cb.ModArticlePage(p.page + 1))))
    if nav:
        rows.append(nav)
    return render.to_messages(lines)[0], InlineKeyboardMarkup(rows)


def _end_add(context: ContextTypes.DEFAULT_TYPE) -> None:
    state = _state(context)
    state["draft"] = None
    for token in [t for t, p in state["pending"].items() if p.kind == "add"]:
        del state["pending"][token]


async def add_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if not await _allowed(update, context):
        return END
    _end_add(context)  # /addfact again starts over
    state = _state(context)
    state["draft"], state["touched"] = {}, time.monotonic()
    kb = await asyncio.to_thread(_services(context).engine.loaded)
    text, markup = _articles_message(kb.snapshot.articles, 0)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    return ARTICLE


Step = Callable[[Update, ContextTypes.DEFAULT_TYPE, dict[str, Any]], Awaitable[int | None]]


def _step(fn: Step) -> Handler:
    """One /addfact step: rights, expiry, the callback answered; a bad value is re-asked (state kept)."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
        if not await _allowed(update, context):
            _end_add(context)
            return END
        query = update.callback_query
        if query is not None:
            await query.answer()
        state = _state(context)
        if state["draft"] is None or time.monotonic() - state["touched"] > ADD_TIMEOUT:
            _end_add(context)
            await _say(update, context, texts.MOD_TIMEOUT, bold=False)
            return END
        state["touched"] = time.monotonic()
        try:
            return await fn(update, context, state["draft"])
        except CurationError as exc:
            await _say(update, context, f"{exc}\n请重新输入，或发送 /cancel 取消。", bold=False)
            return None

    return wrapper


def _text(update: Update) -> str:
    return update.effective_message.text or ""


async def _ask_subject(update: Update, context: ContextTypes.DEFAULT_TYPE, article: ArticleView) -> int:
    await _say(update, context, f"文章：《{article.title}》\n{texts.ADD_SUBJECT}", bold=False)
    return SUBJECT


def _choose_article(draft: dict[str, Any], article: ArticleView) -> None:
    draft["article"], draft["title"] = article.key, article.title


@_step
async def add_article_text(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    article = await _article(context, _text(update))
    _choose_article(draft, article)
    return await _ask_subject(update, context, article)


@_step
async def add_article_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]
) -> int | None:
    value = cb.decode(update.callback_query.data)
    if isinstance(value, cb.ModArticlePage):
        kb = await asyncio.to_thread(_services(context).engine.loaded)
        text, markup = _articles_message(kb.snapshot.articles, value.page)
        await update.callback_query.edit_message_text(text, reply_markup=markup)
        return None
    article = await _article(context, str(value.article_id))
    _choose_article(draft, article)
    return await _ask_subject(update, context, article)


@_step
async def add_subject(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    draft["subject"] = validate_value("subject", _text(update))
    await _say(update, context, texts.ADD_VALUE, bold=False)
    return VALUE


def _units_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(u, callback_data=cb.encode(cb.ModUnit(i))) for i, u in enumerate(COMMON_UNITS)
    ]
    return InlineKeyboardMarkup(
        [buttons[i : i + UNITS_PER_ROW] for i in range(0, len(buttons), UNITS_PER_ROW)]
    )


def _changes_keyboard() -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(c or texts.ADD_NO_CHANGE, callback_data=cb.encode(cb.ModChange(i)))
        for i, c in enumerate(CHANGE_CHOICES)
    ]
    return InlineKeyboardMarkup([row])


@_step
async def add_value(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    raw = _text(update).strip()
    validate_value("value", raw)
    draft["value"] = raw
    await _say(update, context, texts.ADD_UNIT, _units_keyboard(), bold=False)
    return UNIT


async def _chose_unit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any], raw: str
) -> int:
    draft["unit"] = validate_value("unit", raw).name
    await _say(update, context, f"单位：{draft['unit']}\n{texts.ADD_CHANGE}", _changes_keyboard(), bold=False)
    return CHANGE


@_step
async def add_unit_text(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    return await _chose_unit(update, context, draft, _text(update))


@_step
async def add_unit_button(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    value = cb.decode(update.callback_query.data)
    if value.index >= len(COMMON_UNITS):
        raise ValidationError(texts.MOD_STALE, "unit")
    return await _chose_unit(update, context, draft, COMMON_UNITS[value.index])


async def _chose_change(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any], change: str | None
) -> int:
    draft["change"] = change
    skip = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ADD_SKIP, callback_data=cb.encode(cb.ModSkip()))]]
    )
    await _say(
        update, context, f"变化：{change or texts.ADD_NO_CHANGE}\n{texts.ADD_PERIOD}", skip, bold=False
    )
    return PERIOD


@_step
async def add_change_text(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    raw = _text(update).strip()
    change = None if raw in texts.ADD_SKIP_WORDS else validate_value("change", raw)
    return await _chose_change(update, context, draft, change)


@_step
async def add_change_button(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    value = cb.decode(update.callback_query.data)
    if value.index >= len(CHANGE_CHOICES):
        raise ValidationError(texts.MOD_STALE, "change")
    return await _chose_change(update, context, draft, CHANGE_CHOICES[value.index])


async def _confirm_add(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any], period: str | None
) -> int:
    draft["period"] = period
    fields = {k: draft[k] for k in ("article", "subject", "value", "unit")}
    fields.update({k: draft[k] for k in ("change", "period") if draft.get(k)})
    token = _remember(context, Pending("add", None, None, fields, texts.ADD_REASON))
    lines = [
        texts.ADD_CONFIRM,
        f"文章：《{draft['title']}》",
        f"主题：{draft['subject']}",
        f"数值：{draft['value']}",
        f"单位：{draft['unit']}",
        f"变化：{draft.get('change') or texts.ADD_NO_CHANGE}",
        f"时期：{period or EMPTY}",
    ]
    await _say(update, context, "\n".join(lines), _confirm_keyboard(token))
    return CONFIRM


@_step
async def add_period_text(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    raw = _text(update).strip()
    period = None if raw in texts.ADD_SKIP_WORDS else validate_value("period", raw)
    return await _confirm_add(update, context, draft, period)


@_step
async def add_period_skip(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> int:
    return await _confirm_add(update, context, draft, None)


@_step
async def add_press_button(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict[str, Any]) -> None:
    await _say(update, context, texts.MOD_PRESS_BUTTON, bold=False)


async def add_timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Only with a JobQueue (PTB's ``job-queue`` extra); otherwise :func:`_step` expires lazily."""
    _end_add(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        await _say(update, context, texts.MOD_TIMEOUT, bold=False)


# ---------------------------------------------------------------------------------- assembly


def register(app: Application) -> None:
    """Add the moderation handlers. Call before the catch-all command, text and button handlers,
    so /addfact's typed answers and the moderation buttons reach these first."""
    typed = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # per_message=False is deliberate: the steps mix typed text and buttons; buttons are
        # still tied to this user and chat by the conversation key (per_user, per_chat).
        warnings.filterwarnings("ignore", message=".*per_message=False.*", category=PTBUserWarning)
        # without PTB's job-queue extra there is no JobQueue: drafts then expire lazily (_step)
        warnings.filterwarnings("ignore", message="No `JobQueue` set up", category=PTBUserWarning)
        addfact = ConversationHandler(
            entry_points=[CommandHandler("addfact", add_start)],
            states={
                ARTICLE: [
                    CallbackQueryHandler(
                        add_article_button, pattern=_matches(cb.ModArticle, cb.ModArticlePage)
                    ),
                    MessageHandler(typed, add_article_text),
                ],
                SUBJECT: [MessageHandler(typed, add_subject)],
                VALUE: [MessageHandler(typed, add_value)],
                UNIT: [
                    CallbackQueryHandler(add_unit_button, pattern=_matches(cb.ModUnit)),
                    MessageHandler(typed, add_unit_text),
                ],
                CHANGE: [
                    CallbackQueryHandler(add_change_button, pattern=_matches(cb.ModChange)),
                    MessageHandler(typed, add_change_text),
                ],
                PERIOD: [
                    CallbackQueryHandler(add_period_skip, pattern=_matches(cb.ModSkip)),
                    MessageHandler(typed, add_period_text),
                ],
                CONFIRM: [
                    CallbackQueryHandler(on_decision, pattern=_matches(cb.ModConfirm, cb.ModCancel)),
                    MessageHandler(typed, add_press_button),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, add_timed_out)],
            },
            fallbacks=[CommandHandler("cancel", on_cancel)],
            allow_reentry=True,
            per_chat=True,
            per_user=True,
            conversation_timeout=ADD_TIMEOUT if app.job_queue is not None else None,
            name="addfact",
        )
    app.add_handler(addfact)
    app.add_handler(CommandHandler("editfact", on_editfact))
    app.add_handler(CommandHandler("delfact", on_delfact))
    app.add_handler(CommandHandler("restorefact", on_restorefact))
    app.add_handler(CommandHandler("undo", on_undo))
    app.add_handler(CommandHandler("history", on_history))
    app.add_handler(CommandHandler("findfact", on_findfact))
    app.add_handler(CommandHandler("cancel", on_cancel))
    app.add_handler(CallbackQueryHandler(on_decision, pattern=_matches(cb.ModConfirm, cb.ModCancel)))
    app.add_handler(CallbackQueryHandler(on_history_page, pattern=_matches(cb.ModHistory)))
    app.add_handler(CallbackQueryHandler(on_stale_step, pattern=_matches(*cb.MODERATION)))
