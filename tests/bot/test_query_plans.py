# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and dbfixtures and used by name
"""No full-table scans per message: every statement a message causes is answered by an index.

Each statement the real Application sends while handling ordinary messages (a question, a
follow-up, a moderator's message, a message after an edit) is captured and explained on the same
database: SQLite's ``EXPLAIN QUERY PLAN`` must not ``SCAN`` a table, and PostgreSQL, with
sequential scans priced out (``enable_seqscan = off``), must still find an index plan.
"""

from __future__ import annotations

from typing import Any

from dbfixtures import *  # noqa: F403
from sqlalchemy import Connection, event
from telegram_fixtures import (  # noqa: F401 - fixtures are used by name
    MOD,
    MOD_CHAT,
    SEEDS,
    feed,
    running_app,
    stub,
    text_update,
)

from bot.botapi_stub import BotApiStub
from bot.engine import Engine
from knowledge.curate import Curator
from knowledge.db import get_engine

SMALL_TABLES = frozenset({"meta", "alembic_version"})  # a handful of rows by design


def _explain(conn: Connection, statement: str, parameters: Any) -> list[str]:
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return [str(r[-1]) for r in rows]
    conn.exec_driver_sql("SET enable_seqscan = off")
    return [str(r[0]) for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()]


def _scans(plan: list[str]) -> list[str]:
    found = []
    for line in plan:
        words = line.replace("Seq Scan on", "SCAN").split()
        if "SCAN" in words:
            table = words[words.index("SCAN") + 1]
            if table not in SMALL_TABLES and "CONSTANT" not in table:
                found.append(line.strip())
    return found


async def test_a_message_never_scans_a_whole_table(stub: BotApiStub, db_url: str, curator: Curator) -> None:
    engine = Engine.open(db_url, seeds_dir=SEEDS)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().split()[0].upper() in {"SELECT", "UPDATE", "DELETE", "INSERT", "WITH"}:
            statements.append((statement, parameters))

    async with running_app(stub, engine) as app:
        await feed(app, stub, text_update("你好"))  # loads the view: not per message
        sa_engine = get_engine(db_url)
        event.listen(sa_engine, "before_cursor_execute", capture)
        try:
            await feed(app, stub, text_update("鼓楼派出所抓获了多少嫌疑人"))
            await feed(app, stub, text_update("那荆门呢"))
            await feed(
                app,
                stub,
                text_update("荆门打掉了多少个窝点", user=MOD, chat=MOD_CHAT),
            )
            fact = next(f for f in curator.list_facts(query="抓获各类违法犯罪嫌疑人") if f.value == 42)
            statements.clear()  # the edit itself is a moderator's command, not a message
            curator.edit("test", fact.id, {"数值": "43"}, fact.version, "更正")
            statements.clear()
            await feed(app, stub, text_update("鼓楼派出所抓获了多少嫌疑人"))
        finally:
            event.remove(sa_engine, "before_cursor_execute", capture)
    assert statements, "the messages reached the database"
    problems = {}
    with sa_engine.connect() as conn:
        for statement, parameters in statements:
            scans = _scans(_explain(conn, statement, parameters))
            if scans:
                problems[statement] = scans
        conn.rollback()
    assert not problems, problems
