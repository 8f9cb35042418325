"""``python -m knowledge questions …``: the curators' loop from the command line.

The same services as the Telegram commands (:mod:`knowledge.teach`, :mod:`knowledge.questionlog`),
so the same rules, revisions and undo; a refusal is a :class:`~knowledge.curate.CurationError`
that ``cli.main`` prints as one sentence (exit code 2). ``--json`` prints machine-readable rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from knowledge.cli_curate import _actor
from knowledge.questionlog import DEFAULT_LOG_DAYS, QuestionLog, total
from knowledge.teach import Teacher

__all__ = ["add_parsers"]


def _factory(args: argparse.Namespace) -> sessionmaker[Session]:
    from knowledge.cli import open_factory

    return open_factory(args.database_url)


def _json(rows: list[Any]) -> None:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)

    json.dump([asdict(r) for r in rows], sys.stdout, ensure_ascii=False, default=plain)
    sys.stdout.write("\n")


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "—"


def cmd_unanswered(args: argparse.Namespace) -> int:
    rows = QuestionLog(_factory(args)).unanswered(args.days)
    if args.json:
        _json(rows)
        return 0
    if not rows:
        print(f"最近 {args.days} 天没有未答出的问题。")
    for n, q in enumerate(rows, 1):
        linked = f"  已链接 #{q.link_id}" if q.link_id else ""
        print(
            f"{n:>3}. {q.text}  ×{q.count}  {q.outcome}  最近 {_when(q.last_at)}  {','.join(q.chat_types)}{linked}"
        )
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    rows = QuestionLog(_factory(args)).feedback(None if args.all else -1)
    if args.json:
        _json(rows)
        return 0
    if not rows:
        print("还没有评价。")
    for n, f in enumerate(rows, 1):
        mark = "👍" if f.vote > 0 else "👎"
        print(f"{n:>3}. {mark} {_when(f.at)}  问：{f.question}")
        print(
            f"      答（{f.kind} {' '.join(f'#{i}' for i in f.ids)}）：{f.answer.splitlines()[0] if f.answer else ''}"
        )
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    rows = Teacher(_factory(args)).links(include_removed=args.all)
    if args.json:
        _json(rows)
        return 0
    if not rows:
        print("还没有问句链接。")
    for v in rows:
        state = "" if v.active else "  （已删除）"
        print(f"#{v.id:<4} {v.describe()}  {v.by} {_when(v.at)}{state}")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    teacher = Teacher(_factory(args))
    phrase = " ".join(args.phrase)
    if args.article is not None:
        phrase = " ".join([args.fact_id or "", phrase]).strip()  # no fact id: its slot holds the phrase
        view = teacher.link(_actor(args), phrase, article=args.article, reason=args.reason)
    else:
        view = teacher.link(_actor(args), phrase, fact_id=args.fact_id, reason=args.reason)
    print(f"已链接 #{view.id}：{view.describe()}（撤销：questions undo 或 questions unlink {view.id}）")
    return 0


def cmd_unlink(args: argparse.Namespace) -> int:
    view = Teacher(_factory(args)).unlink(_actor(args), args.id, args.reason)
    print(f"已删除链接 #{view.id}：{view.describe()}")
    return 0


def cmd_synonyms(args: argparse.Namespace) -> int:
    rows = Teacher(_factory(args)).synonyms(include_removed=args.all)
    if args.json:
        _json(rows)
        return 0
    if not rows:
        print("还没有同义词。")
    for v in rows:
        state = "" if v.active else "  （已删除）"
        print(f"#{v.id:<4} {v.describe()}  {v.by} {_when(v.at)}{state}")
    return 0


def cmd_synonym(args: argparse.Namespace) -> int:
    words = " ".join(args.words).replace("＝", "=")
    word, sep, target = words.partition("=")
    if not sep:  # "电诈 电信诈骗" as two arguments
        word, _, target = words.strip().partition(" ")
    view = Teacher(_factory(args)).synonym(_actor(args), word, target, args.reason)
    print(
        f"已添加同义词 #{view.id}：{view.describe()}（撤销：questions undo 或 questions unsynonym {view.id}）"
    )
    return 0


def cmd_unsynonym(args: argparse.Namespace) -> int:
    view = Teacher(_factory(args)).unsynonym(_actor(args), args.id, args.reason)
    print(f"已删除同义词 #{view.id}：{view.describe()}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    done = Teacher(_factory(args)).undo(_actor(args), args.reason)
    state = "已恢复" if done.action == "add" else "已删除"
    print(
        f"已撤销 {_actor(args)} 上一次的修改：{'链接' if done.item == 'link' else '同义词'} #{done.item_id} {done.detail} {state}"
    )
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    rows = Teacher(_factory(args)).history(args.limit)
    if args.json:
        _json(rows)
        return 0
    for r in rows:
        verb = {"add": "新增", "remove": "删除"}.get(r.action, r.action)
        print(
            f"[{_when(r.at)}] {r.actor}  {verb} {'链接' if r.item == 'link' else '同义词'} #{r.item_id} {r.detail}  原因：{r.reason}"
        )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    rows = QuestionLog(_factory(args)).stats(args.days)
    if args.json:
        _json(rows)
        return 0
    print(f"最近 {args.days} 天（UTC）  日期  提问  答出  选项  拒答  👍  👎")
    for d in rows:
        print(f"{d.day}  {d.asked:>4}  {d.answered:>4}  {d.chose:>4}  {d.refused:>4}  {d.up:>3}  {d.down:>3}")
    t = total(rows)
    rate = f"{t.answer_rate:.0%}" if t.answer_rate is not None else "—"
    print(f"合计：提问 {t.asked} 次，答出率 {rate}，拒答 {t.refused} 次，👍 {t.up}，👎 {t.down}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    n = QuestionLog(_factory(args)).purge()
    print(f"已删除超过保留期限的记录 {n} 条。")
    return 0


def _days(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise argparse.ArgumentTypeError("天数应为 1 到 3650 之间的整数")
    return int(raw)


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``questions`` on the main parser's subparsers."""
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--actor", default=None, help="记入修改记录的操作人（默认 cli:$USER）")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--json", action="store_true")

    q = sub.add_parser("questions", help="未答出的问题、评价、问句链接、同义词与统计（管理员）")
    qs = q.add_subparsers(dest="questions_command", required=True)

    p = qs.add_parser("unanswered", help="最常被问到却没答出的问题", parents=[out])
    p.add_argument("--days", type=_days, default=30)
    p.set_defaults(func=cmd_unanswered)

    p = qs.add_parser("feedback", help="最近的 👎 评价", parents=[out])
    p.add_argument("--all", action="store_true", help="也列出 👍")
    p.set_defaults(func=cmd_feedback)

    p = qs.add_parser("links", help="问句链接", parents=[out])
    p.add_argument("--all", action="store_true", help="包括已删除的")
    p.set_defaults(func=cmd_links)

    p = qs.add_parser("link", help="把问句链接到一条数据（或 --article 一篇报道的摘要）", parents=[who])
    p.add_argument("fact_id", nargs="?", help="数据编号（用 --article 时省略）")
    p.add_argument("phrase", nargs="+", help="问句")
    p.add_argument("--article", help="文章编号或 key：链接到它的摘要")
    p.add_argument("--reason", default="新增问句链接")
    p.set_defaults(func=cmd_link)

    p = qs.add_parser("unlink", help="删除问句链接", parents=[who])
    p.add_argument("id")
    p.add_argument("--reason", default="删除问句链接")
    p.set_defaults(func=cmd_unlink)

    p = qs.add_parser("synonyms", help="同义词", parents=[out])
    p.add_argument("--all", action="store_true", help="包括已删除的")
    p.set_defaults(func=cmd_synonyms)

    p = qs.add_parser("synonym", help="新增同义词：词 = 报道里的说法", parents=[who])
    p.add_argument("words", nargs="+", metavar="词 = 同义词")
    p.add_argument("--reason", default="新增同义词")
    p.set_defaults(func=cmd_synonym)

    p = qs.add_parser("unsynonym", help="删除同义词", parents=[who])
    p.add_argument("id")
    p.add_argument("--reason", default="删除同义词")
    p.set_defaults(func=cmd_unsynonym)

    p = qs.add_parser("undo", help="撤销该操作人上一次的链接或同义词修改（再撤销一次即恢复）", parents=[who])
    p.add_argument("--reason", default="撤销上一次修改")
    p.set_defaults(func=cmd_undo)

    p = qs.add_parser("history", help="链接与同义词的修改记录（最新在前）", parents=[out])
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_history)

    p = qs.add_parser("stats", help="每天的提问数、答出率、拒答与 👍/👎", parents=[out])
    p.add_argument("--days", type=_days, default=7)
    p.set_defaults(func=cmd_stats)

    p = qs.add_parser("purge", help=f"删除超过 FACTBOT_LOG_DAYS（默认 {DEFAULT_LOG_DAYS}）天的记录")
    p.set_defaults(func=cmd_purge)
