"""Shared fixtures: one real engine on a temporary SQLite knowledge base built from ``seeds/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def kb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("kb") / "kb.sqlite3"
    url = f"sqlite:///{path}"
    Engine.open(url, seeds_dir=SEEDS)  # builds once for the whole session
    return url


@pytest.fixture(scope="session")
def engine(kb_url: str) -> Engine:
    return Engine.open(kb_url, seeds_dir=SEEDS)
