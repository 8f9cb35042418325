"""``python -m bot``: ask, chat, run (Telegram) — thin adapters around one ``Engine``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.answer import Answer
from bot.context import ContextStore
from bot.engine import Engine
from bot.recorder import Recorder

CONSOLE_CHAT_ID = 0  # Telegram never uses chat id 0, so the console's context cannot clash
CONSOLE_PROMPT = "您 ▸ "
BOT_MARK = "FactBot ◂ "
DEFAULT_QUESTIONS = "tests/bot/questions.yaml"  # the project's own question set, in a checkout
QUIT_WORDS = {"exit", "quit", "/quit", "退出", "再见"}


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False)


def cmd_ask(args: argparse.Namespace) -> int:
    engine = Engine.open(args.database_url)
    if args.message is not None:
        answer = engine.answer(args.message)
        print(answer_json(answer) if args.json else answer.reply, flush=True)
        return 0
    for line in sys.stdin:
        message = line.rstrip("\r\n")
        answer = engine.answer(message)
        out = answer_json(answer) if args.json else answer.reply.replace("\n", " ")
        print(out, flush=True)
    return 0


def render_console(answer: Answer) -> str:
    lines = [BOT_MARK + answer.reply.replace("\n", "\n" + " " * len(BOT_MARK))]
    for i, choice in enumerate(answer.suggestions, 1):
        lines.append(f"   [{i}] {choice}")
    return "\n".join(lines)


def console_chat(
    engine: Engine, stdin: TextIO, stdout: TextIO, *, interactive: bool, recorder: Recorder | None = None
) -> int:
    """A chat in the terminal on the same engine and context store as Telegram.

    A number picks one of the offered choices, as a button press would.
    """
    contexts = ContextStore(engine.factory)
    contexts.clear(CONSOLE_CHAT_ID)
    print("警务快答 FactBot 控制台（输入“退出”结束，输入“帮助”查看示例）", file=stdout)
    print(render_console(engine.answer("帮助")), file=stdout, flush=True)
    choices: list[str] = []
    while True:
        if interactive:
            stdout.write(CONSOLE_PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        message = line.strip()
        if message in QUIT_WORDS:
            break
        pressed: str | None = None
        if message.isdigit() and 1 <= int(message) <= len(choices):
            pressed = message = choices[int(message) - 1]
            print(f"（您选择了：{message}）", file=stdout)
        answer = engine.answer(message, contexts.get(CONSOLE_CHAT_ID))
        contexts.put(CONSOLE_CHAT_ID, answer.context)
        if recorder is not None:
            recorder.add(message, answer, pressed=pressed)
        choices = answer.suggestions
        print(render_console(answer), file=stdout, flush=True)
    if recorder is not None:
        recorder.save()
        print(f"已把本次对话保存为 {recorder.path}，可用 python -m bot simulate 重放。", file=stdout)
    print("再见！", file=stdout)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    engine = Engine.open(args.database_url)
    recorder = Recorder(Path(args.record)) if getattr(args, "record", None) else None
    return console_chat(engine, sys.stdin, sys.stdout, interactive=sys.stdin.isatty(), recorder=recorder)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.telegram_app import run_from_env

    return run_from_env(args)


def cmd_simulate(args: argparse.Namespace) -> int:
    from bot.simulate import cmd_simulate as simulate  # PTB is only needed here

    return simulate(args)


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluate import main as evaluate

    args.questions = args.questions or [DEFAULT_QUESTIONS]
    return evaluate(args)


def cmd_default(args: argparse.Namespace) -> int:
    """The README's run command: Telegram when a token is set, otherwise the console chat."""
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        return cmd_run(args)
    print("未设置 TELEGRAM_BOT_TOKEN，进入本地控制台聊天。", file=sys.stderr)
    return cmd_chat(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="警务快答 FactBot")
    p.add_argument(
        "--database-url", default=None, help="SQLAlchemy URL（默认读 DATABASE_URL，否则用内置 SQLite）"
    )
    p.set_defaults(func=cmd_default, webhook=None, record=None)
    sub = p.add_subparsers(dest="command")

    a = sub.add_parser("ask", help="回答一个问题；不给问题时逐行读标准输入")
    a.add_argument("message", nargs="?", default=None)
    a.add_argument("--json", action="store_true", help="每个回答输出一行 JSON")
    a.set_defaults(func=cmd_ask)

    c = sub.add_parser("chat", help="本地控制台聊天")
    c.add_argument("--record", metavar="FILE.yaml", help="把对话保存为可重放的对话文件")
    c.set_defaults(func=cmd_chat)

    r = sub.add_parser("run", help="启动 Telegram 机器人（需要 TELEGRAM_BOT_TOKEN）")
    r.add_argument("--webhook", default=None, metavar="URL", help="用 webhook 代替长轮询，URL 为对外地址")
    r.add_argument("--listen", default="127.0.0.1", help="webhook 监听地址")
    r.add_argument("--port", type=int, default=8443, help="webhook 监听端口")
    r.set_defaults(func=cmd_run)

    e = sub.add_parser("eval", help="用问题文件评测回答质量（逐类通过率与失败清单）")
    e.add_argument(
        "--questions",
        action="append",
        metavar="FILE",
        help="问题文件：共享格式 JSONL 或项目的 YAML 问题表（可重复；默认 tests/bot/questions.yaml）",
    )
    e.add_argument("--verbose", "-v", action="store_true", help="列出每个失败的问题和回答")
    e.add_argument("--calibrate", action="store_true", help="在一组阈值上重放，打印准确率与作答率的关系")
    e.add_argument("--floor", type=float, default=None, metavar="PCT", help="总通过率低于此值时以 1 退出")
    e.set_defaults(func=cmd_eval)

    s = sub.add_parser("simulate", help="在本地 Bot API 桩上重放对话文件并检查回答")
    s.add_argument("files", nargs="*", metavar="FILE.yaml", help="对话文件（或包含它们的目录）")
    s.add_argument("--junit", metavar="OUT.xml", default=None, help="另外写出 JUnit XML 报告")
    s.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help="用这个知识库（默认：从 seeds/ 临时构建一个 SQLite）",
    )
    s.set_defaults(func=cmd_simulate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
