"""Alembic: the initial revision equals the models, init_db upgrades, legacy create_all DBs keep data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from dbfixtures import *  # noqa: F403
from dbfixtures import clone_into
from sqlalchemy import func, inspect, select

from knowledge.db import (
    alembic_config,
    create_schema_without_migrations,
    get_engine,
    head_revision,
    init_db,
    schema_revision,
)
from knowledge.models import Base, Fact, FactRevision, Moderator, Sentence

ROOT = Path(__file__).resolve().parents[2]


def test_fresh_upgrade_matches_models_exactly(empty_url: str) -> None:
    engine = get_engine(empty_url)
    assert schema_revision(engine) is None
    init_db(engine)
    init_db(engine)  # idempotent
    assert schema_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())


def test_legacy_create_all_database_is_stamped_and_keeps_data(empty_url: str, template_db: Path) -> None:
    engine = get_engine(empty_url)
    create_schema_without_migrations(engine)  # what init_db did before migrations existed
    clone_into(template_db, engine)
    with engine.begin() as conn:
        conn.execute(Moderator.__table__.insert().values(user_id=5, added_by="legacy"))
        facts_before = conn.scalar(select(func.count()).select_from(Fact))
    assert facts_before and schema_revision(engine) is None
    init_db(engine)
    assert schema_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Fact)) == facts_before
        assert conn.scalar(select(Moderator.user_id)) == 5
        assert conn.scalar(select(func.count()).select_from(FactRevision)) == 0
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_db_upgrade_cli_works_from_any_directory(empty_url: str, tmp_path: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "knowledge", "--database-url", empty_url, "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert f"当前版本：{head_revision()}" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "knowledge", "--database-url", empty_url, "db", "current"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and head_revision() in out.stdout


def test_alembic_ini_points_at_packaged_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config(str(ROOT / "knowledge" / "alembic.ini"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == head_revision()


def test_migration_file_names_carry_their_revision() -> None:
    """``init_db``'s fast path reads the head off the file names; Alembic must agree."""
    from knowledge.db import newest_migration_file

    assert newest_migration_file() == head_revision()


def test_upgrade_flags_stored_sentences_a_column_break_cut_off(db_url: str) -> None:
    """0006 adds sentences.cut and flags what is stored already, so no rebuild is needed."""
    from alembic import command

    engine = get_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    assert "cut" not in {c["name"] for c in inspect(engine).get_columns("sentences")}
    init_db(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(Sentence.text, Sentence.cut)).all()
    flagged = [text for text, cut in rows if cut]
    assert any(text.endswith("警务跟") for text in flagged)  # a seed paragraph that stops mid-word
    assert all(text[-1] not in "。！？…；”）" for text in flagged)
