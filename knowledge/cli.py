"""``python -m knowledge``: build the knowledge base and look into it from the command line."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.build import build
from knowledge.cli_errors import run_command
from knowledge.curate import Curator
from knowledge.db import get_engine, init_db, session_factory
from knowledge.models import Article, Fact, SourceFile
from knowledge.paths import seeds_dir


def open_factory(url: str | None) -> sessionmaker[Session]:
    engine = get_engine(url)
    init_db(engine)
    return session_factory(engine)


def cmd_build(args: argparse.Namespace) -> int:
    factory = open_factory(args.database_url)
    report = build(factory, seeds_dir(args.seeds), progress=sys.stderr.isatty())
    for line in report.lines():
        print(line, file=sys.stderr if line.startswith("无法读取") else sys.stdout)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    rows = Curator(open_factory(args.database_url)).export_rows(include_retired=args.all)
    pretty = args.pretty or sys.stdout.isatty()  # a person reads it; a pipe gets one compact line
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2 if pretty else None)
    sys.stdout.write("\n")
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    factory = open_factory(args.database_url)
    with factory() as session:
        counts = dict(
            session.execute(
                select(Fact.article_key, func.count())
                .where(Fact.status == "active")
                .group_by(Fact.article_key)
            ).all()
        )
        rows = session.execute(
            select(Article).join(SourceFile).order_by(SourceFile.name, Article.ordinal)
        ).scalars()
        items = [
            {
                "id": a.id,
                "key": a.key,
                "title": a.title,
                "place": a.place,
                "agency": a.agency,
                "facts": counts.get(a.key, 0),
            }
            for a in rows
        ]
    if args.json:
        json.dump(items, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for it in items:
            print(
                f"{it['id']:>4}  {it['key']:<28} {it['place'] or '-':<8} 数据{it['facts']:>4}条  {it['title']}"
            )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m knowledge", description="FactBot 知识库：构建与查看")
    p.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL（默认读 DATABASE_URL，否则用数据目录里的 factbot.sqlite3，见 FACTBOT_HOME）",
    )
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="从语料目录构建知识库（未变化的文件跳过）")
    b.add_argument(
        "--seeds", default=None, help="语料目录（默认读 FACTBOT_SEEDS，否则用自带的 seeds/ 样例语料）"
    )
    b.set_defaults(func=cmd_build)

    e = sub.add_parser("export", help="导出数据表")
    e.add_argument("--format", choices=["json"], default="json")
    e.add_argument("--all", action="store_true", help="包括已停用的数据")
    e.add_argument("--pretty", action="store_true", help="缩进输出（输出到终端时默认如此）")
    e.set_defaults(func=cmd_export)

    a = sub.add_parser("articles", help="列出文章：编号、标题、地点、数据条数")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_articles)

    from knowledge import cli_curate  # curation commands live apart to keep this file small

    cli_curate.add_parsers(sub)
    from knowledge import cli_questions  # the curators' loop: questions, links, synonyms, stats

    cli_questions.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run_command(args.func, args)


def default_actor() -> str:
    """``cli:$USER`` — who to name in the audit trail when ``--actor`` is not given."""
    try:
        user = os.environ.get("USER") or getpass.getuser()
    except Exception:  # getpass raises assorted errors without a passwd entry
        user = "unknown"
    return f"cli:{user}"
