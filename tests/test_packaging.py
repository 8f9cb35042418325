"""FactBot installed from its wheel works from any folder and writes nothing into site-packages.

Offline and fast: the wheel is built without build isolation (setuptools comes with the dev extra)
from a copy of the sources, so the checkout stays clean, and the fresh venv borrows the
dependencies of the interpreter running the tests: a ``.pth`` line appends that interpreter's
site-packages to the venv's path (after the venv's own, where the wheel goes). Unlike
``--system-site-packages`` this works when the tests run inside a venv themselves, and it leaves
out the ``.pth`` hooks there — such as the finder of FactBot installed editable from another
folder, which would otherwise answer instead of the wheel; the test checks where ``bot`` comes from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "bot", "knowledge", "seeds", "conversations")


def _sh(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


def _files(folder: Path) -> set[str]:
    """Every file below ``folder`` except byte-code caches (Python may add those on import)."""
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, src / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FACTBOT_", "PIP_"))}
    env.pop("DATABASE_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", XDG_DATA_HOME=str(tmp / "xdg"))
    _sh(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-w", str(tmp)],
        tmp,
        env,
    )
    [wheel] = tmp.glob("factbot-*.whl")
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(tmp / "venv")
    python = tmp / "venv" / "bin" / "python"
    # The base interpreter's pip, through the system site-packages; installs into the venv.
    _sh([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], tmp, env)
    site = Path(
        _sh(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp, env
        ).stdout.strip()
    )
    work = tmp / "elsewhere"
    work.mkdir()
    return {"tmp": tmp, "wheel": wheel, "python": python, "site": site, "work": work, "env": env}


def test_the_wheel_holds_every_module_and_the_sample_data(installed: dict) -> None:
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    modules = {str(p.relative_to(ROOT)) for pkg in ("bot", "knowledge") for p in (ROOT / pkg).rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    assert {f"knowledge/seeds/{p.name}" for p in (ROOT / "seeds").iterdir()} <= names
    assert {f"bot/conversations/{p.name}" for p in (ROOT / "conversations").glob("*.yaml")} <= names
    assert {"factbot-0.1.0.dist-info/entry_points.txt"} <= names


def test_installed_wheel_answers_and_simulates_from_any_folder(installed: dict) -> None:
    python, site, work, env = installed["python"], installed["site"], installed["work"], installed["env"]
    where = _sh(
        [str(python), "-c", "import bot, knowledge; print(bot.__file__, knowledge.__file__)"], work, env
    )
    assert all(Path(p).is_relative_to(site) for p in where.stdout.split()), where.stdout
    before = _files(site)

    out = _sh([str(python), "-m", "bot", "ask", "--json", "荆门打掉多少电诈窝点"], work, env)
    answer = json.loads(out.stdout)
    assert answer["intent"] == "fact" and "33个" in answer["reply"], answer

    shipped = site / "bot" / "conversations" / "facts.yaml"
    out = _sh([str(python), "-m", "bot", "simulate", str(shipped)], work, env)
    assert out.stdout.rstrip().endswith("1 passed, 0 failed"), out.stdout

    kb = _sh([str(installed["tmp"] / "venv" / "bin" / "factbot-kb"), "articles", "--json"], work, env)
    assert len(json.loads(kb.stdout)) >= 1

    assert _files(site) == before  # nothing written into site-packages
    assert list(work.iterdir()) == []  # nor into the folder it was run from
    data = installed["tmp"] / "xdg" / "factbot"  # platformdirs' user data dir under XDG_DATA_HOME
    assert (data / "factbot.sqlite3").is_file() and any((data / "cache").glob("view-*"))
