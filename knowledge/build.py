"""Build the knowledge base from a folder of source texts: clean → segment → summarize/extract → store.

Incremental by content hash; moderator work (curated, added or retired facts) survives every rebuild.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from tqdm import tqdm

from knowledge.facts import extract_facts
from knowledge.logs import route_jieba
from knowledge.models import Article, Fact, Sentence, SourceFile
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
    report = BuildReport()
    paths = source_files(seeds_dir)
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
    report.seconds = time.perf_counter() - started
    return report


def _write_file(
    factory: sessionmaker[Session], name: str, digest: str, raw: str, prepared: list[_Prepared]
) -> int:
    """One file's transaction, tried again if a concurrent edit still slipped in between."""
    for attempt in range(FILE_ATTEMPTS):
        with factory() as session:
            try:
                existing = session.scalar(select(SourceFile).where(SourceFile.name == name))
                written = _store_source(session, name, digest, raw, prepared, existing)
                _commit_step(session)
                return written
            except StaleDataError:
                session.rollback()
                if attempt == FILE_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def _commit_step(session: Session) -> None:
    set_meta(session, BUILD_PENDING_KEY, utc_stamp())
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
    stmt = delete(Fact).where(Fact.article_key.in_(keys), Fact.origin == "extracted", Fact.curated.is_(False))
    if keep:
        stmt = stmt.where(Fact.fingerprint.not_in(keep))
    session.execute(stmt.execution_options(synchronize_session=False))


def _store_source(
    session: Session,
    name: str,
    digest: str,
    raw: str,
    prepared: list[_Prepared],
    existing: SourceFile | None,
) -> int:
    """Replace one file's articles; reconcile its facts by fingerprint. Returns facts written."""
    old_keys = [a.key for a in existing.articles] if existing else []
    if existing is None:
        existing = SourceFile(name=name, sha256=digest, chars=len(raw))
        session.add(existing)
    else:
        existing.sha256 = digest
        existing.chars = len(raw)
        existing.articles.clear()
        session.flush()

    extracted: list[tuple[str, str, FactDraft]] = []
    for item in prepared:
        draft = item.draft
        article = Article(
            key=draft.key,
            ordinal=draft.ordinal,
            title=draft.title,
            title_inferred=draft.title_inferred,
            place=draft.place,
            agency=draft.agency,
            byline=draft.byline,
            text=draft.text,
            summary=item.summary,
            sentences=[
                Sentence(position=s.position, paragraph=s.paragraph, text=s.text, cut=s.cut)
                for s in draft.sentences
            ],
        )
        existing.articles.append(article)
        extracted.extend((draft.key, fp, fact) for fp, fact in item.facts)
    session.flush()

    fingerprints = {fp for _, fp, _ in extracted}
    _drop_uncurated_facts(session, sorted(set(old_keys) | {p.draft.key for p in prepared}), keep=fingerprints)
    # Locked (PostgreSQL) and read afresh: a moderator's edit committing meanwhile is waited for
    # and then seen (curated, so kept as it is) instead of failing this file's update.
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
        if fingerprints
        else {}
    )
    written = 0
    seen: set[str] = set()
    for key, fp, draft in extracted:
        if fp in seen:
            continue
        seen.add(fp)
        row = kept.get(fp)
        if row is not None and (row.curated or row.status != "active" or row.origin != "extracted"):
            continue  # a moderator's word outranks the extractor
        if row is None:
            row = Fact(article_key=key, fingerprint=fp, origin="extracted")
            session.add(row)
        _apply_draft(row, draft)
        written += 1
    session.flush()
    return written


def _apply_draft(row: Fact, draft: FactDraft) -> None:
    row.subject = draft.subject
    row.value = draft.value
    row.value_text = draft.value_text
    row.unit = draft.unit
    row.approximate = draft.approximate
    row.change = draft.change
    row.comparison = draft.comparison
    row.period = draft.period
    row.agency = draft.agency
    row.kind = draft.kind
    row.sentence = draft.sentence
    row.sentence_position = draft.sentence_position
