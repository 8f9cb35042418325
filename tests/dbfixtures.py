"""Database fixtures for curation tests: every test runs on SQLite and on PostgreSQL.

The knowledge base is built from ``seeds/`` once per session into a template SQLite file; each
test gets a copy (SQLite) or a private schema filled from that template (PostgreSQL), so tests
never see each other's writes — the ``test`` PostgreSQL database is shared with other suites.
Import the fixtures into a test module with ``from dbfixtures import *``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from knowledge.build import build
from knowledge.curate import Curator
from knowledge.db import get_engine, init_db, session_factory
from knowledge.models import Base

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PG_ENV = "FACTBOT_TEST_POSTGRES_URL"
PG_DEFAULTS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
_pg_state: dict[str, str | None] = {}

__all__ = ["backend", "db_url", "empty_url", "factory", "curator", "template_db", "clone_into", "SEEDS"]


def _pg_base_url() -> str:
    """A reachable PostgreSQL URL, or pytest.skip with the reason — checked once per session."""
    if "url" not in _pg_state:
        candidates = [os.environ[PG_ENV]] if os.environ.get(PG_ENV) else list(PG_DEFAULTS)
        reason = ""
        _pg_state["url"] = None
        for url in candidates:
            try:
                engine = create_engine(url, connect_args={"connect_timeout": 3})
                with engine.connect() as conn:
                    conn.execute(text("select 1"))
                engine.dispose()
            except Exception as exc:  # any driver error means "not usable here"
                reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                continue
            _pg_state["url"] = url
            break
        _pg_state["reason"] = f"PostgreSQL not reachable at {candidates[0]}: {reason}"
    if _pg_state["url"] is None:
        pytest.skip(_pg_state["reason"] or "PostgreSQL not reachable")
    return _pg_state["url"]  # type: ignore[return-value]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite knowledge base built from the repo seeds, once per session."""
    path = tmp_path_factory.mktemp("template") / "kb.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    init_db(engine)
    build(session_factory(engine), SEEDS)
    engine.dispose()
    return path


def clone_into(source: Path, target: Engine) -> None:
    """Copy every row of the template into ``target`` (already migrated), fixing PG sequences."""
    src = create_engine(f"sqlite:///{source}")
    with src.connect() as s, target.begin() as t:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in s.execute(select(table))]
            if rows:
                t.execute(insert(table), rows)
        if target.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                    t.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    src.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (no tables) private to this test."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
        yield url
        get_engine(url).dispose()
        return
    base = _pg_base_url()
    schema = f"fbt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}?options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_url(empty_url: str, backend: str, template_db: Path) -> str:
    """URL of a migrated database holding the seed knowledge base, private to this test."""
    if backend == "sqlite":
        shutil.copyfile(template_db, empty_url.removeprefix("sqlite:///"))
        init_db(get_engine(empty_url))
        return empty_url
    engine = get_engine(empty_url)
    init_db(engine)
    clone_into(template_db, engine)
    return empty_url


@pytest.fixture
def factory(db_url: str) -> sessionmaker[Session]:
    engine = get_engine(db_url)
    init_db(engine)
    return session_factory(engine)


@pytest.fixture
def curator(factory: sessionmaker[Session]) -> Curator:
    return Curator(factory)
