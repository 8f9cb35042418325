"""The engine's in-memory view of the knowledge base, and how it stays current.

A full load (snapshot → lexicon → index) tokenizes every document, so it is done once per
corpus revision and cached on disk (pickle, keyed by the knowledge base's id and revision): a
restart or a second worker starts from the cache. A moderator's edit does not touch the corpus:
the view then reads only the facts changed since its last look (``facts.updated_at`` is indexed)
and patches them in, so every worker answers with the edit on its next message.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.index import SearchIndex
from bot.lexicon import Lexicon
from bot.tokenize import Tokenizer
from knowledge.db import PROJECT_ROOT
from knowledge.store import (
    CORPUS_REVISION_KEY,
    KB_ID_KEY,
    FactChange,
    FactView,
    SentenceView,
    Snapshot,
    current_revision,
    ensure_kb_id,
    get_meta,
    load_fact_changes,
    load_snapshot,
)

log = logging.getLogger(__name__)

CACHE_FORMAT = 5  # bump when the pickled structures change shape
CACHE_DIR_ENV = "FACTBOT_CACHE_DIR"
CACHE_KEEP = 6  # cache files kept; older ones are removed
# Clocks of different writers may disagree a little; re-reading a few seconds is harmless.
CHANGE_MARGIN = timedelta(seconds=5)


@dataclass
class Loaded:
    """One consistent view of the knowledge base with everything derived from it."""

    snapshot: Snapshot
    index: SearchIndex
    lexicon: Lexicon
    facts: dict[int, FactView]
    sentences: dict[int, SentenceView]
    sentence_at: dict[tuple[int, int], SentenceView]
    facts_in_sentence: dict[tuple[int, int], list[FactView]]
    facts_in_article: dict[int, list[FactView]]
    sentences_in_article: dict[int, list[SentenceView]]
    revision: str
    facts_seen_at: datetime  # the latest fact change this view includes
    example_questions: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, snapshot: Snapshot, tokenizer: Tokenizer, seen_at: datetime) -> Loaded:
        lexicon = Lexicon.from_snapshot(snapshot)
        tokenizer.add_words(lexicon.words)
        loaded = cls(
            snapshot=snapshot,
            index=SearchIndex(snapshot, tokenizer),
            lexicon=lexicon,
            facts={},
            sentences={s.id: s for s in snapshot.sentences},
            sentence_at={(s.article_id, s.position): s for s in snapshot.sentences},
            facts_in_sentence=defaultdict(list),
            facts_in_article=defaultdict(list),
            sentences_in_article=defaultdict(list),
            revision=snapshot.revision,
            facts_seen_at=seen_at,
        )
        for sentence in snapshot.sentences:
            loaded.sentences_in_article[sentence.article_id].append(sentence)
        for fact in snapshot.facts:
            loaded._link(fact)
        return loaded

    def _link(self, fact: FactView) -> None:
        self.facts[fact.id] = fact
        if fact.article_id is not None:
            self.facts_in_article[fact.article_id].append(fact)
            if fact.sentence_position is not None:
                self.facts_in_sentence[(fact.article_id, fact.sentence_position)].append(fact)

    def _unlink(self, fact_id: int) -> None:
        old = self.facts.pop(fact_id, None)
        if old is None or old.article_id is None:
            return
        self.facts_in_article[old.article_id] = [
            f for f in self.facts_in_article[old.article_id] if f.id != fact_id
        ]
        key = (old.article_id, old.sentence_position or -1)
        if key in self.facts_in_sentence:
            self.facts_in_sentence[key] = [f for f in self.facts_in_sentence[key] if f.id != fact_id]

    def apply(self, changes: list[FactChange], revision: str) -> int:
        """Patch in changed facts; returns how many actually differed from what the view had."""
        applied = 0
        for change in changes:
            current = self.facts.get(change.id)
            if change.view is not None and current is not None and current.version == change.view.version:
                continue  # seen already (the margin re-reads a few seconds)
            if change.view is None and current is None:
                continue
            self._unlink(change.id)
            if change.view is not None:
                self._link(change.view)
            self.index.put_fact(change.view, change.id)
            self.facts_seen_at = max(self.facts_seen_at, change.updated_at)
            applied += 1
        self.revision = revision
        self.example_questions = []
        return applied


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or PROJECT_ROOT / "data" / "cache")


def _cache_path(kb_id: str, corpus_revision: str) -> Path:
    return cache_dir() / f"view-{CACHE_FORMAT}-{kb_id}-{corpus_revision}.pickle"


def _save(loaded: Loaded, path: Path) -> None:
    """Write atomically; a failure only costs the next start its head start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(loaded, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in sorted(path.parent.glob("view-*.pickle"), key=lambda p: p.stat().st_mtime)[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not write the index cache %s: %s", path, exc)


def _load(path: Path, tokenizer: Tokenizer) -> Loaded | None:
    try:
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign cache file is rebuilt, never trusted
        log.warning("ignoring the index cache %s: %s", path, exc)
        return None
    if not isinstance(loaded, Loaded):
        return None
    tokenizer.add_words(loaded.lexicon.words)
    loaded.index.tokenizer = tokenizer
    return loaded


def _revision_number(revision: str) -> int:
    return int(revision) if revision.isdigit() else 0


class ViewKeeper:
    """Holds the current ``Loaded`` for one engine; thread-safe."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self.tokenizer: Tokenizer | None = None

    def current(self) -> Loaded:
        with self._factory() as session:
            revision = current_revision(session)
            loaded = self._loaded
            if loaded is not None and loaded.revision == revision:
                return loaded
            with self._lock:
                if self._loaded is None or self._loaded.revision != revision:
                    self._loaded = self._refresh(session, revision)
                return self._loaded

    def _refresh(self, session: Session, revision: str) -> Loaded:
        if self.tokenizer is None:
            self.tokenizer = Tokenizer()
        corpus = get_meta(session, CORPUS_REVISION_KEY) or "0"
        loaded = self._loaded
        if loaded is not None and loaded.snapshot.corpus_revision == corpus:
            changes = load_fact_changes(session, loaded.facts_seen_at - CHANGE_MARGIN)
            applied = loaded.apply(changes, revision)
            log.info("knowledge revision %s: %d changed facts patched in", revision, applied)
            return loaded
        started = datetime.now(UTC)  # edits after this are read as changes, never missed
        if get_meta(session, KB_ID_KEY) is None:
            ensure_kb_id(session)
            session.commit()
        snapshot = load_snapshot(session)
        path = _cache_path(snapshot.kb_id, snapshot.corpus_revision) if snapshot.kb_id else None
        cached = _load(path, self.tokenizer) if path is not None else None
        if (
            cached is not None
            and cached.snapshot.corpus_revision == snapshot.corpus_revision
            # A cache written at a later revision than this database is at (a restored backup,
            # a copy of the file) may hold edits this database never had: rebuild instead.
            and _revision_number(cached.revision) <= _revision_number(revision)
        ):
            changes = load_fact_changes(session, cached.facts_seen_at - CHANGE_MARGIN)
            cached.apply(changes, revision)
            log.info("knowledge revision %s from cache %s", revision, path)
            return cached
        loaded = Loaded.build(snapshot, self.tokenizer, started)
        log.info("knowledge loaded: revision %s, %d facts", revision, len(snapshot.facts))
        if path is not None:
            _save(loaded, path)
        return loaded
