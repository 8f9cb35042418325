"""The view on a corpus larger than the seeds (the benchmarks' generated articles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import generate
from bot.engine import LIST_LINES, Engine
from bot.view import quotable
from knowledge.store import load_snapshot

ARTICLES = 60


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("large")
    corpus = folder / "corpus"
    generate(corpus, ARTICLES, seed=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTBOT_CACHE_DIR", str(folder / "cache"))
        engine = Engine.open(f"sqlite:///{folder / 'kb.sqlite3'}", seeds_dir=corpus)
        engine.loaded()
    return engine


def test_columns_agree_with_the_database(large: Engine) -> None:
    view = large.loaded()
    with large.factory() as session:
        snapshot = load_snapshot(session)
    assert len(snapshot.articles) == ARTICLES
    assert list(view.facts) == sorted(snapshot.facts, key=lambda f: f.id)
    assert list(view.sentences) == list(quotable(snapshot).sentences)  # cut sentences are left out
    for article in snapshot.articles:
        facts = [f for f in snapshot.facts if f.article_id == article.id]
        assert view.fact_count(article.id) == len(facts)
        assert view.facts_in_article(article.id) == sorted(facts, key=lambda f: f.id)


def test_a_list_of_every_article_is_cut_short_with_a_pointer_to_the_pages(large: Engine) -> None:
    answer = large.answer("列出所有文章")
    assert answer.intent == "list"
    lines = answer.reply.splitlines()
    assert lines[0].endswith(f"共找到 {ARTICLES} 篇相关报道：")
    assert sum(1 for line in lines if line[:1].isdigit()) == LIST_LINES
    assert "/articles" in lines[-1]


def test_a_generated_fact_is_answered_with_its_figure(large: Engine) -> None:
    view = large.loaded()
    fact = next(f for f in view.facts if f.change and f.agency and len(f.subject) >= 4)
    article = view.snapshot.article(fact.article_id)
    assert article is not None
    answer = large.answer(f"{article.place}{fact.agency}{fact.subject}多少")
    assert answer.intent == "fact"
    assert fact.value_text in answer.reply


def test_a_large_view_keeps_answering_while_the_next_one_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.view
    from benchmarks.corpus import touch_one
    from knowledge.build import build

    monkeypatch.setattr(bot.view, "BACKGROUND_COMPILE_DOCS", 0)  # every view counts as large
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    paths = generate(tmp_path / "corpus", 20, seed=5)
    engine = Engine.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}", seeds_dir=tmp_path / "corpus")
    before = engine.loaded()
    touch_one(paths[0])
    build(engine.factory, tmp_path / "corpus")
    assert engine.loaded() is before, "the old view answers while the new one compiles"
    assert engine.answer("列出所有文章").intent == "list"
    engine.settle(timeout=120)
    after = engine.loaded()
    assert after is not before
    assert after.snapshot.corpus_revision != before.snapshot.corpus_revision
    assert len(after.sentences) == len(before.sentences) + 1  # touch_one added one sentence


def test_a_large_corpus_is_compiled_in_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resource

    import bot.view

    monkeypatch.setattr(bot.view, "CHILD_COMPILE_ROWS", 0)
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    generate(tmp_path / "corpus", 10, seed=6)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    engine = Engine.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}", seeds_dir=tmp_path / "corpus")
    view = engine.loaded()
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime > children_before, "a child did the work"
    assert len(list((tmp_path / "cache").glob("view-*.fbv"))) == 1
    assert len(view.facts) > 0 and engine.answer("列出所有文章").intent == "list"
