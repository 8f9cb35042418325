"""Where the knowledge base lives: an embedded SQLite file unless ``DATABASE_URL`` says otherwise."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import Base
from knowledge.paths import data_home, sample_seeds

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_NAME = "factbot.sqlite3"
DEFAULT_SEEDS_DIR = sample_seeds()  # the shipped corpus; ``knowledge.paths.seeds_dir`` honours FACTBOT_SEEDS
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The revision whose schema equals what ``Base.metadata.create_all`` made before migrations existed.
BASELINE_REVISION = "0001"
_BASELINE_TABLES = frozenset({"source_files", "articles", "sentences", "facts", "fact_revisions", "meta"})
SQLITE_BUSY_TIMEOUT_MS = 5000  # how long a SQLite statement waits for another writer's lock
_MIGRATION_LOCK = 0x4B42_4D49  # pg advisory lock id ("KBMI"): one migrator at a time across workers


def database_url(url: str | None = None) -> str:
    """The URL to use: explicit argument, then ``DATABASE_URL``, then the SQLite file in the data home."""
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
    return f"sqlite:///{sqlite_path()}"


def sqlite_path() -> Path:
    """The embedded default database, in :func:`knowledge.paths.data_home` (created here)."""
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    return home / SQLITE_NAME


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    # pre-ping: a pooled connection a server restart (or an outage) killed is replaced on checkout
    # instead of failing the first query after it
    engine = create_engine(resolved, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()

    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic config pointing at the packaged migrations, independent of the working directory."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(engine: Engine) -> str | None:
    """The database's Alembic revision (None: empty or never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def init_db(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migration; cheap when already current.

    Every entry point (build, CLI, bot) calls this, so schema changes ship as Alembic revisions.
    A database made earlier by ``create_all`` (tables but no ``alembic_version``) is stamped at
    the baseline first, so its data is kept and only later revisions run.
    """
    if _is_current(engine):
        return  # every start of every worker: without importing Alembic or parsing migrations
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        current = MigrationContext.configure(conn).get_current_heads()
        if tuple(current) == (head,):
            return
        cfg = alembic_config(conn)
        if not current and _BASELINE_TABLES & set(inspect(conn).get_table_names()):
            command.stamp(cfg, BASELINE_REVISION)
        command.upgrade(cfg, "head")


def newest_migration_file() -> str:
    """The newest migration's revision, read off the file names (``0003_….py`` is revision 0003).

    The naming is a convention of this project's migrations; a test holds it to Alembic's head.
    """
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def _is_current(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no alembic_version table yet: a new or a legacy database
        return False
    return versions == [newest_migration_file()]


def create_schema_without_migrations(engine: Engine) -> None:
    """The pre-Alembic way (``create_all``); kept for tests of the legacy-database upgrade path."""
    Base.metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
