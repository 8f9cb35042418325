"""The curators' loop in Telegram: 👍/👎 under answers, /privacy for everyone, and for moderators
/unanswered, /feedback, /link, /links, /unlink, /synonym, /synonyms, /unsynonym, /stats and
/undo (without an id: the moderator's last link or synonym change).

    command ──► moderator? (bot.moderation) ──► knowledge.teach / knowledge.questionlog ──► reply

Links and synonyms apply at once, without a confirmation: they change no fact, and /undo,
/unlink and /unsynonym take them back. Every rule (validation, revisions, locking, the revision
bump that every worker's engine hears) is in ``knowledge.teach``; this module only translates.
A vote is taken by whichever worker gets the press: the question it is about comes from the
chat context in the database (``bot.feedback``).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callbacks as cb
from bot import compose, feedback, render, texts
from bot.moderation import (
    _allowed,
    _args,
    _matches,
    _moderator_command,
    _reason,
    _say,
    _services,
    _usage,
    split_reason,
)
from knowledge.curate import CurationError
from knowledge.questionlog import DayStats, QuestionLog, log_days, total
from knowledge.teach import LinkView, SynonymView, Teacher, TeachingView

__all__ = ["PER_PAGE", "register", "stats_lines", "undo_teaching"]

PER_PAGE = 8
DEFAULT_DAYS = {"unanswered": 30, "stats": 7}
MAX_DAYS = {"unanswered": 3650, "stats": 366}
SHOWN = 120  # characters of a question or an answer in a list
ARTICLE_WORDS = frozenset({"文章", "报道", "article"})
CHAT_TYPES = {"private": "私聊", "group": "群聊", "supergroup": "群聊", "channel": "频道"}
OUTCOMES = {"refused": "拒答", "chose": "给出选项"}
KINDS = {"fact": "数据", "summary": "摘要", "excerpt": "原文", "list": "列表", "none": "拒答"}


def _teacher(context: ContextTypes.DEFAULT_TYPE) -> Teacher:
    return Teacher(_services(context).engine.factory)


def _log(context: ContextTypes.DEFAULT_TYPE) -> QuestionLog:
    return QuestionLog(_services(context).engine.factory)


def _actor(update: Update) -> str:
    return f"tg:{update.effective_user.id}"


def _clip(text: str, limit: int = SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(at: datetime | None) -> str:
    if at is None:
        return "—"
    at = at.astimezone(UTC) if at.tzinfo else at  # stored in UTC; SQLite drops the zone
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _days(raw: str, command: str) -> int:
    raw = unicodedata.normalize("NFKC", raw).strip().removesuffix("天")
    if not raw:
        return DEFAULT_DAYS[command]
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS[command]:
        raise CurationError(texts.LOOP_BAD_DAYS.format(command=command))
    return int(raw)


# ---------------------------------------------------------------------------------- lists


def _unanswered_items(context: ContextTypes.DEFAULT_TYPE, days: int) -> list[list[str]]:
    items = []
    for q in _log(context).unanswered(days):
        where = "、".join(dict.fromkeys(CHAT_TYPES.get(t, t) for t in q.chat_types))
        line = f"{_clip(q.text)}（{q.count} 次，{OUTCOMES.get(q.outcome, q.outcome)}，最近 {q.last_at:%m-%d}，{where}）"
        items.append([line + (f" 🔗 已链接 #{q.link_id}" if q.link_id else "")])
    return items


def _feedback_items(context: ContextTypes.DEFAULT_TYPE, days: int) -> list[list[str]]:
    items = []
    for f in _log(context).feedback(-1):
        ids = "、".join(f"#{i}" for i in f.ids)
        answer = _clip(f.answer.split("\n", 1)[0] if f.answer else "（无）", SHOWN)
        items.append(
            [
                f"问：{_clip(f.question)}",
                f"　答（{KINDS.get(f.kind, f.kind)}{' ' + ids if ids else ''}）：{answer}",
                f"　{_when(f.at)}",
            ]
        )
    return items


def _link_items(context: ContextTypes.DEFAULT_TYPE, days: int) -> list[list[str]]:
    return [[f"#{v.id} {_describe_link(context, v)}", f"　{v.by or '—'} · {_when(v.at)}"] for v in
            _teacher(context).links()]  # fmt: skip


def _synonym_items(context: ContextTypes.DEFAULT_TYPE, days: int) -> list[list[str]]:
    return [
        [f"#{v.id} {v.describe()}", f"　{v.by or '—'} · {_when(v.at)}"] for v in _teacher(context).synonyms()
    ]


# list code → (items, title, empty text)
LISTS: dict[str, tuple[Callable[[ContextTypes.DEFAULT_TYPE, int], list[list[str]]], str, str]] = {
    "u": (_unanswered_items, texts.LOOP_UNANSWERED_TITLE, texts.LOOP_NO_UNANSWERED),
    "f": (_feedback_items, texts.LOOP_FEEDBACK_TITLE, texts.LOOP_NO_FEEDBACK),
    "l": (_link_items, texts.LOOP_LINKS_TITLE, texts.LOOP_NO_LINKS),
    "s": (_synonym_items, texts.LOOP_SYNONYMS_TITLE, texts.LOOP_NO_SYNONYMS),
}
NUMBERED = frozenset({"u", "f"})  # links and synonyms show their own ids instead


def _page(
    name: str, items: Sequence[list[str]], days: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    _, title, _ = LISTS[name]
    p = render.paginate(items, page, PER_PAGE)
    head = title.format(days=days, count=len(items), page=p.page + 1, pages=p.pages)
    lines = [render.Line(head, "b")]
    for n, item in enumerate(p.items, p.start + 1):
        first, *rest = item
        lines.append(render.Line(f"{n}. {first}" if name in NUMBERED else first))
        lines += [render.Line(r) for r in rest]
    row = []
    if p.has_prev:
        row.append(
            InlineKeyboardButton("◀ 上一页", callback_data=cb.encode(cb.ListPage(name, days, p.page - 1)))
        )
    if p.has_next:
        row.append(
            InlineKeyboardButton("下一页 ▶", callback_data=cb.encode(cb.ListPage(name, days, p.page + 1)))
        )
    return render.to_messages(lines)[0], InlineKeyboardMarkup([row]) if row else None


async def _send_list(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str, days: int = 0) -> None:
    make, _, empty = LISTS[name]
    items = await asyncio.to_thread(make, context, days)
    if not items:
        await _say(update, context, empty.format(days=days), bold=False)
        return
    text, markup = _page(name, items, days, 0)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def on_list_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not await _allowed(update, context):
        return
    value = cb.decode(query.data)
    make, _, _ = LISTS[value.list]
    items = await asyncio.to_thread(make, context, value.days)
    if not items or not isinstance(query.message, Message):
        await query.answer(texts.MOD_STALE, show_alert=True)
        return
    await query.answer()
    text, markup = _page(value.list, items, value.days, value.page)
    await query.edit_message_text(text, reply_markup=markup)


@_moderator_command
async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_list(update, context, "u", _days(_args(update.effective_message), "unanswered"))


@_moderator_command
async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_list(update, context, "f")


@_moderator_command
async def on_links(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_list(update, context, "l")


@_moderator_command
async def on_synonyms(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_list(update, context, "s")


# ---------------------------------------------------------------------------------- teaching


def _describe_link(context: ContextTypes.DEFAULT_TYPE, link: LinkView) -> str:
    """The link with what it answers: the fact's statement, or the article's title."""
    kb = _services(context).engine.loaded()
    if link.target == "fact":
        fact = kb.facts.get(link.fact_id) if link.fact_id is not None else None
        what = f"（{_clip(compose.fact_line(fact), 60)}）" if fact is not None else "（数据已停用）"
        return f"{link.describe()}{what}"
    article = next((a for a in kb.snapshot.articles if a.key == link.article_key), None)
    return f"“{link.phrase}” → 《{article.title}》的摘要" if article else f"{link.describe()}（文章已不存在）"


@_moderator_command
async def on_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    body, raw_reason = split_reason(_args(update.effective_message))
    parts = body.split(None, 1)
    if not parts:
        await _usage(update, context, "link")
        return
    ref, phrase = parts[0], parts[1] if len(parts) > 1 else ""
    target: dict[str, Any] = {"fact_id": ref}
    if ref in ARTICLE_WORDS:
        ref, _, phrase = phrase.partition(" ")
        target = {"article": ref}
    link = await asyncio.to_thread(
        _teacher(context).link, _actor(update), phrase, reason=_reason(raw_reason, "link"), **target
    )
    what = await asyncio.to_thread(_describe_link, context, link)
    await _say(update, context, texts.LOOP_LINKED.format(id=link.id, what=what))


@_moderator_command
async def on_unlink(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    body, raw_reason = split_reason(_args(update.effective_message))
    if not body:
        await _usage(update, context, "unlink")
        return
    link = await asyncio.to_thread(
        _teacher(context).unlink, _actor(update), body, _reason(raw_reason, "unlink")
    )
    await _say(update, context, texts.LOOP_UNLINKED.format(id=link.id, what=link.describe()))


@_moderator_command
async def on_synonym(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    body, raw_reason = split_reason(unicodedata.normalize("NFKC", _args(update.effective_message)))
    if "=" not in body:
        await _usage(update, context, "synonym")
        return
    word, target = body.split("=", 1)
    synonym = await asyncio.to_thread(
        _teacher(context).synonym, _actor(update), word, target, _reason(raw_reason, "synonym")
    )
    await _say(update, context, texts.LOOP_SYNONYM_ADDED.format(id=synonym.id, what=synonym.describe()))


@_moderator_command
async def on_unsynonym(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    body, raw_reason = split_reason(_args(update.effective_message))
    if not body:
        await _usage(update, context, "unsynonym")
        return
    synonym: SynonymView = await asyncio.to_thread(
        _teacher(context).unsynonym, _actor(update), body, _reason(raw_reason, "unsynonym")
    )
    await _say(update, context, texts.LOOP_SYNONYM_REMOVED.format(id=synonym.id, what=synonym.describe()))


async def undo_teaching(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reason: str | None = None
) -> None:
    """/undo without a fact id (rights already checked): the moderator's last link or synonym change."""
    try:
        done: TeachingView = await asyncio.to_thread(
            _teacher(context).undo, _actor(update), _reason(reason, "undo")
        )
    except CurationError as exc:
        await _say(update, context, f"{exc}\n{texts.LOOP_UNDO_HINT}", bold=False)
        return
    what = ("链接 " if done.item == "link" else "同义词 ") + f"#{done.item_id} {done.detail}"
    state = "已恢复" if done.action == "add" else "已删除"
    await _say(update, context, f"✅ 已撤销您上一次的修改：{what} {state}，立即生效。")


# ---------------------------------------------------------------------------------- stats


def stats_lines(days: Sequence[DayStats]) -> list[str]:
    """The /stats table as text (the picture shows the same)."""
    lines = [texts.LOOP_STATS_TITLE.format(days=len(days)), "日期　　提问　答出　选项　拒答　👍　👎"]
    for d in days:
        lines.append(
            f"{d.day:%m-%d}　{d.asked:>4}　{d.answered:>4}　{d.chose:>4}　{d.refused:>4}　{d.up:>2}　{d.down:>2}"
        )
    t = total(days)
    rate = f"{t.answer_rate:.0%}" if t.answer_rate is not None else "—"
    lines.append(
        texts.LOOP_STATS_TOTAL.format(
            asked=t.asked, rate=rate, chose=t.chose, refused=t.refused, up=t.up, down=t.down
        )
    )
    return lines


@_moderator_command
async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.stats_chart import render_stats_png  # matplotlib: loaded on the first chart

    days = _days(_args(update.effective_message), "stats")
    rows = await asyncio.to_thread(_log(context).stats, days)
    lines = stats_lines(rows)
    await _say(update, context, "\n".join(lines))
    png = await asyncio.to_thread(render_stats_png, rows)
    caption = render.render_text(lines[-1], bold_first=False, limit=render.CAPTION_LIMIT)[0]
    await context.bot.send_photo(update.effective_chat.id, png, caption=caption)


# ---------------------------------------------------------------------------------- everyone


async def on_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, texts.PRIVACY.format(days=log_days()))


async def on_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍/👎 under an answer: one vote per user and answer, a second press changes it."""
    query = update.callback_query
    value = cb.decode(query.data)
    message = query.message if isinstance(query.message, Message) else None
    services = _services(context)
    ctx = await asyncio.to_thread(services.contexts.load, message.chat_id) if message else None
    asked = feedback.asked(ctx, value.key)
    if message is None or asked is None or update.effective_user is None:
        await query.answer(texts.VOTE_STALE)
        return
    question, kind, ids = asked
    changed = await asyncio.to_thread(
        _log(context).vote,
        update.effective_user.id,
        f"{message.chat_id}:{value.key}",
        1 if value.up else -1,
        question,
        kind,
        ids,
        message.text or message.caption or "",
    )
    await query.answer(texts.VOTE_THANKS[value.up] if changed else texts.VOTE_SAME)


# ---------------------------------------------------------------------------------- assembly


def register(app: Application) -> None:
    """Add the handlers; called by ``bot.telegram_app`` before its catch-all handlers."""
    app.add_handler(CommandHandler("privacy", on_privacy))
    for name, handler in (
        ("unanswered", on_unanswered),
        ("feedback", on_feedback),
        ("link", on_link),
        ("links", on_links),
        ("unlink", on_unlink),
        ("synonym", on_synonym),
        ("synonyms", on_synonyms),
        ("unsynonym", on_unsynonym),
        ("stats", on_stats),
    ):
        app.add_handler(CommandHandler(name, handler))
    app.add_handler(CallbackQueryHandler(on_vote, pattern=_matches(cb.Vote)))
    app.add_handler(CallbackQueryHandler(on_list_page, pattern=_matches(cb.ListPage)))
