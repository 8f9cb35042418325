"""Moderators curate facts from Telegram: /addfact (guided), /editfact, /delfact, /restorefact,
/undo, /history, /findfact, /cancel.

    command ──► moderator? ──► validate (knowledge.curate) ──► preview + [✅ 确认][❌ 取消]
                                                                    │ me:/mc:<token>
    button  ──► moderator? ──► take(token) (bot.dialogues, the database) ──► Curator ──► result

Every rule lives below this module: *who* may curate in ``knowledge.moderators`` (the
``MODERATOR_IDS`` list plus the ``moderators`` table, asked in every handler — command scopes
only change what a client shows), *what* is valid, the audit trail, optimistic locking and the
revision bump in ``knowledge.curate``. Input is validated with the curate module's own
validators as soon as it is typed, so a bad value is re-asked at its step, and the Curator
checks everything again when the change is confirmed.

A confirmation remembers the fact version it showed and passes it as ``expected_version``, so an
edit made elsewhere in between (CLI, another moderator) surfaces as ``StaleEditError`` with the
current values instead of being overwritten.

Several webhook workers serve one bot and any of them may get a moderator's next message or
button press, so nothing of a dialogue is kept in a worker's memory: pending changes (under a
short random token) and the /addfact draft (its step and answers) are in the database, behind
``bot.dialogues.DialogueStore``. A confirmation is taken from there atomically, so a button
works once even when two workers get it, only for the moderator who asked, and only for
:data:`PENDING_TTL`; anything else is answered as a stale button. /addfact is no PTB
``ConversationHandler`` (its state would be per process): each update reads the draft,
dispatches on its stored step, and saves the next step with a compare-and-set.

Nothing here touches the engine: the Curator bumps the knowledge revision and the engine
reloads on the next question, so an edit is answered at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import render, texts
from bot.dialogues import DialogueStore, Draft, Pending, StoredDraft, Unreadable, new_token
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
    is_creation,
    parse_changes,
    scaled_figure,
    undo_target,
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
STEP_GROUP = -1  # typed /addfact steps are claimed before the question handler sees the text
SAVE_ATTEMPTS = 3  # another worker saved the same draft first: run the step again on its result
HISTORY_BUDGET = render.MAX_TEXT - 400  # one page of history, leaving room for the title line
HISTORY_VALUE = 80  # characters of an old/new value shown in history (a sentence can be 2000)
FIND_LIMIT = 20
COMMON_UNITS = ("名", "人", "起", "个", "件", "次", "家", "元", "万元", "%")
CHANGE_CHOICES: tuple[str | None, ...] = ("上升", "下降", None)
UNITS_PER_ROW = 5
EMPTY = "（空）"

assert all(u in ALLOWED_UNITS for u in COMMON_UNITS), "a unit button the Curator would refuse"


# ---------------------------------------------------------------------------------- plumbing


def _services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data[SERVICES_KEY]


def _curator(context: ContextTypes.DEFAULT_TYPE) -> Curator:
    return Curator(_services(context).engine.factory)  # stateless and cheap


def _dialogues(context: ContextTypes.DEFAULT_TYPE) -> DialogueStore:
    """The moderators' dialogue state, shared by every worker; made per call like the Curator, so
    the limits are read when used."""
    return DialogueStore(
        _services(context).engine.factory,
        draft_ttl=timedelta(seconds=ADD_TIMEOUT),
        pending_ttl=timedelta(seconds=PENDING_TTL),
        max_pending=MAX_PENDING,
    )


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
    await _send(context, update.effective_chat.id, text, markup, bold=bold)


async def _send(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    bold: bool = True,
) -> None:
    parts = [p for p in render.render_text(text, bold_first=bold) if p]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await context.bot.send_message(chat_id, part, reply_markup=markup if last else None)


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


async def _remember(update: Update, context: ContextTypes.DEFAULT_TYPE, pending: Pending) -> str:
    """Store a change for ✅ (any worker may get the press); the token its buttons carry."""
    store = _dialogues(context)
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    return await asyncio.to_thread(store.remember, user_id, chat_id, pending)


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


async def on_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """✅/❌ under a preview, pressed on whichever worker: the confirmation is taken once."""
    query = update.callback_query
    value = cb.decode(query.data)
    if not isinstance(value, (cb.ModConfirm, cb.ModCancel)):
        # PTB hands a query without data (a game button, a tampered client) to the first
        # pattern handler whatever its pattern: this one, so it is refused here
        log.info("moderation button without usable data %r", query.data)
        await query.answer(texts.MOD_STALE, show_alert=True)
        return
    if not await _allowed(update, context):
        return
    user_id = update.effective_user.id
    pending = await asyncio.to_thread(_dialogues(context).take, user_id, value.token)
    if pending is None:
        log.info("stale moderation button %r from user %s", query.data, user_id)
        await query.answer(texts.MOD_STALE, show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):  # the preview stays readable, only the buttons go
            await query.edit_message_reply_markup(None)
    if isinstance(pending, Unreadable):
        log.warning("unreadable moderation confirmation of user %s dropped: %s", user_id, pending.problem)
        await _say(update, context, texts.MOD_STATE_UNREADABLE, bold=False)
        return
    if isinstance(value, cb.ModCancel):
        await _say(update, context, texts.MOD_CANCELLED, bold=False)
        return
    actor = f"tg:{user_id}"
    try:
        text = await asyncio.to_thread(_execute, _curator(context), pending, actor)
    except CurationError as exc:
        log.info("moderation %s of #%s refused: %s", pending.kind, pending.fact_id, exc)
        await _say(update, context, texts.MOD_FAILED.format(error=exc), bold=False)
        return
    log.info("moderation %s of #%s by %s", pending.kind, pending.fact_id, actor)
    await _say(update, context, text)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: drops the /addfact draft and every pending confirmation of this user."""
    user = update.effective_user
    busy = user is not None and await asyncio.to_thread(_dialogues(context).cancel_all, user.id)
    await _say(update, context, texts.MOD_CANCELLED if busy else texts.MOD_NOTHING_TO_CANCEL, bold=False)


# ---------------------------------------------------------------------------------- commands

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


def _moderator_command(fn: Handler) -> Handler:
    """Rights first; a CurationError from validation becomes its (Chinese) message, nothing saved."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.forward_origin is not None:
            # someone else's command, passed on: running it would act on their words as ours
            await _say(update, context, texts.MOD_FORWARDED, bold=False)
            return
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
    # the scaled figure and its text depend on the fact: refused now, not after the ✅
    await asyncio.to_thread(_curator(context).check_edit, fact.id, changes)
    token = await _remember(update, context, Pending("edit", fact.id, fact.version, changes, reason))
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
    token = await _remember(update, context, Pending(kind, fact.id, fact.version, {}, reason))
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
    if parsed is None or not parsed[0].lstrip("#").isdigit():
        from bot.curation import undo_teaching  # no fact id: the last link or synonym change

        await undo_teaching(update, context, _args(update.effective_message) or None)
        return
    ref, rest = parsed
    curator = _curator(context)
    fact = await _show(context, ref)
    last = undo_target(await asyncio.to_thread(curator.history, fact.id))  # what the next undo reverts
    if last is None:
        await _say(update, context, texts.MOD_NOTHING_TO_UNDO.format(id=fact.id), bold=False)
        return
    body, raw_reason = split_reason(rest)
    reason = _reason(raw_reason or body, "undo")
    first = last[0]
    head = texts.UNDO_CONFIRM.format(
        id=fact.id, at=_when(first), actor=_clip(first.actor, 100), reason=_clip(first.reason, 200)
    )
    if is_creation(last):
        body_lines = [texts.UNDO_CREATION]
    else:  # undo writes each field's old value back
        body_lines = [
            f"{_label(r.field)}：{_stored(r.field, r.new)} → {_stored(r.field, r.old)}" for r in last
        ]
    token = await _remember(update, context, Pending("undo", fact.id, fact.version, {}, reason))
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
        if not isinstance(value, cb.ModHistory):
            raise CurationError(texts.MOD_STALE)
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


@dataclass(frozen=True)
class Next:
    """A step's outcome, computed without side effects so a step can run again after a lost
    compare-and-set: the draft to save, what to say once it is saved, the ✅ to store with it."""

    draft: Draft
    text: str  # plain text for _say; HTML when ``edit``
    markup: InlineKeyboardMarkup | None = None
    pending: Pending | None = None
    bold: bool = False
    edit: bool = False  # replace the pressed message (article list paging) instead of sending


StepInput = str | cb.CallbackValue  # typed text or a decoded button
Step = Callable[[ContextTypes.DEFAULT_TYPE, Draft, Any], Awaitable[Next]]


async def add_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _allowed(update, context):
        return
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    kb = await asyncio.to_thread(_services(context).engine.loaded)
    # /addfact again starts over, dropping an earlier draft and its ✅ (on every worker alike)
    stored = await asyncio.to_thread(_dialogues(context).start_draft, user_id, chat_id)
    text, markup = _articles_message(kb.snapshot.articles, 0)
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    _schedule_timeout(context, stored)


def _text(update: Update) -> str:
    return update.effective_message.text or ""


def _chose_article(draft: Draft, article: ArticleView) -> Next:
    draft = replace(draft, step="subject", article=article.key, title=article.title)
    return Next(draft, f"文章：《{article.title}》\n{texts.ADD_SUBJECT}")


async def _typed_article(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    return _chose_article(draft, await _article(context, raw))


async def _pressed_article(context: ContextTypes.DEFAULT_TYPE, draft: Draft, value: cb.ModArticle) -> Next:
    return _chose_article(draft, await _article(context, str(value.article_id)))


async def _article_page(context: ContextTypes.DEFAULT_TYPE, draft: Draft, value: cb.ModArticlePage) -> Next:
    kb = await asyncio.to_thread(_services(context).engine.loaded)
    text, markup = _articles_message(kb.snapshot.articles, value.page)
    return Next(draft, text, markup, edit=True)


async def _subject(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    subject = validate_value("subject", raw)
    return Next(replace(draft, step="value", subject=subject), texts.ADD_VALUE)


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


async def _value(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    raw = raw.strip()
    validate_value("value", raw)
    return Next(replace(draft, step="unit", value=raw), texts.ADD_UNIT, _units_keyboard())


def _chose_unit(draft: Draft, raw: str) -> Next:
    spec = validate_value("unit", raw)
    scaled_figure(validate_value("value", draft.value or ""), spec)  # 1e300 亿元: asked again now
    unit = spec.name
    return Next(
        replace(draft, step="change", unit=unit), f"单位：{unit}\n{texts.ADD_CHANGE}", _changes_keyboard()
    )


async def _typed_unit(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    return _chose_unit(draft, raw)


async def _pressed_unit(context: ContextTypes.DEFAULT_TYPE, draft: Draft, value: cb.ModUnit) -> Next:
    if value.index >= len(COMMON_UNITS):
        raise ValidationError(texts.MOD_STALE, "unit")
    return _chose_unit(draft, COMMON_UNITS[value.index])


def _chose_change(draft: Draft, change: str | None) -> Next:
    skip = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ADD_SKIP, callback_data=cb.encode(cb.ModSkip()))]]
    )
    text = f"变化：{change or texts.ADD_NO_CHANGE}\n{texts.ADD_PERIOD}"
    return Next(replace(draft, step="period", change=change), text, skip)


async def _typed_change(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    raw = raw.strip()
    return _chose_change(draft, None if raw in texts.ADD_SKIP_WORDS else validate_value("change", raw))


async def _pressed_change(context: ContextTypes.DEFAULT_TYPE, draft: Draft, value: cb.ModChange) -> Next:
    if value.index >= len(CHANGE_CHOICES):
        raise ValidationError(texts.MOD_STALE, "change")
    return _chose_change(draft, CHANGE_CHOICES[value.index])


def _confirm_add(draft: Draft, period: str | None) -> Next:
    """The summary with ✅/❌; its confirmation is saved together with the draft."""
    token = new_token()
    draft = replace(draft, step="confirm", period=period, token=token)
    answers = {
        "article": draft.article,
        "subject": draft.subject,
        "value": draft.value,
        "unit": draft.unit,
        "change": draft.change,
        "period": period,
    }
    fields = {k: v for k, v in answers.items() if v}  # the first four are always there by now
    lines = [
        texts.ADD_CONFIRM,
        f"文章：《{draft.title}》",
        f"主题：{draft.subject}",
        f"数值：{draft.value}",
        f"单位：{draft.unit}",
        f"变化：{draft.change or texts.ADD_NO_CHANGE}",
        f"时期：{period or EMPTY}",
    ]
    pending = Pending("add", None, None, fields, texts.ADD_REASON)
    return Next(draft, "\n".join(lines), _confirm_keyboard(token), pending, bold=True)


async def _typed_period(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    raw = raw.strip()
    return _confirm_add(draft, None if raw in texts.ADD_SKIP_WORDS else validate_value("period", raw))


async def _skip_period(context: ContextTypes.DEFAULT_TYPE, draft: Draft, value: cb.ModSkip) -> Next:
    return _confirm_add(draft, None)


async def _press_button(context: ContextTypes.DEFAULT_TYPE, draft: Draft, raw: str) -> Next:
    return Next(draft, texts.MOD_PRESS_BUTTON)


# (stored step, what arrived) → the step; anything else is a button of another step: stale
STEPS: dict[tuple[str, type], Step] = {
    ("article", str): _typed_article,
    ("article", cb.ModArticle): _pressed_article,
    ("article", cb.ModArticlePage): _article_page,
    ("subject", str): _subject,
    ("value", str): _value,
    ("unit", str): _typed_unit,
    ("unit", cb.ModUnit): _pressed_unit,
    ("change", str): _typed_change,
    ("change", cb.ModChange): _pressed_change,
    ("period", str): _typed_period,
    ("period", cb.ModSkip): _skip_period,
    ("confirm", str): _press_button,
}
ADD_BUTTONS = (cb.ModArticle, cb.ModArticlePage, cb.ModUnit, cb.ModChange, cb.ModSkip)
assert {cb.ModConfirm, cb.ModCancel, cb.ModHistory, *ADD_BUTTONS} == set(cb.MODERATION), (
    "a button no handler takes"
)


async def _continue(
    update: Update, context: ContextTypes.DEFAULT_TYPE, stored: StoredDraft, given: StepInput
) -> bool:
    """Run the step the stored draft waits at on ``given``, save the next one, then reply.

    The save is a compare-and-set: when another worker saved this draft first (a double press,
    two quick messages on two workers) the step runs again on what it saved, as one worker
    handling them in turn would. False when the draft is gone meanwhile (nothing said).
    """
    query = update.callback_query
    store = _dialogues(context)
    if not await _allowed(update, context):  # rights may be taken away mid-dialogue
        await asyncio.to_thread(store.end_draft, stored.user_id)
        return True
    for _ in range(SAVE_ATTEMPTS):
        if isinstance(stored.draft, Unreadable) or stored.expired:
            await asyncio.to_thread(store.end_draft, stored.user_id)
            if query is not None:
                await query.answer()
            if isinstance(stored.draft, Unreadable):
                log.warning(
                    "unreadable /addfact draft of user %s dropped: %s", stored.user_id, stored.draft.problem
                )
                await _say(update, context, texts.MOD_STATE_UNREADABLE, bold=False)
            else:
                await _say(update, context, texts.MOD_TIMEOUT, bold=False)
            return True
        step = STEPS.get((stored.draft.step, type(given)))
        if step is None:  # a button of an earlier step, or pressed twice
            if query is not None:
                await query.answer(texts.MOD_STALE, show_alert=True)
            return True
        try:
            result = await step(context, stored.draft, given)
        except CurationError as exc:  # re-asked; the step stays
            result = Next(stored.draft, f"{exc}\n请重新输入，或发送 /cancel 取消。")
        saved = await asyncio.to_thread(store.save_draft, stored, result.draft, result.pending)
        if saved is not None:
            break
        again = await asyncio.to_thread(store.draft, stored.user_id)
        if again is None or again.chat_id != stored.chat_id:
            return False
        stored = again
    else:
        log.warning("/addfact draft of user %s kept changing under us; update dropped", stored.user_id)
        if query is not None:
            await query.answer(texts.MOD_STALE, show_alert=True)
        return True
    if query is not None:
        await query.answer()
    if result.edit and query is not None:
        await query.edit_message_text(result.text, reply_markup=result.markup)
    else:
        await _say(update, context, result.text, result.markup, bold=result.bold)
    _schedule_timeout(context, saved)
    return True


async def on_add_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: an /addfact step when this user has a draft in this chat, otherwise not ours.

    Registered in :data:`STEP_GROUP`, ahead of the catch-all question handler, and costs one
    primary-key read per message. ``ApplicationHandlerStop`` keeps a step's answer from also
    being answered as a question; without a draft here the text goes on to be one.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    try:
        stored = await asyncio.to_thread(_dialogues(context).draft, user.id)
    except DBAPIError as exc:  # the question handler next says so, once (not twice)
        log.warning("could not read the /addfact draft of user %s: %s", user.id, exc.orig)
        return
    if stored is None or stored.chat_id != chat.id:
        return
    if await _continue(update, context, stored, _text(update)):
        raise ApplicationHandlerStop


async def on_add_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An /addfact step button (article, page, unit, change, skip), on whichever worker."""
    query = update.callback_query
    user, chat = update.effective_user, update.effective_chat
    stored = await asyncio.to_thread(_dialogues(context).draft, user.id)
    if stored is None or chat is None or stored.chat_id != chat.id:
        await query.answer(texts.MOD_STALE, show_alert=True)  # finished, cancelled or restarted
        return
    if not await _continue(update, context, stored, cb.decode(query.data)):
        await query.answer(texts.MOD_STALE, show_alert=True)


def _schedule_timeout(context: ContextTypes.DEFAULT_TYPE, stored: StoredDraft) -> None:
    """Say "timed out" after :data:`ADD_TIMEOUT` of silence, if no worker touched the draft since.

    The job runs on the worker that saved last and ends the draft only if it is still at the
    version that worker saved (compare-and-delete), so a job left on a worker the dialogue has
    moved away from does nothing. Without PTB's JobQueue, or after a restart, drafts still
    expire when the moderator next writes (:func:`_continue`).
    """
    jobs = context.application.job_queue
    if jobs is None or ADD_TIMEOUT <= 0:
        return
    name = f"addfact-timeout:{stored.user_id}"
    for job in jobs.get_jobs_by_name(name):
        job.schedule_removal()
    data = (stored.user_id, stored.chat_id, stored.version)
    jobs.run_once(add_timed_out, ADD_TIMEOUT, data=data, name=name)


async def add_timed_out(context: ContextTypes.DEFAULT_TYPE) -> None:
    user_id, chat_id, version = context.job.data
    if await asyncio.to_thread(_dialogues(context).expire_draft, user_id, version):
        log.info("/addfact draft of user %s timed out", user_id)
        await _send(context, chat_id, texts.MOD_TIMEOUT, bold=False)


# ---------------------------------------------------------------------------------- assembly


def register(app: Application) -> None:
    """Add the moderation handlers. Call before the catch-all command, text and button handlers,
    so the moderation buttons reach these first; typed /addfact steps are claimed in an earlier
    group (:data:`STEP_GROUP`)."""
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_add_text), group=STEP_GROUP)
    app.add_handler(CommandHandler("addfact", add_start))
    app.add_handler(CommandHandler("editfact", on_editfact))
    app.add_handler(CommandHandler("delfact", on_delfact))
    app.add_handler(CommandHandler("restorefact", on_restorefact))
    app.add_handler(CommandHandler("undo", on_undo))
    app.add_handler(CommandHandler("history", on_history))
    app.add_handler(CommandHandler("findfact", on_findfact))
    app.add_handler(CommandHandler("cancel", on_cancel))
    app.add_handler(CallbackQueryHandler(on_decision, pattern=_matches(cb.ModConfirm, cb.ModCancel)))
    app.add_handler(CallbackQueryHandler(on_add_button, pattern=_matches(*ADD_BUTTONS)))
    app.add_handler(CallbackQueryHandler(on_history_page, pattern=_matches(cb.ModHistory)))
