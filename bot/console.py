"""The console chat: the engine in a terminal, with what Telegram offers as buttons as numbers.

Input: prompt_toolkit (line editing, history kept in the data home, Ctrl-C and Ctrl-D end the
chat) when stdin is a terminal, plain lines otherwise (pipes, scripts). Output: ``rich`` colour
and layout when stdout is a terminal, plain text otherwise. ``/help``, ``/articles``, ``/reset``
(and ``/summary``, ``/facts``, ``/source``) work as in Telegram; under a cited answer the 📄/📊/📝
buttons become ``[1] [2] [3]``, under an unsure one the choices do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot import compose, texts
from bot.answer import Answer, Choice
from bot.context import ContextStore
from bot.engine import Engine
from bot.recorder import Recorder

__all__ = ["BOT_MARK", "CONSOLE_CHAT_ID", "ConsoleChat", "PlainScreen", "RichScreen", "Shortcut", "run_chat"]

CONSOLE_CHAT_ID = 0  # Telegram never uses chat id 0, so the console's context cannot clash
CONSOLE_PROMPT = "您 ▸ "
BOT_MARK = "FactBot ◂ "
QUIT_WORDS = frozenset({"exit", "quit", "/quit", "/exit", "退出", "再见"})
ARTICLES_PER_PAGE = 20
EXCERPT, FACTS, SUMMARY = "📄 原文", "📊 本文数据", "📝 摘要"  # the labels of Telegram's buttons
CONSOLE_HELP = "控制台：输入编号选择 [1] [2] …；↑/↓ 翻看历史；/articles 2 翻页；Ctrl-D 或“退出”结束。"

Reader = Callable[[str], str]  # prompt → line; raises EOFError (Ctrl-D) or KeyboardInterrupt (Ctrl-C)


@dataclass(frozen=True)
class Shortcut:
    """A numbered choice: a button's label and what pressing it does."""

    label: str
    kind: str  # excerpt | facts | summary | ask | choice | article
    article_id: int | None = None
    text: str = ""
    choice: Choice | None = None  # for "choice": what the option answers


class PlainScreen:
    """Plain text, for pipes and files: the bot's lines indented under its mark."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def reply(self, text: str, shortcuts: list[Shortcut]) -> None:
        lines = [BOT_MARK + text.replace("\n", "\n" + " " * len(BOT_MARK))]
        lines += [f"   [{i}] {s.label}" for i, s in enumerate(shortcuts, 1)]
        print("\n".join(lines), file=self.out, flush=True)

    def note(self, text: str) -> None:
        print(text, file=self.out, flush=True)


class RichScreen(PlainScreen):
    """Colour and layout through ``rich`` for a terminal: the reply in a panel, the source dimmed."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        super().__init__(out)
        from rich.console import Console

        self.console = Console(file=out, highlight=False, **options)  # options: e.g. force_terminal

    def reply(self, text: str, shortcuts: list[Shortcut]) -> None:
        from rich.panel import Panel
        from rich.text import Text

        body = Text()
        for n, line in enumerate(text.splitlines()):
            if n:
                body.append("\n")
            quiet = line.startswith(("来源：", "原文：", "注："))
            body.append(line, style="dim" if quiet else ("bold" if n == 0 else ""))
        self.console.print(
            Panel(body, title="FactBot", title_align="left", border_style="cyan", expand=False)
        )
        if shortcuts:
            row = Text("   ")
            for i, s in enumerate(shortcuts, 1):
                row.append(f"[{i}]", style="bold yellow").append(f" {s.label}   ")
            self.console.print(row)

    def note(self, text: str) -> None:
        self.console.print(text, style="dim", markup=False)


class ConsoleChat:
    """One console conversation: the same engine and per-chat context store as Telegram."""

    def __init__(self, engine: Engine, screen: PlainScreen, recorder: Recorder | None = None) -> None:
        self.engine = engine
        self.screen = screen
        self.recorder = recorder
        self.contexts = ContextStore(engine.factory)
        self.contexts.clear(CONSOLE_CHAT_ID)
        self.shortcuts: list[Shortcut] = []

    # ----- one line in, replies out

    def handle(self, line: str) -> bool:
        """React to one input line; False when the user wants to leave."""
        message = line.strip()
        if message in QUIT_WORDS:
            return False
        if message.isdigit() and 1 <= int(message) <= len(self.shortcuts):
            shortcut = self.shortcuts[int(message) - 1]
            self.screen.note(f"（您选择了：{shortcut.label}）")
            self.press(shortcut)
        elif message.startswith("/"):
            self.command(message)
        else:
            self.ask(message)
        return True

    def ask(self, message: str, pressed: str | None = None) -> None:
        answer = self.engine.answer(message, self.contexts.load(CONSOLE_CHAT_ID))
        self.remember(message, answer, pressed)

    def choose(self, shortcut: Shortcut) -> None:
        """A "您是不是想问" option, answered by what it names (asked as its text if a rebuild made it stale)."""
        assert shortcut.choice is not None
        answer = self.engine.choose(shortcut.choice)
        if answer is None:
            self.ask(shortcut.text, pressed=shortcut.text)
            return
        self.remember(shortcut.text, answer, shortcut.text)

    def remember(self, message: str, answer: Answer, pressed: str | None) -> None:
        self.contexts.save(CONSOLE_CHAT_ID, answer.remembered())
        if self.recorder is not None:
            self.recorder.add(message, answer, pressed=pressed)
        self.show(answer)

    def show(self, answer: Answer) -> None:
        self.shortcuts = follow_ups(answer)
        self.screen.reply(answer.reply, self.shortcuts)

    def press(self, shortcut: Shortcut) -> None:
        if shortcut.kind == "choice":
            self.choose(shortcut)
            return
        if shortcut.kind == "ask":
            self.ask(shortcut.text, pressed=shortcut.text)
            return
        kb = self.engine.loaded()
        article = kb.snapshot.article(shortcut.article_id)
        if article is None:  # the corpus was rebuilt meanwhile
            self.shortcuts = []
            self.screen.reply(texts.STALE_BUTTON, [])
            return
        citation = compose.citation_for(kb.snapshot, article)
        if shortcut.kind in ("summary", "article"):
            self.show(self.engine.summary_of(kb, article))
            return
        if shortcut.kind == "excerpt":
            body = "".join(s.text for s in kb.sentences_in_article(article.id))
            text = f"{compose.EXCERPT_ICON} 《{article.title}》原文\n{body}"
        else:
            facts = kb.facts_in_article(article.id)
            lines = [f"{n}. {compose.fact_line(f)}" for n, f in enumerate(facts, 1)] or [
                "这篇报道里没有提取到统计数据。"
            ]
            text = "\n".join(
                [f"{compose.FACT_ICON} 《{article.title}》中的数据（共 {len(facts)} 条）", *lines]
            )
        others = [s for s in cited_shortcuts(article.id, "excerpt") if s.kind != shortcut.kind]
        self.shortcuts = others
        self.screen.reply(f"{text}\n{compose.source_line(citation)}", others)
        if self.recorder is not None:
            self.recorder.add_press(shortcut.label, text.splitlines()[0])

    def command(self, message: str) -> None:
        name, _, rest = message[1:].partition(" ")
        name, rest = name.lower(), rest.strip()
        if name in ("help", "start"):
            self.shortcuts = []
            help_text = texts.corpus_help(self.engine.examples(), self.engine.snapshot.articles)
            self.screen.reply(f"{help_text}\n{CONSOLE_HELP}", [])
        elif name == "reset":
            self.contexts.clear(CONSOLE_CHAT_ID)
            self.shortcuts = []
            self.screen.reply(texts.RESET_DONE, [])
        elif name == "articles":
            self.articles(int(rest) - 1 if rest.isdigit() and int(rest) > 0 else 0)
        elif name in texts.FORCE_CUES:
            if rest:
                self.ask(f"{rest}{texts.FORCE_CUES[name]}")
            else:
                self.screen.reply(texts.USAGE[name], [])
        else:
            self.screen.reply(
                f"没有 /{name[:30]} 这个命令；控制台里可用 /help、/articles、/reset、/summary、/facts、/source。",
                [],
            )

    def articles(self, page: int) -> None:
        articles = self.engine.snapshot.articles
        pages = max(1, -(-len(articles) // ARTICLES_PER_PAGE))
        page = min(page, pages - 1)
        shown = articles[page * ARTICLES_PER_PAGE : (page + 1) * ARTICLES_PER_PAGE]
        self.shortcuts = [
            Shortcut(
                f"《{a.title}》" + (f"（{a.place or a.agency}）" if a.place or a.agency else ""),
                "article",
                a.id,
            )
            for a in shown
        ]
        more = f"；下一页：/articles {page + 2}" if page + 1 < pages else ""
        head = f"{compose.LIST_ICON} 全部报道（共 {len(articles)} 篇，第 {page + 1}/{pages} 页）输入编号看摘要{more}"
        self.screen.reply(head, self.shortcuts)


def cited_shortcuts(article_id: int, intent: str) -> list[Shortcut]:
    """Telegram's 📄 原文 · 📊 本文数据 · 📝 摘要 under an answer citing ``article_id``."""
    out = [Shortcut(EXCERPT, "excerpt", article_id), Shortcut(FACTS, "facts", article_id)]
    if intent != "summary":
        out.append(Shortcut(SUMMARY, "summary", article_id))
    return out


def follow_ups(answer: Answer) -> list[Shortcut]:
    """What Telegram shows as buttons under this answer, as numbered shortcuts."""
    if answer.intent in ("fact", "summary", "excerpt") and answer.citation is not None:
        return cited_shortcuts(answer.citation.article_id, answer.intent)
    if answer.choices:
        return [Shortcut(c.question, "choice", text=c.question, choice=c) for c in answer.choices]
    return [Shortcut(s, "ask", text=s) for s in answer.suggestions]


def prompt_reader(history_file: Path | None, **io: Any) -> Reader:
    """prompt_toolkit's line editor with history (kept in ``history_file`` when it can be written).

    ``io`` (``input=``, ``output=``) replaces the terminal, e.g. with prompt_toolkit's pipe input.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    history = InMemoryHistory()
    if history_file is not None:
        try:
            history_file.parent.mkdir(parents=True, exist_ok=True)
            history_file.touch()
            history = FileHistory(str(history_file))
        except OSError:
            pass  # a read-only home: history for this session only
    session: PromptSession[str] = PromptSession(history=history, **io)
    return session.prompt


def line_reader(stdin: TextIO) -> Reader:
    """Plain lines from a pipe or file; EOFError at its end, as Ctrl-D would."""

    def read(_prompt: str) -> str:
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    return read


def run_chat(chat: ConsoleChat, read: Reader) -> int:
    """The loop: greet, answer line by line, leave on a quit word, Ctrl-D or Ctrl-C."""
    chat.screen.note("警务快答 FactBot 控制台（输入“退出”或按 Ctrl-D 结束，/help 查看帮助）")
    chat.show(chat.engine.answer("帮助"))  # a greeting, not part of the conversation (nor of a recording)
    while True:
        try:
            line = read(CONSOLE_PROMPT)
        except (EOFError, KeyboardInterrupt):
            chat.screen.note("")  # the prompt's line ends before the goodbye
            break
        if not chat.handle(line):
            break
    if chat.recorder is not None:
        chat.recorder.save()
        chat.screen.note(f"已把本次对话保存为 {chat.recorder.path}，可用 python -m bot simulate 重放。")
    chat.screen.note("再见！")
    return 0


def open_chat(
    engine: Engine, stdin: TextIO, stdout: TextIO, recorder: Recorder | None, history: Path | None
) -> int:
    """Terminal in → line editor; terminal out → rich; anything else plain."""
    screen = RichScreen(stdout) if stdout.isatty() else PlainScreen(stdout)
    read = prompt_reader(history) if stdin.isatty() and stdout.isatty() else line_reader(stdin)
    return run_chat(ConsoleChat(engine, screen, recorder), read)
