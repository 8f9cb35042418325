"""Where the corpus and the data are: options, environment, checkout and installed defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import paths
from knowledge.db import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (paths.SEEDS_ENV, paths.HOME_ENV, "DATABASE_URL", "FACTBOT_CACHE_DIR", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)


def test_in_a_checkout_the_corpus_is_seeds_and_the_data_stays_in_its_data_folder() -> None:
    assert paths.checkout_root() == ROOT
    assert paths.seeds_dir() == ROOT / "seeds"
    assert paths.data_home() == ROOT / "data"


def test_option_beats_environment_beats_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.SEEDS_ENV, str(tmp_path / "env"))
    assert paths.seeds_dir() == tmp_path / "env"
    assert paths.seeds_dir(tmp_path / "option") == tmp_path / "option"


def test_factbot_home_holds_the_database_and_the_view_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.view import cache_dir

    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    assert database_url() == f"sqlite:///{tmp_path / 'home' / 'factbot.sqlite3'}"
    assert (tmp_path / "home").is_dir()
    assert cache_dir() == tmp_path / "home" / "cache"


def test_installed_it_uses_the_shipped_corpus_and_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Laid out as a wheel installs it: ``site-packages/knowledge/seeds``, no pyproject.toml."""
    site = tmp_path / "site-packages"
    (site / "knowledge" / "seeds").mkdir(parents=True)
    monkeypatch.setattr(paths, "SOURCE_ROOT", site)
    monkeypatch.setattr(paths, "PACKAGE_DIR", site / "knowledge")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.checkout_root() is None
    assert paths.seeds_dir() == site / "knowledge" / "seeds"
    assert paths.data_home() == tmp_path / "xdg" / "factbot"
