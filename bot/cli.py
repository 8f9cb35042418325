"""``python -m bot`` (or ``factbot``): ask, chat, run (Telegram), simulate — thin adapters around one ``Engine``.

Every command runs through :func:`knowledge.cli_errors.run_command`: ``LOG_LEVEL`` applies, a
failure is one sentence with exit status 1 or 2, a closed pipe ends it quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.answer import Answer
from bot.engine import Engine
from knowledge.cli_errors import USER_ERROR, run_command
from knowledge.paths import data_home, seeds_dir

DEFAULT_QUESTIONS = "tests/bot/questions.yaml"  # the project's own question set, in a checkout


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False)


def open_engine(args: argparse.Namespace) -> Engine:
    """The engine on ``--database-url``, built from ``--seeds`` on first use (a bar on a terminal)."""
    return Engine.open(args.database_url, seeds_dir(args.seeds), progress=sys.stderr.isatty())


def cmd_ask(args: argparse.Namespace) -> int:
    engine = open_engine(args)
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


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.console import open_chat
    from bot.recorder import Recorder

    engine = open_engine(args)
    recorder = Recorder(Path(args.record)) if getattr(args, "record", None) else None
    return open_chat(engine, sys.stdin, sys.stdout, recorder, data_home() / "console_history")


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


def telegram_failure(exc: BaseException) -> tuple[str, int] | None:
    """Telegram's errors as sentences, when PTB is loaded at all (``run`` and ``simulate``)."""
    error = sys.modules.get("telegram.error")
    if error is None:
        return None
    from bot import texts

    if isinstance(exc, error.InvalidToken):
        return texts.INVALID_TOKEN_REMOTE, USER_ERROR
    if isinstance(exc, error.NetworkError):
        return texts.NETWORK_FAILURE.format(error=type(exc).__name__), 1
    return None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="警务快答 FactBot")
    p.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL（默认读 DATABASE_URL，否则用数据目录里的 SQLite 文件，见 FACTBOT_HOME）",
    )
    p.add_argument(
        "--seeds", default=None, help="首次构建知识库所用的语料目录（默认读 FACTBOT_SEEDS，否则用自带样例）"
    )
    p.set_defaults(func=cmd_default, webhook=None, record=None)
    # The same options after the subcommand (``python -m bot ask --seeds DIR …``).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=argparse.SUPPRESS, help="同上：SQLAlchemy URL")
    common.add_argument("--seeds", default=argparse.SUPPRESS, help="同上：语料目录")
    sub = p.add_subparsers(dest="command")

    a = sub.add_parser("ask", help="回答一个问题；不给问题时逐行读标准输入", parents=[common])
    a.add_argument("message", nargs="?", default=None)
    a.add_argument("--json", action="store_true", help="每个回答输出一行 JSON")
    a.set_defaults(func=cmd_ask)

    c = sub.add_parser("chat", help="本地控制台聊天", parents=[common])
    c.add_argument("--record", metavar="FILE.yaml", help="把对话保存为可重放的对话文件")
    c.set_defaults(func=cmd_chat)

    r = sub.add_parser("run", help="启动 Telegram 机器人（需要 TELEGRAM_BOT_TOKEN）", parents=[common])
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
    s.add_argument(
        "files", nargs="*", metavar="FILE.yaml", help="对话文件（或包含它们的目录；默认：自带的全部对话）"
    )
    s.add_argument("--junit", metavar="OUT.xml", default=None, help="另外写出 JUnit XML 报告")
    s.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help="用这个知识库（默认：从语料目录临时构建一个 SQLite）",
    )
    s.add_argument("--seeds", default=argparse.SUPPRESS, help="临时知识库的语料目录")
    s.set_defaults(func=cmd_simulate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run_command(args.func, args, telegram_failure)
