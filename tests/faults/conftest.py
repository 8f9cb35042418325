"""Fault experiments (issue 12) rerun against the real Application, SQLite and PostgreSQL.

Each test gets a private copy of a knowledge base built once per session from ``seeds/``; the
Telegram fixtures of ``tests/bot`` are shared (that folder is put on the import path here, as
pytest does when it collects a test module there).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))

from telegram_fixtures import SEEDS  # noqa: E402

from bot.engine import Engine  # noqa: E402


@pytest.fixture(scope="session")
def fault_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Engine]:
    path = tmp_path_factory.mktemp("faultkb") / "kb.sqlite3"
    engine = Engine.open(f"sqlite:///{path}", seeds_dir=SEEDS)
    engine.loaded()  # warms the tokenizer once
    return path, engine


@pytest.fixture
def sqlite_path(fault_template: tuple[Path, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the knowledge base (SQLite's backup API, so the WAL is included)."""
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    source, _ = fault_template
    copy = tmp_path / "kb.sqlite3"
    with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return copy


@pytest.fixture
def sqlite_engine(sqlite_path: Path, fault_template: tuple[Path, Engine]) -> Engine:
    engine = Engine.open(f"sqlite:///{sqlite_path}", seeds_dir=SEEDS)
    engine._view.tokenizer = fault_template[1]._view.tokenizer  # jieba's start-up is the slow part
    return engine
