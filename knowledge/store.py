"""Read side of the knowledge base: plain snapshots for the answer engine, plus small meta helpers.

The engine never holds ORM objects; it holds a ``Snapshot`` and reloads it when the
``revision`` meta value changes (a rebuild or a moderator edit bumps it), so every worker sees
an edit on its next message without a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import Article, Fact, Meta, Sentence, SourceFile

REVISION_KEY = "revision"  # bumped by every change: a build or a moderator's edit
CORPUS_REVISION_KEY = "corpus_revision"  # bumped only when articles/sentences change (a build)
KB_ID_KEY = "kb_id"  # a random id per knowledge base, so caches of two databases never mix
# PostgreSQL: every committed revision is announced here (pg_notify), so workers need not poll.
REVISION_CHANNEL = "factbot_revision"


class _Commits:
    """How many revisions this process has committed: its own engines look again at once."""

    count = 0

    @classmethod
    def committed(cls, _session: Session) -> None:
        cls.count += 1


def local_revision_commits() -> int:
    return _Commits.count


@dataclass(frozen=True, slots=True)
class ArticleView:
    id: int
    key: str
    source: str
    title: str
    title_inferred: bool
    place: str | None
    agency: str | None
    summary: str
    byline: str | None = None  # 记者 X 通讯员 Y: who wrote it, for "X写了哪几篇"


@dataclass(frozen=True, slots=True)
class SentenceView:
    id: int
    article_id: int
    position: int
    text: str
    cut: bool = False  # a column break cut it off: the engine's view leaves it out (never quoted)


@dataclass(frozen=True, slots=True)
class FactView:
    id: int
    article_id: int | None
    article_key: str
    subject: str
    value: float
    value_text: str
    unit: str
    approximate: bool
    change: str | None
    comparison: str | None
    period: str | None
    agency: str | None
    kind: str
    sentence: str
    sentence_position: int | None
    origin: str
    curated: bool
    version: int


@dataclass(frozen=True)
class Snapshot:
    revision: str
    corpus_revision: str
    kb_id: str
    articles: tuple[ArticleView, ...]
    # tuples here; the engine's view gives column-backed tables of the same views
    sentences: Collection[SentenceView]
    facts: Collection[FactView]
    files: int
    last_build: str | None

    def article(self, article_id: int | None) -> ArticleView | None:
        return self._articles_by_id.get(article_id) if article_id is not None else None

    @property
    def _articles_by_id(self) -> dict[int, ArticleView]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {a.id: a for a in self.articles}
            object.__setattr__(self, "_by_id", cache)
        return cache


# FactView's fields stored as such in the facts table (``article_id`` is looked up by key)
_FACT_COLUMNS = tuple(f.name for f in fields(FactView) if f.name != "article_id")


def fact_view(f: Fact, article_id: int | None) -> FactView:
    return FactView(article_id=article_id, **{name: getattr(f, name) for name in _FACT_COLUMNS})


@dataclass(frozen=True)
class FactChange:
    """A fact as it is now; ``view`` is None when it is no longer active (retired)."""

    id: int
    view: FactView | None
    revision: int  # the knowledge revision whose commit last changed it


# Facts a session inserted or updated since its last commit: ``bump_revision`` stamps them with
# the revision it writes, in the same transaction, so readers order changes by commit, not clock.
_TOUCHED = "factbot_touched_facts"
_STAMP_CHUNK = 500


@event.listens_for(Session, "after_flush")
def _remember_touched_facts(session: Session, _context: object) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    touched.update(obj.id for obj in (*session.new, *session.dirty) if isinstance(obj, Fact))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_touched_facts(session: Session, *_args: object) -> None:
    session.info.pop(_TOUCHED, None)


def revision_number(revision: str | None) -> int:
    return int(revision) if revision and revision.isdigit() else 0


def load_fact_changes(session: Session, since_revision: int) -> list[FactChange]:
    """Facts whose change was committed by a revision after ``since_revision`` (indexed).

    The revision is the one bumped in the change's own transaction, so a transaction that
    wrote a fact long before it committed is still seen by a reader that looked in between.
    """
    rows = session.scalars(
        select(Fact).where(Fact.changed_in > since_revision).order_by(Fact.changed_in, Fact.id)
    ).all()
    if not rows:
        return []
    keys = {f.article_key for f in rows}
    id_by_key = dict(session.execute(select(Article.key, Article.id).where(Article.key.in_(keys))).all())
    return [
        FactChange(
            f.id,
            fact_view(f, id_by_key.get(f.article_key)) if f.status == "active" else None,
            f.changed_in,
        )
        for f in rows
    ]


def is_built(factory: sessionmaker[Session]) -> bool:
    """Whether any source file was built yet (a fresh checkout builds on first use)."""
    with factory() as session:
        return session.scalars(select(SourceFile.id).limit(1)).first() is not None


def utc_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else None


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def delete_meta(session: Session, key: str) -> None:
    row = session.get(Meta, key)
    if row is not None:
        session.delete(row)


def bump_revision(session: Session, *, corpus: bool = False) -> str:
    """Mark the knowledge as changed so every engine reloads on its next message.

    The meta row is locked first (PostgreSQL ``FOR UPDATE``; SQLite serializes writers anyway),
    so two concurrent writers cannot both write N+1 and hide one change from the engines, and
    revisions follow commit order. The facts this transaction touched are stamped with the new
    revision (``changed_in``), which running views read their changes by. A corpus revision is
    not stamped: every view reloads in full for it.
    """
    session.flush()
    session.execute(
        select(Meta)
        .where(Meta.key == REVISION_KEY)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    current = get_meta(session, REVISION_KEY)
    value = str(int(current) + 1 if current and current.isdigit() else 1)
    set_meta(session, REVISION_KEY, value)
    if corpus:
        set_meta(session, CORPUS_REVISION_KEY, value)
    else:
        _stamp_touched_facts(session, int(value))
    ensure_kb_id(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(REVISION_CHANNEL, value)))  # delivered at commit
    event.listen(session, "after_commit", _Commits.committed, once=True)
    return value


def _stamp_touched_facts(session: Session, revision: int) -> None:
    touched = sorted(i for i in session.info.get(_TOUCHED, ()) if i is not None)
    for start in range(0, len(touched), _STAMP_CHUNK):
        chunk = touched[start : start + _STAMP_CHUNK]
        session.execute(
            update(Fact.__table__).where(Fact.__table__.c.id.in_(chunk)).values(changed_in=revision)
        )


def ensure_kb_id(session: Session) -> str:
    """The knowledge base's id, created on first need (databases from before it existed)."""
    kb_id = get_meta(session, KB_ID_KEY)
    if kb_id is None:
        kb_id = uuid.uuid4().hex
        set_meta(session, KB_ID_KEY, kb_id)
    return kb_id


def current_revision(session: Session) -> str:
    return get_meta(session, REVISION_KEY) or "0"


def load_snapshot(session: Session) -> Snapshot:
    articles = session.execute(
        select(Article, SourceFile.name).join(SourceFile).order_by(SourceFile.name, Article.ordinal)
    ).all()
    article_views = tuple(
        ArticleView(
            id=a.id,
            key=a.key,
            source=name,
            title=a.title,
            title_inferred=a.title_inferred,
            place=a.place,
            agency=a.agency,
            summary=a.summary,
            byline=a.byline,
        )
        for a, name in articles
    )
    id_by_key = {a.key: a.id for a in article_views}
    # Plain rows, not ORM objects: at 200,000 facts the objects cost seconds and hundreds of MiB.
    sentences = tuple(
        SentenceView(*row)
        for row in session.execute(
            select(Sentence.id, Sentence.article_id, Sentence.position, Sentence.text, Sentence.cut).order_by(
                Sentence.article_id, Sentence.position
            )
        )
    )
    # Facts quote their sentence: share one string per sentence instead of a copy per fact.
    texts = {s.text: s.text for s in sentences}
    columns = [getattr(Fact, name) for name in _FACT_COLUMNS]
    facts = []
    for row in session.execute(select(*columns).where(Fact.status == "active").order_by(Fact.id)):
        values = dict(zip(_FACT_COLUMNS, row, strict=True))
        values["sentence"] = texts.setdefault(values["sentence"], values["sentence"])
        facts.append(FactView(article_id=id_by_key.get(values["article_key"]), **values))
    files = len(session.scalars(select(SourceFile.id)).all())
    return Snapshot(
        revision=current_revision(session),
        corpus_revision=get_meta(session, CORPUS_REVISION_KEY) or "0",
        kb_id=get_meta(session, KB_ID_KEY) or "",
        articles=article_views,
        sentences=sentences,
        facts=tuple(facts),
        files=files,
        last_build=get_meta(session, "last_build"),
    )
