"""Shared fixtures: the seed pages shipped in the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """File name → raw text for every seed page."""
    return {p.name: p.read_text(encoding="utf-8") for p in seed_files()}


@pytest.fixture(scope="session")
def seed_by_prefix(seeds: dict[str, str]):
    """Look a seed up by its numeric prefix ("003")."""

    def get(prefix: str) -> tuple[str, str]:
        name = next(n for n in seeds if n.startswith(prefix))
        return name, seeds[name]

    return get
