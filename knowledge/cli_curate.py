"""``python -m knowledge facts|moderators|db …``: the curation CLI, a thin shell over :mod:`knowledge.curate`.

Kept out of ``knowledge/cli.py`` so that file stays small for the engineers sharing it. Every
error is a :class:`~knowledge.curate.CurationError` that ``cli.main`` prints (exit code 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from knowledge.curate import (
    HEADERS,
    CurationError,
    CurationResult,
    Curator,
    RevisionView,
    parse_changes,
    read_import,
)
from knowledge.db import get_engine, head_revision, init_db, schema_revision
from knowledge.moderators import (
    add_moderator,
    list_moderators,
    moderator_ids_from_env,
    parse_user_id,
    remove_moderator,
)


def _curator(args: argparse.Namespace) -> Curator:
    from knowledge.cli import open_factory

    return Curator(open_factory(args.database_url))


def _actor(args: argparse.Namespace) -> str:
    from knowledge.cli import default_actor

    return args.actor or default_actor()


def _print_result(result: CurationResult, verb: str) -> None:
    if not result.changes:
        print(f"数据 #{result.fact.id} 没有变化。")
        return
    print(f"已{verb}数据 #{result.fact.id}（现为版本 {result.fact.version}）：")
    for ch in result.changes:
        print(
            f"  {ch.field}: {ch.old if ch.old is not None else '（空）'} → {ch.new if ch.new is not None else '（空）'}"
        )


def format_history(revisions: list[RevisionView]) -> list[str]:
    """One header line per batch, then its field changes, oldest batch first."""
    lines: list[str] = []
    batch = None
    for r in revisions:
        if r.batch != batch:
            batch = r.batch
            lines.append(f"[{r.at:%Y-%m-%d %H:%M}] {r.actor}  批次 {r.batch[:8]}  原因：{r.reason}")
        old = r.old if r.old is not None else "（空）"
        new = r.new if r.new is not None else "（空）"
        lines.append(f"    {r.field}: {old} → {new}")
    return lines


def cmd_list(args: argparse.Namespace) -> int:
    facts = _curator(args).list_facts(
        query=args.query, article=args.article, status="all" if args.all else "active"
    )
    for f in facts:
        flag = "" if f.status == "active" else " [已停用]"
        mark = "*" if f.curated else " "
        print(
            f"#{f.id:<5}{mark}v{f.version:<3} {f.subject}  {f.value_text}（{f.unit}）  {f.article_key}{flag}"
        )
    print(f"共 {len(facts)} 条（* = 人工修订过）", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    print("\n".join(_curator(args).show(args.id).lines()))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    fact = _curator(args).add(
        _actor(args),
        args.article,
        args.subject,
        args.value,
        args.unit,
        change=args.change,
        comparison=args.comparison,
        period=args.period,
        agency=args.agency,
        value_text=args.value_text,
        reason=args.reason,
    )
    print(f"已添加数据 #{fact.id}：")
    print("\n".join(fact.lines()))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    changes = parse_changes(" ".join(args.changes))
    result = _curator(args).edit(_actor(args), args.id, changes, args.expect_version, args.reason)
    _print_result(result, "修改")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    result = _curator(args).retire(_actor(args), args.id, args.expect_version, args.reason)
    _print_result(result, "停用")
    print(f"可用 facts restore {args.id} --reason … 恢复。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _print_result(_curator(args).restore(_actor(args), args.id, args.expect_version, args.reason), "恢复")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    lines = format_history(_curator(args).history(args.id))
    print("\n".join(lines) if lines else f"数据 #{args.id} 没有修改记录。")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    _print_result(_curator(args).undo(_actor(args), args.id, args.reason, args.expect_version), "撤销修改")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    curator = _curator(args)
    include_retired = not args.active
    if args.format == "csv":
        data = curator.export_csv(include_retired, args.header).encode("utf-8-sig")  # BOM: Excel reads UTF-8
    else:
        data = curator.export_json(include_retired).encode("utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"已导出到 {args.output}", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    fmt = args.format or ("json" if path.suffix.lower() == ".json" else "csv")
    if not path.is_file():
        raise CurationError(f"找不到文件：{path}")
    rows = read_import(path.read_bytes(), fmt)
    report = _curator(args).import_rows(
        _actor(args), rows, args.reason or f"导入 {path.name}", dry_run=args.dry_run
    )
    print("\n".join(report.lines()))
    return 0


def cmd_moderators(args: argparse.Namespace) -> int:
    from knowledge.cli import open_factory

    factory = open_factory(args.database_url)
    if args.action == "list":
        mods = list_moderators(factory, moderator_ids_from_env())
        for m in mods:
            origin = "环境变量 MODERATOR_IDS" if m.source == "env" else f"由 {m.added_by} 添加"
            print(f"{m.user_id}  {origin}")
        if not mods:
            print("还没有管理员。", file=sys.stderr)
        return 0
    if args.user_id is None:
        raise CurationError(f"moderators {args.action} 需要用户 ID")
    uid = parse_user_id(args.user_id)
    if args.action == "add":
        added = add_moderator(factory, uid, _actor(args))
        print(f"已添加管理员 {uid}。" if added else f"{uid} 已经是管理员。")
    else:
        removed = remove_moderator(factory, uid)
        print(f"已移除管理员 {uid}。" if removed else f"{uid} 不在管理员表中。")
        if uid in moderator_ids_from_env():
            print(f"注意：{uid} 仍在环境变量 MODERATOR_IDS 中，依然是管理员。", file=sys.stderr)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    engine = get_engine(args.database_url)
    if args.action == "upgrade":
        init_db(engine)
    current = schema_revision(engine)
    print(f"当前版本：{current or '（未初始化）'}；最新版本：{head_revision()}")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``facts``, ``moderators`` and ``db`` on the main parser's subparsers."""
    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument("--actor", default=None, help="记入修改记录的操作人（默认 cli:$USER）")
    version = argparse.ArgumentParser(add_help=False)
    version.add_argument(
        "--expect-version", type=int, default=None, help="仅当数据仍是该版本时才修改（防止覆盖他人修改）"
    )

    facts = sub.add_parser("facts", help="查看与修订数据（管理员）")
    fsub = facts.add_subparsers(dest="facts_command", required=True)

    p = fsub.add_parser("list", help="列出数据")
    p.add_argument("--article", help="文章 key 或编号")
    p.add_argument("--query", help="按主题/原句/机构/时期中的文字筛选")
    p.add_argument("--all", action="store_true", help="包括已停用的数据")
    p.set_defaults(func=cmd_list)

    p = fsub.add_parser("show", help="查看一条数据")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_show)

    p = fsub.add_parser("add", help="向已有文章添加一条数据", parents=[actor])
    p.add_argument("--article", required=True, help="文章 key（如 000_5fd57195d5ce075f#0）或编号")
    p.add_argument("--subject", required=True)
    p.add_argument("--value", required=True, help="如 42、12.5、2万、三千五百")
    p.add_argument("--unit", required=True)
    p.add_argument("--change", help="上升/下降/增长/减少")
    p.add_argument("--comparison", help="同比/环比")
    p.add_argument("--period")
    p.add_argument("--agency")
    p.add_argument("--value-text", help="原文写法（默认 数值+单位）")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_add)

    p = fsub.add_parser("edit", help="修改数据：字段=值 …", parents=[actor, version])
    p.add_argument("id", type=int)
    p.add_argument("changes", nargs="+", metavar="字段=值")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_edit)

    p = fsub.add_parser("delete", help="停用数据（可用 restore 恢复）", parents=[actor, version])
    p.add_argument("id", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_delete)

    p = fsub.add_parser("restore", help="恢复已停用的数据", parents=[actor, version])
    p.add_argument("id", type=int)
    p.add_argument("--reason", default="恢复")
    p.set_defaults(func=cmd_restore)

    p = fsub.add_parser("history", help="查看修改记录")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_history)

    p = fsub.add_parser("undo", help="撤销最近一次修改（本身也记入历史）", parents=[actor, version])
    p.add_argument("id", type=int)
    p.add_argument("--reason", default="撤销上一次修改")
    p.set_defaults(func=cmd_undo)

    p = fsub.add_parser("export", help="导出全部数据（CSV 带 BOM，可直接用 Excel 打开）")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--output", help="输出文件（默认标准输出）")
    p.add_argument("--active", action="store_true", help="只导出有效数据")
    p.add_argument(
        "--header", choices=HEADERS, default="en", help="CSV 表头用英文（默认，同 JSON）或中文；导入两种都认"
    )
    p.set_defaults(func=cmd_export)

    p = fsub.add_parser(
        "import", help="导入 CSV/JSON：有 id 的行修改，无 id 的行新增；全部成功才保存", parents=[actor]
    )
    p.add_argument("file")
    p.add_argument("--format", choices=["csv", "json"], default=None, help="默认按扩展名判断")
    p.add_argument("--dry-run", action="store_true", help="只检查，不保存")
    p.add_argument("--reason", default=None, help="记入修改记录的原因（默认“导入 文件名”）")
    p.set_defaults(func=cmd_import)

    m = sub.add_parser("moderators", help="管理员名单", parents=[actor])
    m.add_argument("action", choices=["add", "remove", "list"])
    m.add_argument("user_id", nargs="?", default=None)
    m.set_defaults(func=cmd_moderators)

    d = sub.add_parser("db", help="数据库结构迁移（Alembic）")
    d.add_argument("action", choices=["upgrade", "current"])
    d.set_defaults(func=cmd_db)
