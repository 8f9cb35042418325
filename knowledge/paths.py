"""Where FactBot finds its corpus and keeps its data, alike in a checkout and when installed.

Corpus: ``--seeds``, else ``FACTBOT_SEEDS``, else the sample corpus. The sample corpus is the
checkout's ``seeds/`` folder; pyproject maps that folder onto the package data ``knowledge/seeds``
of the wheel, so git holds one copy and an installed FactBot answers from any folder.

Data (the SQLite file and the view cache): ``FACTBOT_HOME``, else a checkout's own ``data/`` (each
clone keeps the knowledge base its code built beside that code, so clones never share one), else
the user's data directory (``platformdirs``). Nothing is ever written into site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = [
    "APP_NAME",
    "HOME_ENV",
    "SEEDS_ENV",
    "checkout_root",
    "data_home",
    "sample_seeds",
    "seeds_dir",
    "shipped",
]

APP_NAME = "factbot"
SEEDS_ENV = "FACTBOT_SEEDS"
HOME_ENV = "FACTBOT_HOME"
PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent  # the checkout, or site-packages when installed from a wheel


def checkout_root() -> Path | None:
    """The source checkout this code runs from (a clone, an editable install), or None when installed."""
    return SOURCE_ROOT if (SOURCE_ROOT / "pyproject.toml").is_file() else None


def shipped(package_dir: Path, name: str) -> Path:
    """A folder that ships as ``package_dir/name`` in the wheel and lives at the checkout's top as ``name``."""
    inside = package_dir / name
    return inside if inside.is_dir() else SOURCE_ROOT / name


def sample_seeds() -> Path:
    """The corpus that ships with FactBot: the wheel's package data, or the checkout's ``seeds/``."""
    return shipped(PACKAGE_DIR, "seeds")


def seeds_dir(explicit: str | Path | None = None) -> Path:
    """The corpus folder to build from: ``explicit`` (``--seeds``), ``FACTBOT_SEEDS``, the sample corpus."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(SEEDS_ENV, "").strip()
    return Path(env).expanduser() if env else sample_seeds()


def data_home() -> Path:
    """The folder for the SQLite file and the view cache (created by whoever writes there)."""
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    root = checkout_root()
    if root is not None:
        return root / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
