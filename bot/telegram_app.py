"""The Telegram front end (python-telegram-bot v22): handlers only translate.

    Update ──► filters ──► handler ──► Engine.answer / summary_of / excerpt ──► render ──► Bot API
                                   └─► ContextStore (per chat, in the database)

Matching and wording come from the engine (``bot.engine``/``bot.compose``); fixed wording from
``bot.texts``; HTML, splitting and buttons from ``bot.render``; callback data from
``bot.callbacks``. The engine is synchronous and CPU-bound, so it runs in a worker thread to
keep the event loop (and other chats) responsive: one thread trip per question reads the
chat's context, answers and writes the new context. Updates of different chats are handled
concurrently, one chat's updates one at a time and in order (``bot.ordering``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import logging
import os
import re
import sys
import urllib.parse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from telegram import (
    BotCommand,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import callbacks as cb
from bot import compose, feedback, render, texts
from bot.answer import Answer, Choice
from bot.context import ContextStore
from bot.engine import Engine
from bot.ordering import ChatOrderedProcessor
from bot.retrying import RetryingRequest
from knowledge import logs
from knowledge.moderators import is_moderator
from knowledge.paths import seeds_dir

__all__ = [
    "TOKEN_PATTERN",
    "BotServices",
    "RedactingFilter",
    "application_builder",
    "build_application",
    "parse_moderator_ids",
    "run_from_env",
]

log = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
SERVICES_KEY = "factbot"
INLINE_RESULTS = 8
INLINE_CACHE_SECONDS = 30
CHART_FACTS = 10
RATE_LIMIT_RETRIES = 1
RATE_LIMIT_ENV = "TELEGRAM_RATE_LIMIT"  # "off" only for load tests against a local Bot API server
TYPING_AFTER = 0.3  # seconds an answer may take before the chat sees "typing…"
# Updates handled at once (different chats; one chat's updates stay in order, see bot.ordering).
# Enough to keep several Bot API round trips (≈0.1 s each to Telegram) in flight; the engine is
# Python, so more only queue for the same core.
CONCURRENT_UPDATES = 8
# Bot API connections: one per update in flight. PTB's default pool of 256 costs CPU on every
# request (httpcore checks each pooled connection for expiry, a syscall apiece), and more
# connections than updates in flight are never used. Requests beyond it wait for a free one.
CONNECTION_POOL = CONCURRENT_UPDATES
POOL_TIMEOUT = 10.0  # seconds a request may wait for a free connection (PTB's default: 1)
# Threads for the engine and the database (the event loop's default executor). Fewer than the
# database pool's 5 connections: with more threads than pooled connections, SQLAlchemy opens an
# overflow connection and closes it again on return: ≈3 new PostgreSQL backends a second under load.
# The engine holds the GIL while it works, so more threads would not answer faster.
WORKER_THREADS = 4


@dataclass
class BotServices:
    """What every handler needs, kept in ``application.bot_data``."""

    engine: Engine
    contexts: ContextStore
    moderator_ids: frozenset[int]

    def is_moderator(self, user_id: int | None) -> bool:
        # command scopes only change what a client shows: rights are checked here, per user,
        # against MODERATOR_IDS and the moderators table alike (one query; call it off the loop)
        return is_moderator(self.engine.factory, user_id, self.moderator_ids)


def _services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data[SERVICES_KEY]


# ---------------------------------------------------------------------------------- filters


class AddressedToBot(filters.MessageFilter):
    """In groups: a mention of the bot (@username or text_mention) or a reply to its message."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        if message.reply_to_message is not None:
            author = message.reply_to_message.from_user
            if author is not None and author.id == bot.id:
                return True
        return _mentions_bot(message, bot.username, bot.id)


def _mentions_bot(message: Message, username: str | None, bot_id: int) -> bool:
    for entities, parse in (
        (message.entities, message.parse_entities),
        (message.caption_entities, message.parse_caption_entities),
    ):
        if not entities:
            continue
        for entity, text in parse([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
            if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
                return True
            if entity.type == MessageEntity.MENTION and username and text.lower() == f"@{username.lower()}":
                return True
    return False


ADDRESSED = (
    filters.ChatType.PRIVATE
    | (
        (filters.Entity(MessageEntity.MENTION) | filters.Entity(MessageEntity.TEXT_MENTION))
        | (filters.CaptionEntity(MessageEntity.MENTION) | filters.CaptionEntity(MessageEntity.TEXT_MENTION))
        | filters.REPLY
    )
    & AddressedToBot()
)
# ``filters.UpdateType.MESSAGES`` = new and edited messages: channel posts never reach a handler.
QUESTION = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND & ADDRESSED
CAPTIONED = filters.UpdateType.MESSAGES & filters.CAPTION & ~filters.TEXT & ADDRESSED
NON_TEXT = (
    filters.UpdateType.MESSAGES
    & ~filters.TEXT
    & ~filters.CAPTION
    & ~filters.StatusUpdate.ALL
    & (
        filters.PHOTO
        | filters.Sticker.ALL
        | filters.VOICE
        | filters.AUDIO
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
        | filters.Document.ALL
        | filters.LOCATION
        | filters.VENUE
        | filters.CONTACT
        | filters.POLL
        | filters.Dice.ALL
    )
    & ADDRESSED
)
# Only in private chats: in groups a command may well be meant for another bot.
UNKNOWN_COMMAND = filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE


def _strip_mention(text: str, username: str | None) -> str:
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


# ---------------------------------------------------------------------------------- sending


async def _send_html(
    message: Message, parts: Iterable[str], markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send the parts in order; the buttons go under the last one."""
    parts = [p for p in parts if p]
    sent = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent = await message.reply_text(part, reply_markup=markup if last else None)
    return sent


async def _send_answer(message: Message, answer: Answer, services: BotServices) -> None:
    """Remember the answer as the chat's context (follow-ups, ``q:<n>`` buttons) and show it."""
    await asyncio.to_thread(services.contexts.save, message.chat_id, answer.remembered())
    await _send_html(message, render.render_answer(answer), render.answer_keyboard(answer))


def _answer_in_context(services: BotServices, message: Message, text: str, choice: Choice | None) -> Answer:
    """Read the chat's context, answer (a chosen option by what it names), remember the new context
    (and note the question for the curators' loop, ``bot.feedback``): one trip to a worker thread."""
    before = services.contexts.load(message.chat_id)
    answer = services.engine.choose(choice) if choice is not None else None
    if answer is None:  # a question, or an option a rebuild has made stale: asked as its text
        answer = services.engine.answer(text, before)
    state = feedback.remember(before, answer.remembered(), message.message_id, text, answer)
    services.contexts.save(message.chat_id, state)
    feedback.note(services.engine.factory, text, answer, message.chat.type)
    return answer


async def _answer_question(
    message: Message, text: str, services: BotServices, choice: Choice | None = None
) -> None:
    """Answer in a worker thread; show "typing…" only if that takes longer than ``TYPING_AFTER``.

    Most answers take a few milliseconds, so the chat action would cost a Bot API call (and a
    request against Telegram's limits) for an indicator nobody sees. The chat's updates are
    serialized (``bot.ordering``), so the context read here is the one its previous answer wrote.
    """
    work = asyncio.ensure_future(asyncio.to_thread(_answer_in_context, services, message, text, choice))
    done, _ = await asyncio.wait({work}, timeout=TYPING_AFTER)
    if not done:
        try:
            await message.get_bot().send_chat_action(message.chat_id, ChatAction.TYPING)
        except TelegramError as exc:  # cosmetic: the answer still goes out
            log.info("chat %s: typing indicator failed: %s", message.chat_id, exc)
    answer = await work
    log.debug("chat %s asked %r → %s (%.1f)", message.chat_id, text, answer.intent, answer.confidence)
    markup = feedback.with_votes(render.answer_keyboard(answer), answer, message.message_id)
    await _send_html(message, render.render_answer(answer), markup)


# ---------------------------------------------------------------------------------- commands


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    message = update.effective_message
    user = update.effective_user
    examples = await asyncio.to_thread(services.engine.examples)
    articles = len(services.engine.snapshot.articles)
    text = render.render_text("\n".join(texts.start_lines(user.first_name if user else None, articles)))
    await _send_html(message, text, render.examples_keyboard(examples))


def _sample(services) -> str:
    arts = services.engine.snapshot.articles
    return texts.sample_keyword([a.place for a in arts], [a.agency for a in arts])


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    examples = await asyncio.to_thread(services.engine.examples)
    text = texts.corpus_help(examples, services.engine.snapshot.articles)
    user = update.effective_user
    if await asyncio.to_thread(_services(context).is_moderator, user.id if user else None):
        text += "\n" + texts.MODERATOR_HELP
    await _send_html(update.effective_message, render.render_text(text))


async def on_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    kb = await asyncio.to_thread(services.engine.loaded)
    snap = kb.snapshot
    lines = texts.about_lines(snap.files, len(snap.articles), len(kb.facts), snap.last_build)
    user = update.effective_user
    if await asyncio.to_thread(services.is_moderator, user.id if user else None):
        lines.append(f"知识库版本：{kb.revision}（您是管理员）")
    await _send_html(update.effective_message, render.render_text("\n".join(lines)))


async def on_reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    await asyncio.to_thread(services.contexts.clear, update.effective_chat.id)
    await _send_html(update.effective_message, [render.escape(texts.RESET_DONE)])


async def on_articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text, markup = render.articles_page(_services(context).engine.snapshot.articles, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


def _forced(kind: str):
    """/summary, /facts, /source: the keyword plus a cue word forces that kind of answer."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        keyword = " ".join(context.args or []).strip()
        if not keyword:
            await message.reply_text(render.escape(texts.USAGE[kind].format(sample=_sample(_services(context)))))
            return
        await _answer_question(message, f"{keyword}{texts.FORCE_CUES[kind]}", _services(context))

    handler.__name__ = f"on_{kind}"
    return handler


async def on_chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot import charts  # matplotlib is heavy: load it on the first chart, not at start-up

    message = update.effective_message
    keyword = " ".join(context.args or []).strip()
    if not keyword:
        await message.reply_text(render.escape(texts.USAGE["chart"].format(sample=_sample(_services(context)))))
        return
    services = _services(context)
    await message.get_bot().send_chat_action(message.chat_id, ChatAction.UPLOAD_PHOTO)
    chart = await asyncio.to_thread(charts.chart_for, services.engine, keyword, CHART_FACTS)
    if chart is None:
        await message.reply_text(render.escape(texts.CHART_NO_DATA.format(keyword=keyword, sample=_sample(services))))
        return
    png = await asyncio.to_thread(charts.render_png, chart)
    caption = render.render_text(chart.caption, limit=render.CAPTION_LIMIT)[0]
    markup = render.answer_keyboard(
        Answer(intent="fact", reply="", citation=chart.citation) if chart.citation else Answer("none", "")
    )
    await message.reply_photo(png, caption=caption, reply_markup=markup)


# ---------------------------------------------------------------------------------- messages


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    text = _strip_mention(message.text or "", context.bot.username)
    await _answer_question(message, text, _services(context))


async def on_caption(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    text = _strip_mention(message.caption or "", context.bot.username)
    await _answer_question(message, text, _services(context))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(render.escape(texts.UNKNOWN_COMMAND))


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    examples = await asyncio.to_thread(_services(context).engine.examples)
    example = examples[0] if examples else "派出所抓获了多少嫌疑人？"
    await update.effective_message.reply_text(render.escape(texts.NON_TEXT.format(example=example)))


# ---------------------------------------------------------------------------------- buttons


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    services = _services(context)
    value = cb.decode(query.data)
    message = query.message if isinstance(query.message, Message) else None
    kb = await asyncio.to_thread(services.engine.loaded)
    article = kb.snapshot.article(getattr(value, "article_id", None))
    if value is None or message is None or (hasattr(value, "article_id") and article is None):
        log.info("stale or tampered callback data %r", query.data)
        await query.answer(texts.STALE_BUTTON, show_alert=False)
        return
    await query.answer()
    match value:
        case cb.Excerpt():
            sentences = [s.text for s in kb.sentences_in_article(article.id)]
            citation = compose.citation_for(kb.snapshot, article)
            parts = render.article_messages(article, sentences, compose.source_line(citation))
            markup = render.answer_keyboard(Answer(intent="excerpt", reply="", citation=citation))
            await _send_html(message, parts, markup)
        case cb.Summary():
            answer = await asyncio.to_thread(services.engine.summary_of, kb, article)
            await _send_answer(message, answer, services)
        case cb.Facts(page=page, nav=nav):
            facts = kb.facts_in_article(article.id)
            text, markup = render.facts_page(article, facts, page, compose.fact_line)
            if nav:
                await query.edit_message_text(text, reply_markup=markup)
            else:
                await message.reply_text(text, reply_markup=markup)
        case cb.Articles(page=page, nav=nav):
            text, markup = render.articles_page(kb.snapshot.articles, page)
            if nav:
                await query.edit_message_text(text, reply_markup=markup)
            else:
                await message.reply_text(text, reply_markup=markup)
        case cb.Choose(index=i) | cb.Example(index=i):
            options: tuple[Choice, ...] = ()
            if isinstance(value, cb.Choose):
                state = await asyncio.to_thread(services.contexts.load, message.chat_id)
                choices = list(state.suggestions) if state is not None else []
                options = state.choices if state is not None else ()
            else:
                choices = await asyncio.to_thread(services.engine.examples)
            if i >= len(choices):
                await message.reply_text(render.escape(texts.STALE_BUTTON))
                return
            # A "您是不是想问" option is answered by what it names; a suggestion is asked as written.
            chosen = options[i] if i < len(options) and options[i].question == choices[i] else None
            await _answer_question(message, str(choices[i]), services, chosen)


# ---------------------------------------------------------------------------------- inline mode


def _inline_article(result_id: str, answer_text: str, title: str | None = None) -> InlineQueryResultArticle:
    parts = render.render_text(answer_text)
    plain_lines = answer_text.split("\n")
    return InlineQueryResultArticle(
        id=result_id,
        title=(title or render.headline(answer_text))[:100],
        description=" ".join(plain_lines[1:3])[:200],
        input_message_content=InputTextMessageContent(parts[0], parse_mode=ParseMode.HTML),
    )


def inline_results(engine: Engine, query: str) -> list[InlineQueryResultArticle]:
    """The main answer, then the top matching facts and the cited article's summary."""
    if not query.strip():
        return [_inline_article(f"e{i}", engine.answer(q).reply, q) for i, q in enumerate(engine.examples())]
    answer = engine.answer(query)
    results = [_inline_article("main", answer.reply)]
    kb = engine.loaded()
    alternatives = answer.context.alternatives
    more = list(alternatives.ids) if alternatives is not None and alternatives.kind == "fact" else []
    fact_ids = list(dict.fromkeys(answer.fact_ids + more))
    for fid in fact_ids:
        fact = kb.facts.get(fid)
        article = kb.snapshot.article(fact.article_id) if fact else None
        if fact is None or article is None:
            continue
        citation = compose.citation_for(kb.snapshot, article, fact.sentence)
        results.append(_inline_article(f"f{fid}", compose.fact_reply(fact, citation, [])))
    if answer.citation is not None and answer.intent != "summary":
        article = kb.snapshot.article(answer.citation.article_id)
        if article is not None:
            results.append(_inline_article(f"s{article.id}", engine.summary_of(kb, article).reply))
    return results[:INLINE_RESULTS]


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    results = await asyncio.to_thread(inline_results, _services(context).engine, query.query)
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)


# ---------------------------------------------------------------------------------- errors


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with the update, tell the user, keep running (never raise from here)."""
    outage = isinstance(context.error, DBAPIError) and context.error.connection_invalidated
    outage = outage or isinstance(context.error, OperationalError)
    if outage:  # one line, not a traceback per message while the database is away
        log.warning("database unavailable while handling an update: %s", context.error.orig)
    else:
        log.error("error while handling update %s", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    reply = texts.DB_UNAVAILABLE if outage else texts.ERROR
    try:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # already answered before the failure
                await update.callback_query.answer(reply)
        if update.effective_chat is not None and update.effective_chat.type != ChatType.CHANNEL:
            await context.bot.send_message(update.effective_chat.id, render.escape(reply))
    except Exception:  # the report itself failed (network down?): the log line above is enough
        log.warning("could not tell chat about the error", exc_info=True)


# ---------------------------------------------------------------------------------- assembly


async def _post_init(application: Application) -> None:
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="factbot")
    )
    commands = [BotCommand(name, description) for name, description in texts.BOT_COMMANDS]
    await application.bot.set_my_commands(commands)
    log.info("bot @%s ready", application.bot.username)


def application_builder(
    token: str,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> ApplicationBuilder:
    """The bot's PTB settings without its handlers (the webhook benchmark's ceiling uses them too)."""
    builder = (
        Application.builder()
        .token(token)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES))
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    # a transient 5xx or dropped connection is tried again instead of losing the answer
    request = request or RetryingRequest(connection_pool_size=CONNECTION_POOL, pool_timeout=POOL_TIMEOUT)
    builder = builder.request(request)
    if rate_limit:
        # Retry once when Telegram still says "too many requests" (several workers share its limits).
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    return builder


def build_application(
    engine: Engine,
    token: str,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    moderator_ids: frozenset[int] = frozenset(),
    request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> Application:
    builder = application_builder(
        token, base_url=base_url, base_file_url=base_file_url, request=request, rate_limit=rate_limit
    )
    app = builder.post_init(_post_init).build()
    app.bot_data[SERVICES_KEY] = BotServices(engine, ContextStore(engine.factory), frozenset(moderator_ids))

    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("help", on_help))
    app.add_handler(CommandHandler("about", on_about))
    app.add_handler(CommandHandler("reset", on_reset))
    app.add_handler(CommandHandler("articles", on_articles))
    for kind in texts.FORCE_CUES:
        app.add_handler(CommandHandler(kind, _forced(kind)))
    app.add_handler(CommandHandler("chart", on_chart))
    # moderation imports this module (SERVICES_KEY, BotServices), hence the late import; it must
    # come before the catch-alls below so /addfact's typed steps and its buttons reach it first
    from bot import moderation

    moderation.register(app)
    from bot import curation  # the curators' loop: feedback, question log, links, synonyms

    curation.register(app)
    app.add_handler(MessageHandler(UNKNOWN_COMMAND, on_unknown_command))
    app.add_handler(MessageHandler(QUESTION, on_text))
    app.add_handler(MessageHandler(CAPTIONED, on_caption))
    app.add_handler(MessageHandler(NON_TEXT, on_non_text))
    app.add_handler(CallbackQueryHandler(on_callback))
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_error_handler(on_error)
    return app


# ---------------------------------------------------------------------------------- running


def _not_reported_at_exit(record: logging.LogRecord) -> bool:
    """PTB's "Bootstrap … Aborting" error: ``run_from_env`` says the same in one sentence."""
    return logs.debugging() or not ("Bootstrap" in record.getMessage() and "Aborting" in record.getMessage())


REDACTED = "<redacted>"


class RedactingFilter(logging.Filter):
    """Blanks out secrets in every record before any handler formats it: message, arguments and
    traceback (httpx and PTB log URLs with the token, PTB logs setWebhook's secret_token at DEBUG,
    a database error quotes its URL)."""

    def __init__(self, secrets_: Iterable[str]) -> None:
        super().__init__()
        # longest first, so a secret containing another is not left half-visible
        self._secrets = sorted({s for s in secrets_ if s and len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args, record.exc_info = self.redact(message), None, None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def log_secrets(token: str) -> list[str]:
    """Everything a log must never show: the token, both webhook secrets, the database password."""
    secrets_ = [token, token.split(":", 1)[-1], derived_secret(token)]
    secrets_.append(os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip())
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        try:
            password = make_url(url).password
        except Exception:  # noqa: BLE001 - an unparsable URL is reported when it is used
            password = None
        if password:
            secrets_ += [str(password), urllib.parse.quote(str(password), safe="")]
    return secrets_


def configure_logging(token: str) -> None:
    """The commands' logging (``knowledge.logs``) at INFO unless ``LOG_LEVEL`` says otherwise, with
    every secret of this bot (token, webhook secrets, database password) blanked on every handler."""
    secrets_ = log_secrets(token)
    logs.configure_logging(secrets_, logging.INFO)
    redacting = RedactingFilter(secrets_)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_not_reported_at_exit)
        handler.addFilter(redacting)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "setup plugin …" lines at every start


def _shown_url(url: str | None) -> str:
    from knowledge.db import database_url

    return make_url(database_url(url)).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    """The driver's own first line (psycopg, sqlite3), without SQLAlchemy's statement and link."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0].rstrip("。.")


def parse_moderator_ids(raw: str | None) -> frozenset[int]:
    """``"1, 2,3"`` → {1, 2, 3}; raises ``ValueError`` on anything that is not an integer."""
    if not raw or not raw.strip():
        return frozenset()
    return frozenset(int(part) for part in (p.strip() for p in raw.split(",")) if part)


def derived_secret(token: str) -> str:
    """A webhook secret every worker of the same bot derives alike (unlike a random one per worker)."""
    return hashlib.sha256(b"factbot-webhook:" + token.encode()).hexdigest()


def run_from_env(args: argparse.Namespace) -> int:
    """``python -m bot run``: long polling, or a webhook with a secret token when ``--webhook``."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not TOKEN_PATTERN.match(token):
        print(texts.BAD_TOKEN, file=sys.stderr)
        return 2
    try:
        moderators = parse_moderator_ids(os.environ.get("MODERATOR_IDS"))
    except ValueError:
        print(texts.BAD_MODERATORS, file=sys.stderr)
        return 2
    configure_logging(token)
    url = getattr(args, "database_url", None)
    corpus = seeds_dir(getattr(args, "seeds", None))  # a missing corpus is reported as such
    try:
        engine = Engine.open(url, corpus)  # builds the knowledge base if absent
    except (DBAPIError, PermissionError, IsADirectoryError) as exc:  # unreachable server, read-only file …
        log.debug("opening the knowledge base failed", exc_info=logs.debugging())
        print(texts.DB_START_FAILED.format(url=_shown_url(url), reason=_reason(exc)), file=sys.stderr)
        return 1
    app = build_application(
        engine,
        token,
        base_url=os.environ.get("TELEGRAM_BASE_URL") or None,
        base_file_url=os.environ.get("TELEGRAM_BASE_FILE_URL") or None,
        moderator_ids=moderators,
        rate_limit=os.environ.get(RATE_LIMIT_ENV, "").strip().lower() != "off",
    )
    webhook = getattr(args, "webhook", None)
    try:
        if webhook:
            secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or derived_secret(token)
            path = urllib.parse.urlsplit(webhook).path.strip("/") or "telegram"
            app.run_webhook(
                listen=getattr(args, "listen", "127.0.0.1"),
                port=getattr(args, "port", 8443),
                url_path=path,
                webhook_url=webhook,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(texts.INVALID_TOKEN_REMOTE, file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(texts.NETWORK_FAILURE.format(error=type(exc).__name__), file=sys.stderr)
        return 1
    return 0
