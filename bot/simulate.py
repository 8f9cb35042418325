"""Replay conversation files against the real Telegram front end (``python -m bot simulate``).

Each YAML file is one conversation (format: ``conversations/README.md``). The simulator builds the
real PTB ``Application`` with :func:`bot.telegram_app.build_application`, points it at the local
:class:`~bot.botapi_stub.BotApiStub`, and feeds it Update JSON exactly as Telegram sends it
(messages with entities, callback queries carrying the pressed button's data and the bot message
it sits under, inline queries) through ``application.process_update``. What the bot sent back is
read from the stub's recorded Bot API calls, step by step, and checked against ``expect:``.

    steps ──► Update JSON ──► Application.process_update ──► handlers ──► Engine ──► Bot API stub
                                                                  └──► ContextStore ("intent")
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TextIO

import yaml
from telegram import Update
from telegram.ext import Application, ContextTypes

from bot import texts
from bot.answer import FollowUp
from bot.botapi_stub import BotApiStub, Call
from bot.context import ContextStore
from bot.dialogues import DialogueStore
from bot.engine import Engine
from bot.telegram_app import build_application
from knowledge.paths import seeds_dir, shipped

__all__ = [
    "Conversation",
    "ConversationError",
    "ConversationResult",
    "Simulator",
    "Step",
    "cmd_simulate",
    "load_conversation",
    "plain_text",
    "run_files",
    "telegram_html_problem",
    "write_junit",
]

STEP_KINDS = ("user", "command", "press", "inline")
STEP_KEYS = frozenset({*STEP_KINDS, "expect", "mention"})
TOP_KEYS = frozenset({"name", "description", "chat", "user", "moderator", "steps"})
TEXT_KEYS = ("contains", "not_contains", "regex", "buttons")
COUNT_KEYS = ("replies_min", "replies_max", "results_min")
EXPECT_KEYS = frozenset({*TEXT_KEYS, *COUNT_KEYS, "intent", "no_error", "max_ms"})
CHAT_KINDS = ("private", "group")
DEFAULT_USER: dict[str, Any] = {"id": 1001, "first_name": "测试员"}
REPLY_METHODS = frozenset({"sendmessage", "sendphoto", "editmessagetext", "editmessagecaption"})
SHOWN_CHARS = 300  # longer bot messages are cut in the transcript (the checks see everything)
# Tags Telegram's HTML parse mode accepts; anything else is "Bad Request: can't parse entities".
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji"}
    | {"code", "pre", "blockquote"}
)
TELEGRAM_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class ConversationError(Exception):
    """A malformed conversation file (or a step that cannot be carried out, like a missing button)."""

    def __init__(self, reason: str, step: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.step = step

    def where(self) -> str:
        return f"step {self.step}: {self.reason}" if self.step else self.reason


# ---------------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as people count
    kind: str  # user | command | press | inline
    text: str
    expect: dict[str, Any] = field(default_factory=dict)
    mention: bool = False


@dataclass
class Conversation:
    path: Path
    name: str
    steps: list[Step]
    chat: str = "private"
    user: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_USER))
    moderator: bool = False


def _strings(value: Any, key: str, step: int) -> list[str]:
    """``"a"`` or ``["a", 1]`` → ``["a", "1"]`` (YAML turns bare numbers into ints)."""
    items = value if isinstance(value, list) else [value]
    if not items or any(isinstance(v, (dict, list, bool)) or v is None for v in items):
        raise ConversationError(f"expect.{key} must be a string or a list of strings", step)
    return [str(v) for v in items]


def _expectations(raw: Any, number: int, kind: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConversationError('expect must be a mapping, e.g. {contains: ["33个"]}', number)
    unknown = sorted(set(raw) - EXPECT_KEYS)
    if unknown:
        raise ConversationError(
            f"unknown expectation {', '.join(map(str, unknown))} (known: {', '.join(sorted(EXPECT_KEYS))})",
            number,
        )
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in TEXT_KEYS:
            out[key] = _strings(value, key, number)
            if key == "regex":
                for pattern in out[key]:
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        raise ConversationError(
                            f"expect.regex {pattern!r} is invalid: {exc}", number
                        ) from exc
        elif key in COUNT_KEYS or key == "max_ms":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConversationError(f"expect.{key} must be a non-negative number", number)
            out[key] = value
        elif key == "no_error":
            if not isinstance(value, bool):
                raise ConversationError("expect.no_error must be true or false", number)
            out[key] = value
        elif key == "intent":  # a name, a list of acceptable names; null = no context (after /reset)
            names = value if isinstance(value, list) else [value]
            out[key] = [None if v is None else _strings(v, key, number)[0] for v in names]
    if kind == "inline" and ("intent" in out or "replies_min" in out or "replies_max" in out):
        raise ConversationError(
            "inline steps check results (contains, results_min), not intent/replies", number
        )
    if kind != "inline" and "results_min" in out:
        raise ConversationError("results_min applies to inline steps only", number)
    return out


def _step(raw: Any, number: int) -> Step:
    if not isinstance(raw, dict):
        raise ConversationError("a step must be a mapping like {user: 那篇报道讲了什么}", number)
    unknown = sorted(map(str, set(raw) - STEP_KEYS))
    kinds = [k for k in STEP_KINDS if k in raw]
    if unknown:
        raise ConversationError(
            f"unknown step kind or key {', '.join(unknown)} (a step is one of {', '.join(STEP_KINDS)})",
            number,
        )
    if len(kinds) != 1:
        raise ConversationError(f"a step needs exactly one of {', '.join(STEP_KINDS)}", number)
    kind = kinds[0]
    value = raw[kind]
    if value is None:
        value = ""
    if isinstance(value, (dict, list, bool)):
        raise ConversationError(f"{kind}: must be text", number)
    text = str(value)
    if kind in ("user", "command") and not text.strip():
        raise ConversationError("empty message: Telegram never delivers one", number)
    if kind == "command" and not text.startswith("/"):
        raise ConversationError("command: must start with /", number)
    if kind == "press" and not text.strip():
        raise ConversationError("press: needs a button label", number)
    mention = raw.get("mention", False)
    if not isinstance(mention, bool):
        raise ConversationError("mention must be true or false", number)
    return Step(number, kind, text, _expectations(raw.get("expect"), number, kind), mention)


def load_conversation(path: Path) -> Conversation:
    """Parse and validate one file; raises :class:`ConversationError` naming the step at fault."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConversationError(f"cannot read file: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConversationError(f"YAML error{at}: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(doc, dict):
        raise ConversationError("the file must be a mapping with a steps: list")
    unknown = sorted(map(str, set(doc) - TOP_KEYS))
    if unknown:
        raise ConversationError(f"unknown key {', '.join(unknown)} (known: {', '.join(sorted(TOP_KEYS))})")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ConversationError("missing steps: (a non-empty list)")
    chat = doc.get("chat", "private")
    if chat not in CHAT_KINDS:
        raise ConversationError(f"chat must be one of {', '.join(CHAT_KINDS)}, not {chat!r}")
    user = doc.get("user") or {}
    if (
        not isinstance(user, dict)
        or not isinstance(user.get("id", 1), int)
        or isinstance(user.get("id"), bool)
    ):
        raise ConversationError("user must be a mapping like {id: 1001, first_name: 测试员}")
    moderator = doc.get("moderator", False)
    if not isinstance(moderator, bool):
        raise ConversationError("moderator must be true or false")
    parsed = [_step(raw, n) for n, raw in enumerate(steps, 1)]
    if chat == "private" and any(s.mention for s in parsed):
        bad = next(s for s in parsed if s.mention)
        raise ConversationError("mention: only makes sense in a group chat", bad.number)
    return Conversation(
        path=path,
        name=str(doc.get("name") or path.stem),
        steps=parsed,
        chat=chat,
        user={**DEFAULT_USER, **user},
        moderator=moderator,
    )


# ---------------------------------------------------------------------------------- text


_TAG = re.compile(r"<[^>]*>")


def plain_text(text: str) -> str:
    """What a user reads: HTML tags stripped, entities unescaped."""
    return html.unescape(_TAG.sub("", text))


class _TelegramHtml(HTMLParser):
    """Checks sent HTML the way Telegram's parse mode does: known tags, balanced, escaped text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problem: str | None = None

    def _fail(self, reason: str) -> None:
        self.problem = self.problem or reason

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self._fail(f"unsupported start tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self._fail(f"unexpected end tag </{tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                self._fail(f"unescaped {ch!r} in text")

    def handle_entityref(self, name: str) -> None:
        if name not in TELEGRAM_ENTITIES:
            self._fail(f"unsupported entity &{name};")


def telegram_html_problem(text: str) -> str | None:
    """Why Telegram would reject ``text`` in HTML parse mode, or ``None`` when it is fine."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.problem is None and parser.stack:
        parser.problem = f"unclosed <{parser.stack[-1]}>"
    if parser.problem is None and parser.rawdata:
        parser.problem = "unterminated markup at the end"
    return parser.problem


def _shown(text: str, limit: int = SHOWN_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字）"


def _indent(prefix: str, text: str) -> list[str]:
    lines = text.split("\n") or [""]
    return [prefix + lines[0], *(" " * len(prefix) + line for line in lines[1:])]


# ---------------------------------------------------------------------------------- the stub


class RecordingStub(BotApiStub):
    """The Bot API stub that also keeps every message it returned (ids, keyboards) per chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}  # chat → message id → message

    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        result = super().handle(method, params, files)
        if isinstance(result, dict) and "message_id" in result and "chat" in result:
            with self._cond:
                chat = self.messages.setdefault(int(result["chat"]["id"]), {})
                chat[int(result["message_id"])] = result  # an edit replaces text and keyboard in place
        return result

    def last_message(self, chat_id: int) -> dict[str, Any] | None:
        with self._cond:
            chat = self.messages.get(chat_id) or {}
            return chat[max(chat)] if chat else None


def _keyboard(markup: Any) -> list[dict[str, Any]]:
    if not isinstance(markup, dict):
        return []
    return [b for row in markup.get("inline_keyboard", []) for b in row if isinstance(b, dict)]


def _labels(markup: Any) -> list[str]:
    return [str(b.get("text", "")) for b in _keyboard(markup)]


def _label_matches(wanted: str, labels: Sequence[str]) -> list[int]:
    """Indexes of the buttons meant by ``wanted``: exact label, else unique substring, else the
    un-truncated text of a label cut with "…" (a recorded choice's full wording)."""
    exact = [i for i, label in enumerate(labels) if label == wanted]
    if exact:
        return exact
    inside = [i for i, label in enumerate(labels) if wanted in label]
    if inside:
        return inside
    cut = []
    for i, label in enumerate(labels):
        if label.endswith("…"):
            core = label[:-1]
            core = core.split(" ", 1)[1] if " " in core and not core[0].isalnum() else core
            if len(core) >= 8 and wanted.startswith(core):
                cut.append(i)
    return cut


# ---------------------------------------------------------------------------------- running


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    shown: bool = True  # implicit checks are printed only when they fail

    def line(self) -> str:
        return f"   {'✓' if self.ok else '✗'} {self.name}: {self.detail}"


@dataclass
class ConversationResult:
    path: Path
    name: str
    transcript: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "step 2: intent: expected fact, got none"
    malformed: bool = False
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class _Outcome:
    """What one step made the bot do."""

    calls: list[Call]
    errors: list[BaseException]
    started: float
    finished: float

    @property
    def replies(self) -> list[Call]:
        return [c for c in self.calls if c.method.lower() in REPLY_METHODS]

    def reply_html(self, call: Call) -> str:
        return str(call.params.get("text") or call.params.get("caption") or "")

    @property
    def toasts(self) -> list[str]:
        return [
            str(c.params["text"])
            for c in self.calls
            if c.method.lower() == "answercallbackquery" and c.params.get("text")
        ]

    @property
    def inline_results(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for c in self.calls:
            if c.method.lower() == "answerinlinequery":
                out += [r for r in c.params.get("results") or [] if isinstance(r, dict)]
        return out

    def texts(self) -> list[str]:
        """Everything the user can read after the step, as plain text."""
        out = [plain_text(self.reply_html(c)) for c in self.replies] + self.toasts
        for r in self.inline_results:
            content = r.get("input_message_content") or {}
            out += [
                str(r.get("title", "")),
                str(r.get("description", "")),
                plain_text(str(content.get("message_text", ""))),
            ]
        return out

    def labels(self) -> list[str]:
        return [label for c in self.replies for label in _labels(c.params.get("reply_markup"))]

    @property
    def ms(self) -> float:
        last = max((c.at for c in self.calls), default=self.finished)
        return max(0.0, (last - self.started) * 1000)


class Simulator:
    """One Bot API stub and one engine for a run; a fresh Application per conversation."""

    def __init__(self, engine: Engine, stub: RecordingStub) -> None:
        self.engine = engine
        self.stub = stub
        self.contexts = ContextStore(engine.factory)
        self.dialogues = DialogueStore(engine.factory)
        self._ids = itertools.count(1)
        self._groups = itertools.count(1)

    # ---------------------------------------------------------------- updates as Telegram sends them

    def _user(self, conv: Conversation) -> dict[str, Any]:
        user = {"is_bot": False, "language_code": "zh-hans", **conv.user}
        return {k: v for k, v in user.items() if v is not None}

    def _message(self, conv: Conversation, chat: dict[str, Any], text: str, entities: list[dict[str, Any]]):
        msg: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(conv),
            "text": text,
        }
        if entities:
            msg["entities"] = entities
        return {"update_id": next(self._ids), "message": msg}

    def _text_update(self, conv: Conversation, chat: dict[str, Any], step: Step) -> dict[str, Any]:
        text = step.text
        username = self.stub.bot_user["username"]
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            name, _, rest = text.partition(" ")
            if step.mention and "@" not in name:
                name = f"{name}@{username}"
                text = f"{name} {rest}".rstrip()
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16(name)})
        elif step.mention:
            mention = f"@{username}"
            text = f"{mention} {text}"
            entities.append({"type": "mention", "offset": 0, "length": _utf16(mention)})
        return self._message(conv, chat, text, entities)

    def _press_update(self, conv: Conversation, chat: dict[str, Any], step: Step) -> dict[str, Any]:
        last = self.stub.last_message(chat["id"])
        buttons = _keyboard(last.get("reply_markup")) if last else []
        labels = [str(b.get("text", "")) for b in buttons]
        if not buttons:
            raise ConversationError(
                f"no button “{step.text}”: the last bot message has no buttons", step.number
            )
        found = _label_matches(step.text, labels)
        offered = " ".join(f"[{label}]" for label in labels)
        if not found:
            hint = ""
            state = self.contexts.load(chat["id"])
            if state is not None and step.text in state.suggestions:
                hint = "; the console offers every suggestion as a numbered choice, Telegram only after "
                hint += f"an unsure answer — send it as text instead (user: {step.text})"
            raise ConversationError(
                f"no button “{step.text}” on the last bot message; it offers {offered}{hint}", step.number
            )
        if len(found) > 1:
            raise ConversationError(f"“{step.text}” matches several buttons: {offered}", step.number)
        button = buttons[found[0]]
        if "callback_data" not in button:
            raise ConversationError(f"button “{labels[found[0]]}” is not a callback button", step.number)
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": str(next(self._ids)),
                "from": self._user(conv),
                "chat_instance": str(-(abs(chat["id"]) * 7919 % 10**12)),
                "message": last,
                "data": button["callback_data"],
            },
        }

    def _inline_update(self, conv: Conversation, chat: dict[str, Any], step: Step) -> dict[str, Any]:
        return {
            "update_id": next(self._ids),
            "inline_query": {
                "id": str(next(self._ids)),
                "from": self._user(conv),
                "query": step.text,
                "offset": "",
                "chat_type": "sender" if chat["type"] == "private" else chat["type"],
            },
        }

    # ---------------------------------------------------------------- one conversation

    def _chat(self, conv: Conversation) -> dict[str, Any]:
        if conv.chat == "group":
            return {"id": -1001000000000 - next(self._groups), "type": "supergroup", "title": conv.name}
        chat = {"id": int(conv.user["id"]), "type": "private", "first_name": conv.user.get("first_name")}
        return {k: v for k, v in chat.items() if v is not None}

    async def run(self, conv: Conversation) -> ConversationResult:
        result = ConversationResult(conv.path, conv.name)
        started = time.monotonic()
        chat = self._chat(conv)
        self.contexts.clear(chat["id"])  # every conversation starts afresh, as after /reset
        self.dialogues.cancel_all(int(conv.user["id"]))  # and with no /addfact or ✅ left from another
        moderators = frozenset({int(conv.user["id"])}) if conv.moderator else frozenset()
        app = build_application(
            self.engine,
            self.stub.token,
            base_url=self.stub.base_url,
            base_file_url=self.stub.base_file_url,
            moderator_ids=moderators,
            rate_limit=False,
        )
        errors: list[BaseException] = []

        async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            if context.error is not None:
                errors.append(context.error)

        app.add_error_handler(record_error)
        where = f"{conv.chat}, user {conv.user['id']}" + ("，管理员" if conv.moderator else "")
        result.transcript.append(f"━━ {conv.name} ({conv.path}; {where}) ━━")
        await app.initialize()
        try:
            if app.post_init is not None:
                await app.post_init(app)  # run_polling would call it: registers the commands
            await app.start()
            for step in conv.steps:
                try:
                    await self._run_step(app, conv, chat, step, errors, result)
                except ConversationError as exc:
                    result.malformed = True
                    result.failures.append(exc.where())
                    result.transcript.append(f"   ✗ {exc.reason}")
                    break
        finally:
            if app.running:
                await app.stop()
            await app.shutdown()
        result.seconds = time.monotonic() - started
        return result

    async def _run_step(
        self,
        app: Application,
        conv: Conversation,
        chat: dict[str, Any],
        step: Step,
        errors: list[BaseException],
        result: ConversationResult,
    ) -> None:
        if step.kind == "press":
            data = self._press_update(conv, chat, step)
            result.transcript.append(f"#{step.number} user ▸ [{step.text}]")
        elif step.kind == "inline":
            data = self._inline_update(conv, chat, step)
            result.transcript.append(
                f"#{step.number} user ▸ @{self.stub.bot_user['username']} {step.text}（内联）"
            )
        else:
            data = self._text_update(conv, chat, step)
            result.transcript += _indent(f"#{step.number} user ▸ ", _shown(data["message"]["text"], 120))
        self.stub.remember_update(data)
        first_call = len(self.stub.calls)
        first_error = len(errors)
        started = time.time()
        await app.process_update(Update.de_json(data, app.bot))
        outcome = _Outcome(list(self.stub.calls[first_call:]), errors[first_error:], started, time.time())
        result.transcript += self._show(outcome)
        checks = check_step(step, outcome, self.contexts.load(chat["id"]))
        for check in checks:
            if check.shown or not check.ok:
                result.transcript.append(check.line())
            if not check.ok:
                result.failures.append(f"step {step.number}: {check.name}: {check.detail}")

    def _show(self, outcome: _Outcome) -> list[str]:
        lines: list[str] = []
        for call in outcome.replies:
            edited = "（修改）" if call.method.lower().startswith("edit") else ""
            photo = "[图片] " if call.method.lower() == "sendphoto" else ""
            lines += _indent(f"   bot ◂ {edited}{photo}", _shown(plain_text(outcome.reply_html(call))))
            labels = _labels(call.params.get("reply_markup"))
            if labels:
                lines.append("         " + " ".join(f"[{label}]" for label in labels))
        for toast in outcome.toasts:
            lines.append(f"   bot ◂ （提示）{toast}")
        for n, r in enumerate(outcome.inline_results, 1):
            lines.append(f"   bot ◂ {n}. {r.get('title', '')} — {_shown(str(r.get('description', '')), 80)}")
        if not lines:
            lines.append("   bot ◂ （没有回复）")
        return lines


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _quote(items: Iterable[str]) -> str:
    return "、".join(f"“{i}”" for i in items)


def check_step(step: Step, outcome: _Outcome, context: FollowUp | None) -> list[Check]:
    """Every expectation of ``step`` as a pass/fail line with the reason."""
    expect = step.expect
    said = "\n".join(outcome.texts())
    checks: list[Check] = []
    if "contains" in expect:
        missing = [s for s in expect["contains"] if s not in said]
        detail = f"missing {_quote(missing)}" if missing else _quote(expect["contains"])
        checks.append(Check("contains", not missing, detail))
    if "not_contains" in expect:
        present = [s for s in expect["not_contains"] if s in said]
        detail = f"found {_quote(present)}" if present else f"none of {_quote(expect['not_contains'])}"
        checks.append(Check("not_contains", not present, detail))
    for pattern in expect.get("regex", []):
        hit = re.search(pattern, said)
        checks.append(
            Check("regex", bool(hit), f"/{pattern}/ " + (f"→ “{hit.group(0)}”" if hit else "no match"))
        )
    if "intent" in expect:
        got = context.intent if context is not None else None
        wanted = expect["intent"]
        names = " or ".join(str(w) if w is not None else "null (no context)" for w in wanted)
        checks.append(
            Check("intent", got in wanted, str(got) if got in wanted else f"expected {names}, got {got}")
        )
    if "buttons" in expect:
        labels = outcome.labels()
        missing = [b for b in expect["buttons"] if not _label_matches(b, labels)]
        offered = " ".join(f"[{label}]" for label in labels) or "no buttons"
        detail = f"missing {_quote(missing)}; offered {offered}" if missing else _quote(expect["buttons"])
        checks.append(Check("buttons", not missing, detail))
    replies = len(outcome.replies)
    if "replies_min" in expect:
        ok = replies >= expect["replies_min"]
        checks.append(Check("replies_min", ok, f"{replies} {'≥' if ok else '<'} {expect['replies_min']}"))
    if "replies_max" in expect:
        ok = replies <= expect["replies_max"]
        checks.append(Check("replies_max", ok, f"{replies} {'≤' if ok else '>'} {expect['replies_max']}"))
    if "results_min" in expect:
        n = len(outcome.inline_results)
        ok = n >= expect["results_min"]
        checks.append(Check("results_min", ok, f"{n} {'≥' if ok else '<'} {expect['results_min']}"))
    if "max_ms" in expect:
        ok = outcome.ms <= expect["max_ms"]
        checks.append(Check("max_ms", ok, f"{outcome.ms:.0f} ms {'≤' if ok else '>'} {expect['max_ms']} ms"))
    if expect.get("no_error", True):  # on unless a step says no_error: false
        problem = _error_problem(outcome)
        checks.append(Check("no_error", problem is None, problem or "no error", shown="no_error" in expect))
    return checks


def _error_problem(outcome: _Outcome) -> str | None:
    if outcome.errors:
        exc = outcome.errors[0]
        return f"handler raised {type(exc).__name__}: {exc}"
    for call in outcome.replies:
        text = outcome.reply_html(call)
        if texts.ERROR in plain_text(text):
            return f"bot replied “{texts.ERROR}”"
        if call.params.get("parse_mode") == "HTML" and (problem := telegram_html_problem(text)):
            return f"Telegram would reject the HTML ({problem}): {_shown(text, 80)}"
    if any(texts.ERROR in t for t in outcome.toasts):
        return f"bot answered the button with “{texts.ERROR}”"
    return None


# ---------------------------------------------------------------------------------- whole runs


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; a directory stands for the ``*.yaml`` files in it."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        out += sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")) if path.is_dir() else [path]
    return out


async def run_conversations(
    paths: Sequence[Path], engine: Engine, out: TextIO | None = None
) -> list[ConversationResult]:
    """Run each file in turn; a malformed one is reported and counted as failed, the rest still run."""
    results: list[ConversationResult] = []
    # load the index with a question the built corpus answers: max_ms is steady state
    await asyncio.to_thread(lambda: engine.answer((engine.examples() or ["今年以来破获了多少起案件"])[0]))
    with RecordingStub() as stub:
        simulator = Simulator(engine, stub)
        for path in paths:
            try:
                conv = load_conversation(path)
            except ConversationError as exc:
                res = ConversationResult(path, path.stem, malformed=True, failures=[exc.where()])
                res.transcript = [f"━━ {path.stem} ({path}) ━━", f"✗ {path}: {exc.where()}"]
            else:
                res = await simulator.run(conv)
                verdict = "✓ passed" if res.passed else f"✗ failed ({len(res.failures)})"
                res.transcript.append(f"{verdict}: {res.name}")
                for failure in res.failures:
                    res.transcript.append(f"   {path}: {failure}")
            results.append(res)
            if out is not None:
                print("\n".join(res.transcript) + "\n", file=out, flush=True)
    return results


def shipped_conversations() -> Path:
    """The conversations that come with FactBot (package data of the wheel, ``conversations/`` of a clone)."""
    return shipped(Path(__file__).resolve().parent, "conversations")


def run_files(
    paths: Sequence[str | Path],
    *,
    engine: Engine | None = None,
    database_url: str | None = None,
    seeds: Path | None = None,
    out: TextIO | None = None,
) -> list[ConversationResult]:
    """Synchronous entry point. Without ``engine``/``database_url`` a temporary SQLite knowledge
    base is built from ``seeds`` (default: ``FACTBOT_SEEDS`` or the sample corpus) once for the whole run."""
    files = expand(paths)
    if engine is not None:
        return asyncio.run(run_conversations(files, engine, out))
    if database_url:
        return asyncio.run(run_conversations(files, Engine.open(database_url), out))
    with tempfile.TemporaryDirectory(prefix="factbot-simulate-", ignore_cleanup_errors=True) as tmp:
        engine = Engine.open(f"sqlite:///{Path(tmp) / 'kb.sqlite3'}", seeds)
        return asyncio.run(run_conversations(files, engine, out))


def summary_line(results: Sequence[ConversationResult]) -> str:
    passed = sum(r.passed for r in results)
    return f"{passed} passed, {len(results) - passed} failed"


def write_junit(results: Sequence[ConversationResult], path: Path) -> None:
    """One testsuite, one testcase per conversation; a failure names the step and the reason."""
    failed = sum(not r.passed for r in results)
    suite = ET.Element(
        "testsuite",
        name="factbot-conversations",
        tests=str(len(results)),
        failures=str(failed),
        errors="0",
        skipped="0",
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for r in results:
        case = ET.SubElement(
            suite, "testcase", name=r.name, classname=f"conversations.{r.path.stem}", file=str(r.path),
            time=f"{r.seconds:.3f}",
        )  # fmt: skip
        if not r.passed:
            failure = ET.SubElement(
                case,
                "failure",
                message="; ".join(r.failures),
                type="MalformedConversation" if r.malformed else "ExpectationFailed",
            )
            failure.text = "\n".join(r.transcript)
        else:
            ET.SubElement(case, "system-out").text = "\n".join(r.transcript)
    tree = ET.ElementTree(suite)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def cmd_simulate(args: argparse.Namespace) -> int:
    """``python -m bot simulate [FILE...] [--junit out.xml] [--database-url URL]``; no files: the shipped ones."""
    files = expand(args.files or [shipped_conversations()])
    if not files:
        print(
            "用法：python -m bot simulate conversations/*.yaml [--junit out.xml] [--database-url URL]",
            file=sys.stderr,
        )
        print("没有找到对话文件。", file=sys.stderr)
        return 2
    results = run_files(
        files,
        database_url=getattr(args, "database_url", None),
        seeds=seeds_dir(getattr(args, "seeds", None)),
        out=sys.stdout,
    )
    if args.junit:
        write_junit(results, Path(args.junit))
    print(summary_line(results), flush=True)
    return 0 if all(r.passed for r in results) else 1
