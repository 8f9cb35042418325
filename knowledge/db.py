"""Where the knowledge base lives: an embedded SQLite file unless ``DATABASE_URL`` says otherwise."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import Base

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "factbot.sqlite3"
DEFAULT_SEEDS_DIR = PROJECT_ROOT / "seeds"


def database_url(url: str | None = None) -> str:
    """The URL to use: explicit argument, then ``DATABASE_URL``, then the default SQLite file."""
    if url:
        return url
    env = os.environ.get("DATABASE_URL", "").strip()
    if env:
        # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 explicitly.
        if env.startswith("postgres://"):
            env = "postgresql+psycopg://" + env[len("postgres://") :]
        elif env.startswith("postgresql://"):
            env = "postgresql+psycopg://" + env[len("postgresql://") :]
        return env
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    engine = create_engine(resolved, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    return engine


def init_db(engine: Engine) -> None:
    """Create missing tables (migrations take over schema changes of existing databases)."""
    Base.metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
