"""The engine's snapshot: read as plain rows, it must say what the ORM objects say."""

from __future__ import annotations

from dbfixtures import *  # noqa: F403
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.curate import Curator
from knowledge.models import Article, Fact, Sentence
from knowledge.store import fact_view, load_snapshot


def test_snapshot_rows_equal_the_orm_objects(factory: sessionmaker[Session], curator: Curator) -> None:
    fact = next(iter(curator.list_facts(query="抓获各类违法犯罪嫌疑人")))
    curator.retire("test", fact.id, fact.version, "重复")  # retired facts stay out
    with factory() as session:
        snapshot = load_snapshot(session)
        ids = dict(session.execute(select(Article.key, Article.id)).all())
        active = session.scalars(select(Fact).where(Fact.status == "active").order_by(Fact.id)).all()
        expected_facts = [fact_view(f, ids.get(f.article_key)) for f in active]
        sentences = session.scalars(select(Sentence).order_by(Sentence.article_id, Sentence.position)).all()
        expected_sentences = [(s.id, s.article_id, s.position, s.text) for s in sentences]
    assert list(snapshot.facts) == expected_facts
    assert fact.id not in {f.id for f in snapshot.facts}
    assert [(s.id, s.article_id, s.position, s.text) for s in snapshot.sentences] == expected_sentences
