"""Building the knowledge base: real SQLite, idempotent, incremental, bad files reported by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge.build import build
from knowledge.db import get_engine, init_db, session_factory
from knowledge.models import Article, Fact, Sentence

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def factory(tmp_path: Path):
    engine = get_engine(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    init_db(engine)
    return session_factory(engine)


def counts(factory) -> tuple[int, int, int]:
    with factory() as s:
        return (
            s.scalar(select(func.count()).select_from(Article)),
            s.scalar(select(func.count()).select_from(Sentence)),
            s.scalar(select(func.count()).select_from(Fact)),
        )


def test_build_stores_articles_sentences_facts(factory, seeds: Path) -> None:
    report = build(factory, seeds)
    assert report.errors == []
    assert len(report.built) == 5
    articles, sentences, facts = counts(factory)
    assert articles == 17  # 16 reports and the public notice at the foot of 003
    assert sentences > 200
    assert facts > 100
    with factory() as s:
        article = s.scalars(select(Article).where(Article.key == "004_3532d753de79e93f#0")).one()
        assert article.summary and len(article.summary) <= 200


def test_rebuild_is_idempotent_and_skips_unchanged_files(factory, seeds: Path) -> None:
    build(factory, seeds)
    before = counts(factory)
    with factory() as s:
        ids = sorted(s.scalars(select(Fact.id)))
    report = build(factory, seeds)
    assert len(report.skipped) == 5 and report.built == []
    assert counts(factory) == before
    with factory() as s:
        assert sorted(s.scalars(select(Fact.id))) == ids


def test_a_changed_extractor_rebuilds_every_file(factory, seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New extraction code gives the same pages other subjects: the old facts must not stay."""
    import knowledge.build as build_module

    build(factory, seeds)
    monkeypatch.setattr(build_module, "pipeline_digest", lambda: "another extractor")
    report = build(factory, seeds)
    assert len(report.built) == 5 and report.skipped == []


def test_changed_file_is_rebuilt_and_fact_ids_stay_stable(factory, seeds: Path) -> None:
    build(factory, seeds)
    with factory() as s:
        old = {f.fingerprint: f.id for f in s.scalars(select(Fact))}
    target = seeds / "003_895c8869d02a072c.txt"
    target.write_text(target.read_text("utf-8") + "\n\n今年以来，新昌县公安局共抓获逃犯77名。\n", "utf-8")
    report = build(factory, seeds)
    assert report.built == ["003_895c8869d02a072c.txt"]
    with factory() as s:
        new = {f.fingerprint: f.id for f in s.scalars(select(Fact))}
        assert s.scalars(select(Fact).where(Fact.value_text == "77名")).one()
    assert all(new[fp] == fid for fp, fid in old.items() if fp in new)
    assert len(set(old) - set(new)) == 0


def test_removed_file_drops_its_articles(factory, seeds: Path) -> None:
    build(factory, seeds)
    (seeds / "002_72a9bdd7b678de32.txt").unlink()
    report = build(factory, seeds)
    assert report.removed == ["002_72a9bdd7b678de32.txt"]
    assert counts(factory)[0] == 13


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "为空"),
        ("binary.txt", b"\x00\x01\x02PNG", "二进制"),
        ("gbk.txt", "公安局破获案件".encode("gbk"), "UTF-8"),
    ],
    ids=["empty", "binary", "gbk"],
)
def test_bad_file_is_reported_by_name_and_the_rest_builds(
    factory, seeds: Path, name: str, content: bytes, reason: str
) -> None:
    (seeds / name).write_bytes(content)
    report = build(factory, seeds)
    assert [n for n, _ in report.errors] == [name]
    assert reason in report.errors[0][1]
    assert len(report.built) == 5
    assert any(name in line for line in report.lines())


def test_a_build_commits_file_by_file(factory, seeds: Path) -> None:
    """Issue 12, item 3: a build's write lock is held for one file's rows at a time (SQLite has
    one writer), not for the whole build, so a context write or a moderator's edit waits a moment
    at most."""
    from sqlalchemy import event

    engine = factory.kw["bind"]
    log: list[str] = []

    def statement(_conn, _cursor, sql: str, *_args: object) -> None:
        if sql.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            log.append("write")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", lambda _conn: log.append("commit"))
    try:
        report = build(factory, seeds)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    commits = log.count("commit")
    assert len(report.built) == 5 and commits >= 6  # one per file, then the revision
    runs = "".join("w" if e == "write" else "c" for e in log).split("c")
    assert max(len(r) for r in runs) < len(log) / 3, "no single transaction writes most of the build"
