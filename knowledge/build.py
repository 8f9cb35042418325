"""Build the knowledge base from a folder of source texts: clean → segment → summarize/extract → store.

Incremental by content hash; moderator work (curated, added or retired facts) survives every rebuild.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import cache, partial
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from tqdm import tqdm

from knowledge.facts import extract_facts
from knowledge.logs import route_jieba
from knowledge.models import Article, Fact, Meta, Sentence, SourceFile
from knowledge.segment import segment_file
from knowledge.store import bump_revision, delete_meta, get_meta, set_meta, utc_stamp
from knowledge.summarize import summarize
from knowledge.types import ArticleDraft, FactDraft


class SourceError(ValueError):
    """A source file that cannot be read as text; reported by name, the rest still builds."""


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    facts: int = 0
    chars: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [
            f"已构建 {len(self.built)} 个文件，跳过未变化 {len(self.skipped)} 个，移除 {len(self.removed)} 个；"
            f"新写入文章 {self.articles} 篇、数据 {self.facts} 条，用时 {self.seconds:.2f} 秒。"
        ]
        out += [f"无法读取 {name}：{reason}" for name, reason in self.errors]
        return out


def read_source(path: Path) -> str:
    """Decode one source file, or say in plain words why it is not usable text."""
    data = path.read_bytes()
    if not data.strip():
        raise SourceError("文件为空")
    if b"\x00" in data:
        raise SourceError("是二进制文件，不是文本")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"不是 UTF-8 编码（第 {exc.start} 字节）") from exc
    return text


def source_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"找不到语料目录：{seeds_dir}")
    return sorted(p for p in seeds_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def fingerprint(article_key: str, fact: FactDraft) -> str:
    """Identity of an extracted fact across rebuilds: same article, sentence and figure."""
    raw = "\x1f".join(
        [article_key, fact.sentence, fact.subject, fact.value_text, fact.unit, fact.change or ""]
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# The code and data that turn a page into articles and facts: a change to any of them rebuilds
# every file, since the same page would now give other subjects, seams or summaries.
PIPELINE_MODULES = ("clean", "segment", "facts", "numbers", "phrases", "summarize", "outcome", "gazetteer", "build")


@cache
def pipeline_digest() -> str:
    package = Path(__file__).parent
    h = hashlib.sha256()
    for path in [package / f"{m}.py" for m in PIPELINE_MODULES] + sorted((package / "data").glob("*")):
        if path.is_file():
            h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()


FILE_ATTEMPTS = 3
SOURCES, ARTICLES, SENTENCES = SourceFile.__table__, Article.__table__, Sentence.__table__
FACTS, META = Fact.__table__, Meta.__table__
# Statements of every file, built once: building one costs more than SQLite takes to run it.
_SOURCE_NAMED = select(SourceFile).where(SourceFile.name == bindparam("name"))
_MARK_META = update(META).where(META.c.key == bindparam("meta_key")).values(value=bindparam("meta_value"))
_DROP_UNCURATED = delete(FACTS).where(
    FACTS.c.article_key.in_(bindparam("keys", expanding=True)),
    FACTS.c.origin == "extracted",
    FACTS.c.curated.is_(False),
)
_DROP_UNCURATED_BUT = _DROP_UNCURATED.where(FACTS.c.fingerprint.not_in(bindparam("keep", expanding=True)))
_STORED_FACT = select(FACTS.c.id).where(FACTS.c.fingerprint.in_(bindparam("fingerprints", expanding=True))).with_for_update()
BUILD_PENDING_KEY = "build_pending"  # set by a build's first commit, cleared with its revision bump


def build(factory: sessionmaker[Session], seeds_dir: Path, *, progress: bool = False) -> BuildReport:
    """Bring the database in line with ``seeds_dir``; unchanged files are skipped.

    Each file is segmented and its facts extracted outside any transaction, then written and
    committed on its own: SQLite has one writer, and a build holding it for minutes would make
    every context write and moderator edit wait. The corpus revision is bumped once at the end;
    a build killed midway leaves ``build_pending`` set, so the next build bumps it even if all
    its files are then unchanged.
    """
    started = time.perf_counter()
    route_jieba()  # its start-up lines would break the progress bar
    paths = source_files(seeds_dir)
    with _writer(factory) as writer:
        report = _build(writer, paths, progress)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _writer(factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """Sessions for a build's writes: on SQLite all on one connection whose commits do not wait
    for the disk (``synchronous=NORMAL``), set back as it was when the build ends.

    A file's commit used to wait for an fsync (≈2 ms, a fifth of the build's time at 10,000
    files). In WAL mode NORMAL still commits atomically and survives the process dying; an
    operating-system crash or power cut may lose the last files' commits, and the next build
    writes them again (their hashes went with them). Other sessions of the process keep their
    own connections and settings.
    """
    with factory() as probe:
        bind = probe.get_bind()
    if bind.dialect.name != "sqlite" or not isinstance(bind, Engine):
        yield factory
        return
    with bind.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        conn.commit()  # each file's session begins and commits its own transaction on it
        try:
            yield cast("sessionmaker[Session]", partial(factory, bind=conn))
        finally:
            conn.rollback()
            conn.exec_driver_sql(f"PRAGMA synchronous={int(before)}")
            conn.commit()


def _build(factory: sessionmaker[Session], paths: list[Path], progress: bool) -> BuildReport:
    report = BuildReport()
    with factory() as session:
        known = {s.name: s.sha256 for s in session.scalars(select(SourceFile))}
    present = {p.name for p in paths}
    for name in sorted(set(known) - present):
        with factory() as session:
            source = session.scalar(select(SourceFile).where(SourceFile.name == name))
            if source is not None:
                _remove_source(session, source)
                _commit_step(session)
        report.removed.append(name)
    iterator: Iterable[Path] = tqdm(paths, desc="构建", unit="文件") if progress else paths
    for path in iterator:
        try:
            raw = read_source(path)
        except SourceError as exc:
            report.errors.append((path.name, str(exc)))
            continue
        digest = hashlib.sha256(pipeline_digest().encode("ascii") + raw.encode("utf-8")).hexdigest()
        if known.get(path.name) == digest:
            report.skipped.append(path.name)
            continue
        prepared = _prepare(segment_file(path.name, raw))
        report.facts += _write_file(factory, path.name, digest, raw, prepared)
        report.articles += len(prepared)
        report.chars += len(raw)
        report.built.append(path.name)
    with factory() as session:
        if report.built or report.removed or get_meta(session, BUILD_PENDING_KEY) is not None:
            set_meta(session, "last_build", utc_stamp())
            delete_meta(session, BUILD_PENDING_KEY)
            bump_revision(session, corpus=True)
            session.commit()
    return report


def _write_file(
    factory: sessionmaker[Session], name: str, digest: str, raw: str, prepared: list[_Prepared]
) -> int:
    """One file's transaction, tried again if a concurrent edit still slipped in between."""
    for attempt in range(FILE_ATTEMPTS):
        with factory() as session:
            try:
                existing = session.scalar(_SOURCE_NAMED, {"name": name})
                written = _store_source(session, name, digest, raw, prepared, existing)
                _commit_step(session)
                return written
            except StaleDataError:
                session.rollback()
                if attempt == FILE_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def _commit_step(session: Session) -> None:
    """Commit one step of the build, marking the build as pending (one statement, not get + flush)."""
    stamp = utc_stamp()
    marked = session.execute(_MARK_META, {"meta_key": BUILD_PENDING_KEY, "meta_value": stamp})
    if not marked.rowcount:
        session.execute(insert(META), {"key": BUILD_PENDING_KEY, "value": stamp})
    session.commit()


@dataclass(frozen=True)
class _Prepared:
    """One article with everything derived from it: computed before its file's transaction."""

    draft: ArticleDraft
    summary: str
    facts: list[tuple[str, FactDraft]]  # (fingerprint, fact)


def _prepare(drafts: list[ArticleDraft]) -> list[_Prepared]:
    out = []
    for draft in drafts:
        positions = summarize(draft)
        by_pos = {s.position: s.text for s in draft.sentences}
        summary = "".join(by_pos[p] for p in positions if p in by_pos)
        facts = [(fingerprint(draft.key, fact), fact) for fact in extract_facts(draft)]
        out.append(_Prepared(draft, summary, facts))
    return out


def _remove_source(session: Session, source: SourceFile) -> None:
    keys = [a.key for a in source.articles]
    _drop_uncurated_facts(session, keys, keep=set())
    session.delete(source)
    session.flush()


def _drop_uncurated_facts(session: Session, keys: list[str], keep: set[str]) -> None:
    """Delete extracted facts nobody curated, except those whose fingerprint is in ``keep``."""
    if not keys:
        return
    if keep:
        session.execute(_DROP_UNCURATED_BUT, {"keys": keys, "keep": list(keep)})
    else:
        session.execute(_DROP_UNCURATED, {"keys": keys})


def _store_source(
    session: Session,
    name: str,
    digest: str,
    raw: str,
    prepared: list[_Prepared],
    existing: SourceFile | None,
) -> int:
    """Replace one file's articles; reconcile its facts by fingerprint. Returns facts written.

    New rows go in as one Core executemany per table (ids in the order the ORM gave them: the
    articles, each article's sentences in article order, then the new facts): the unit of work
    spent more on a file's ≈40 objects than the extraction did. Facts already stored are still
    updated through the ORM, so their version check guards a moderator's concurrent edit.
    """
    old_keys = [a.key for a in existing.articles] if existing else []
    if existing is None:
        source_id = session.execute(
            insert(SOURCES), {"name": name, "sha256": digest, "chars": len(raw)}
        ).inserted_primary_key[0]
    else:
        existing.sha256 = digest
        existing.chars = len(raw)
        existing.articles.clear()
        session.flush()  # a rebuilt file's old articles and sentences are gone
        source_id = existing.id

    sentence_rows: list[dict[str, object]] = []
    extracted: list[tuple[str, str, FactDraft]] = []
    for item in prepared:
        draft = item.draft
        article_id = session.execute(
            insert(ARTICLES),
            {
                "key": draft.key,
                "source_id": source_id,
                "ordinal": draft.ordinal,
                "title": draft.title,
                "title_inferred": draft.title_inferred,
                "place": draft.place,
                "agency": draft.agency,
                "byline": draft.byline,
                "text": draft.text,
                "summary": item.summary,
            },
        ).inserted_primary_key[0]
        sentence_rows += [
            {"article_id": article_id, "position": s.position, "paragraph": s.paragraph, "text": s.text, "cut": s.cut}
            for s in draft.sentences
        ]
        extracted.extend((draft.key, fp, fact) for fp, fact in item.facts)
    if sentence_rows:
        session.execute(insert(SENTENCES), sentence_rows)

    fingerprints = {fp for _, fp, _ in extracted}
    _drop_uncurated_facts(session, sorted(set(old_keys) | {p.draft.key for p in prepared}), keep=fingerprints)
    # Locked (PostgreSQL) and read afresh: a moderator's edit committing meanwhile is waited for
    # and then seen (curated, so kept as it is) instead of failing this file's update.
    # Only the stored ones become ORM rows: a new file's facts are all new.
    stored = (
        session.execute(_STORED_FACT, {"fingerprints": list(fingerprints)}).first()
        if fingerprints
        else None
    )
    kept = (
        {
            f.fingerprint: f
            for f in session.scalars(
                select(Fact)
                .where(Fact.fingerprint.in_(fingerprints))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
        if stored is not None
        else {}
    )
    written = 0
    seen: set[str] = set()
    new_rows: list[dict[str, object]] = []
    for key, fp, draft in extracted:
        if fp in seen:
            continue
        seen.add(fp)
        row = kept.get(fp)
        if row is not None and (row.curated or row.status != "active" or row.origin != "extracted"):
            continue  # a moderator's word outranks the extractor
        if row is None:
            new_rows.append({"article_key": key, "fingerprint": fp, "origin": "extracted", **_draft_fields(draft)})
        else:
            _apply_draft(row, draft)
        written += 1
    if kept:
        session.flush()
    if new_rows:
        session.execute(insert(FACTS), new_rows)
    return written


# the fields of a fact the extractor owns (what a rebuild may overwrite): all of a draft's
DRAFT_FIELDS = tuple(f.name for f in fields(FactDraft))


def _draft_fields(draft: FactDraft) -> dict[str, object]:
    return {name: getattr(draft, name) for name in DRAFT_FIELDS}


def _apply_draft(row: Fact, draft: FactDraft) -> None:
    for name, value in _draft_fields(draft).items():
        setattr(row, name, value)
