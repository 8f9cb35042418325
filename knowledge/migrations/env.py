"""Alembic environment for the knowledge schema.

``knowledge.db.init_db`` hands over an open connection (``config.attributes["connection"]``) so
the upgrade runs on the caller's engine — same SQLite pragmas, same PostgreSQL search_path — and
inside its transaction. Run standalone (``alembic -c knowledge/alembic.ini …``), it connects to
``knowledge.db.database_url()``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from knowledge.db import database_url, get_engine
from knowledge.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates tables so future revisions work there.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = get_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
