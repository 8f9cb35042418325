"""The engine's view of the knowledge base, and how it stays current.

A full load tokenizes every document, so it is done once per corpus revision and written as a
view file (``bot.viewfile``: flat columns and postings, memory-mapped, keyed by the knowledge
base's id and corpus revision): a restart or a second worker maps it in milliseconds and shares
its pages. A moderator's edit does not touch the corpus: the view then reads only the facts
changed by a revision after the one it last saw (``facts.changed_in``, written in the edit's own
transaction, is indexed) and overlays them, so every worker answers with the edit on its next
message (PostgreSQL: once notified; SQLite: once ``REVISION_POLL_S`` has passed).
"""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot import viewfile
from bot.index import IndexBuilder, SearchIndex
from bot.lexicon import Lexicon, data_digest, learn_pinyin, pinyin_key
from bot.notify import listener_for
from bot.tables import FactTable, SentenceTable, fact_sections, sentence_sections
from bot.tokenize import CJK_WORD, Tokenizer
from knowledge.models import Fact, Meta, Sentence
from knowledge.paths import data_home
from knowledge.store import (
    CORPUS_REVISION_KEY,
    KB_ID_KEY,
    REVISION_KEY,
    ArticleView,
    FactChange,
    FactView,
    SentenceView,
    Snapshot,
    current_revision,
    ensure_kb_id,
    get_meta,
    load_fact_changes,
    load_snapshot,
    local_revision_commits,
    revision_number,
)
from knowledge.summarize import key_terms

log = logging.getLogger(__name__)

CACHE_FORMAT = 16  # bump when the view file's sections or meta change shape
CACHE_DIR_ENV = "FACTBOT_CACHE_DIR"
CACHE_KEEP = (
    3  # view files kept (≈200 MB each at 10,000 articles); workers still mapping a removed one keep it
)
# A view of this many documents (about 3 s to compile) keeps answering while its successor compiles.
BACKGROUND_COMPILE_DOCS = 20_000
# A corpus of this many sentences and facts is compiled in a child process (see _compile_in_child).
CHILD_COMPILE_ROWS = 20_000
COMPILE_WAIT_S = 900.0  # how long a worker waits for another one's compile before doing its own
# Without notifications (SQLite) the revision is read at most this often, and at once after this
# process's own commits: an edit through another worker shows within this time (issue: ≤ 1 s),
# and a burst of messages costs one read, not one each.
REVISION_POLL_S = 0.25
PASSAGES_KEPT = 50_000  # passages' sentences kept per view (then forgotten at once)
# What a byline says besides names: 本报记者, 通讯员, 摄 …
BYLINE_ROLES = re.compile(r"(本报)?(记者|通讯员|实习生|编辑|摄影?|报道|文|图|特约|通讯)")


@dataclass
class Loaded:
    """One consistent view of the knowledge base with everything derived from it."""

    snapshot: Snapshot  # its ``facts`` and ``sentences`` are the tables below
    index: SearchIndex
    lexicon: Lexicon
    facts: FactTable
    sentences: SentenceTable
    revision: str
    facts_seen: int  # the knowledge revision up to which this view includes every fact change
    example_questions: list[str] = field(default_factory=list)
    # article id → its place, unit and title in one string: list questions test every article's
    _names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)
    _all_names: tuple[str, list[int]] | None = field(default=None, repr=False, compare=False)
    _by_place: dict[str, list[int]] | None = field(default=None, repr=False, compare=False)
    _by_writer: dict[str, list[ArticleView]] | None = field(default=None, repr=False, compare=False)
    _passages: dict[tuple[int, int], tuple[SentenceView, ...]] = field(default_factory=dict, repr=False, compare=False)
    _terms: dict[int, list[str]] = field(default_factory=dict, repr=False, compare=False)

    @staticmethod
    def compile(snapshot: Snapshot, tokenizer: Tokenizer, seen: int) -> tuple[dict[str, Any], Any]:
        """Everything derived from ``snapshot``, as view-file sections and meta."""
        snapshot = quotable(snapshot)
        lexicon = Lexicon.from_snapshot(snapshot)
        tokenizer.add_words(lexicon.words)
        pool = viewfile.StringPool()
        facts, fact_ranges = fact_sections(snapshot.facts, pool)
        sentences, sentence_ranges = sentence_sections(snapshot.sentences, pool)
        index, index_meta = IndexBuilder(snapshot, tokenizer, pool).sections()
        meta = {
            "snapshot": {
                "revision": snapshot.revision,
                "corpus_revision": snapshot.corpus_revision,
                "kb_id": snapshot.kb_id,
                # plain rows: decoding 10,000 objects takes several times longer
                "articles": [astuple(a) for a in snapshot.articles],
                "files": snapshot.files,
                "last_build": snapshot.last_build,
            },
            "lexicon": {
                "words": sorted(lexicon.words),
                "places": lexicon.places,
                "names": sorted(lexicon.names),
                "world_places": sorted(lexicon.world_places),
            },
            "facts_seen": seen,
            # JSON keys are strings: ranges go as [article id, start, end] rows
            "fact_ranges": [[aid, *span] for aid, span in fact_ranges.items()],
            "sentence_ranges": [[aid, *span] for aid, span in sentence_ranges.items()],
            "index": index_meta,
        }
        # pinyin keys of the vocabulary: a worker then imports pypinyin only for new words
        words = [t for t in str(index["terms.text"], "utf-8").split("\0") if CJK_WORD.match(t)]
        pinyin = {
            "pinyin.words": "\0".join(words).encode("utf-8"),
            "pinyin.keys": "\0".join(pinyin_key(t) for t in words).encode("utf-8"),
        }
        return {**facts, **sentences, **index, **pinyin, **pool.sections("strings")}, meta

    @classmethod
    def open(cls, view: viewfile.ViewFile, tokenizer: Tokenizer) -> Loaded:
        meta = view.meta
        strings = view.strings("strings")
        facts = FactTable(view, strings, {aid: (start, end) for aid, start, end in meta["fact_ranges"]})
        sentences = SentenceTable(
            view, strings, {aid: (start, end) for aid, start, end in meta["sentence_ranges"]}
        )
        header = dict(meta["snapshot"])
        header["articles"] = tuple(ArticleView(*row) for row in header["articles"])
        snapshot = Snapshot(**header, facts=facts, sentences=sentences)
        words, keys = str(view["pinyin.words"], "utf-8"), str(view["pinyin.keys"], "utf-8")
        pinyin = dict(zip(words.split("\0"), keys.split("\0"), strict=True)) if words else {}
        words = meta["lexicon"]
        lexicon = Lexicon(
            words=set(words["words"]),
            places=dict(words["places"]),
            names=set(words["names"]),
            world_places=frozenset(words["world_places"]),
            sounds=pinyin,
        )
        loaded = cls(
            snapshot=snapshot,
            index=SearchIndex(view, meta["index"], strings, snapshot.articles, tokenizer),
            lexicon=lexicon,
            facts=facts,
            sentences=sentences,
            revision=snapshot.revision,
            facts_seen=meta["facts_seen"],
        )
        view.verify()  # what this process keeps beyond the view (pinyin keys, jieba's words) is checked
        learn_pinyin(pinyin)
        tokenizer.add_words(lexicon.words)
        loaded.warm()
        if len(loaded.index) >= BACKGROUND_COMPILE_DOCS:
            # What the process holds now (modules, this view: 350,000 objects at 10,000 articles)
            # lives on: a full collection need not scan it every time (one took 114 ms in the middle
            # of a question). Objects freed later by reference counting go as usual.
            gc.freeze()
        return loaded

    def warm(self) -> None:
        """What a question's first use would otherwise pay: the gazetteer (where-questions, places
        inside a province) and the articles' names by place (list questions; ≈15 ms at 10,000)."""
        from knowledge import gazetteer

        gazetteer.load()
        self.all_article_names()
        self.articles_by_place()

    @classmethod
    def build(cls, snapshot: Snapshot, tokenizer: Tokenizer, seen: int, path: Path) -> Loaded:
        """Compile ``snapshot`` and open the result: from ``path`` when it can be written there."""
        sections, meta = cls.compile(snapshot, tokenizer, seen)
        try:
            viewfile.write(path, sections, meta)
            view = viewfile.read(path)
        except (OSError, viewfile.ViewFileError) as exc:  # costs memory and the next start its head start
            log.warning("could not write the view file %s: %s", path, exc)
            view = viewfile.in_memory(sections, meta)
        else:
            _prune(path.parent)
        return cls.open(view, tokenizer)

    def article_names(self, article: ArticleView) -> str:
        """"place agency title" of an article (what names it), joined once per view."""
        names = self._names.get(article.id)
        if names is None:
            names = self._names[article.id] = " ".join(x for x in (article.place, article.agency, article.title) if x)
        return names

    def key_terms(self, article_id: int) -> list[str]:
        """The terms an article coins (knowledge.summarize.key_terms), read once per view."""
        terms = self._terms.get(article_id)
        if terms is None:
            terms = self._terms[article_id] = key_terms([s.text for s in self.sentences_in_article(article_id)])
        return terms

    def all_article_names(self) -> tuple[str, list[int]]:
        """Every article's ``article_names``, NUL-separated in the snapshot's order, and where each
        starts (with the end last): one substring search finds the articles naming a place."""
        if self._all_names is None:
            texts = [" ".join(x for x in (a.place, a.agency, a.title) if x) for a in self.snapshot.articles]
            starts, at = [], 0
            for text in texts:
                starts.append(at)
                at += len(text) + 1
            starts.append(at)
            self._all_names = ("\0".join(texts), starts)
        return self._all_names

    def articles_by_place(self) -> dict[str, list[int]]:
        """Each article place → the rows (in ``snapshot.articles``) of its articles."""
        if self._by_place is None:
            by_place: dict[str, list[int]] = {}
            for row, article in enumerate(self.snapshot.articles):
                if article.place:
                    by_place.setdefault(article.place, []).append(row)
            self._by_place = by_place
        return self._by_place

    def articles_by_writer(self) -> dict[str, list[ArticleView]]:
        """Each name a byline gives (记者 张贻富 通讯员 段晓鹏: the names stand apart) → its articles."""
        if self._by_writer is None:
            by_writer: dict[str, list[ArticleView]] = {}
            for article in self.snapshot.articles:
                for part in (article.byline or "").split():
                    if name := BYLINE_ROLES.sub("", part):
                        by_writer.setdefault(name, []).append(article)
            self._by_writer = by_writer
        return self._by_writer

    def passage(self, first_id: int, size: int) -> tuple[SentenceView, ...]:
        """The sentences of a passage starting at sentence ``first_id``: they change only with the
        corpus, and the passages near a question are read by several steps of its answer."""
        key = (first_id, size)
        found = self._passages.get(key)
        if found is None:
            first = self.sentences.get(first_id)
            window = (
                (self.sentence_at(first.article_id, first.position + i) for i in range(size)) if first else ()
            )
            found = tuple(t for t in window if t is not None)
            if len(self._passages) >= PASSAGES_KEPT:
                self._passages.clear()
            self._passages[key] = found
        return found

    def sentence_at(self, article_id: int | None, position: int | None) -> SentenceView | None:
        return self.sentences.at(article_id, position)

    def sentences_in_article(self, article_id: int | None) -> list[SentenceView]:
        return self.sentences.in_article(article_id) if article_id is not None else []

    def facts_in_article(self, article_id: int | None) -> list[FactView]:
        return self.facts.in_article(article_id)

    def fact_count(self, article_id: int) -> int:
        return self.facts.count_in_article(article_id)

    def facts_in_sentence(self, article_id: int | None, position: int | None) -> list[FactView]:
        return self.facts.in_sentence(article_id, position)

    def _cut_off(self, fact: FactView) -> bool:
        """An extracted fact whose sentence the view left out (:func:`quotable`)."""
        return (
            fact.origin == "extracted"
            and fact.sentence_position is not None
            and fact.article_id is not None
            and self.sentence_at(fact.article_id, fact.sentence_position) is None
        )

    def catch_up(self, session: Session, revision: str) -> int:
        """Overlay the facts changed after the revision this view last saw, up to ``revision``
        (read before this call, so every change it includes is committed and visible)."""
        return self.apply(load_fact_changes(session, self.facts_seen), revision)

    def apply(self, changes: list[FactChange], revision: str) -> int:
        """Overlay changed facts; returns how many actually differed from what the view had."""
        applied = 0
        for change in changes:
            current = self.facts.get(change.id)
            if change.view is not None and current is not None and current.version == change.view.version:
                continue  # seen already (read by a look that overlapped its commit)
            if change.view is None and current is None:
                continue
            view = change.view
            if view is not None and view.sentence and self._cut_off(view):
                view = replace(view, sentence="")  # its sentence is a fragment the view left out
            self.facts.put(change.id, view)
            self.index.put_fact(view, change.id)
            applied += 1
        self.facts_seen = max(self.facts_seen, revision_number(revision))
        self.revision = revision
        self.example_questions = []
        return applied


def quotable(snapshot: Snapshot) -> Snapshot:
    """The snapshot without the sentences a column break cut off, its facts from them unquoted.

    Such a sentence stops mid-word (…提升对案件的攻坚能) or starts mid-sentence: it is no quote
    source, neither as an excerpt, a passage, a neighbour of either, nor a fact's 原文 line.
    """
    cut = {(s.article_id, s.position) for s in snapshot.sentences if s.cut}
    if not cut:
        return snapshot
    return replace(
        snapshot,
        sentences=tuple(s for s in snapshot.sentences if not s.cut),
        facts=tuple(
            replace(f, sentence="") if (f.article_id, f.sentence_position) in cut else f
            for f in snapshot.facts
        ),
    )


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or data_home() / "cache")


def _cache_path(kb_id: str, corpus_revision: str) -> Path:
    return cache_dir() / f"view-{CACHE_FORMAT}-{kb_id}-{corpus_revision}-{data_digest()}.fbv"


def _prune(folder: Path) -> None:
    """Keep the newest few view files (older revisions, other formats) and drop the rest."""
    try:
        files = sorted(folder.glob("view-*"), key=lambda p: p.stat().st_mtime)
        for old in files[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not prune the view files in %s: %s", folder, exc)


def _rows(session: Session) -> int:
    """Sentences plus facts: what a compile tokenizes."""
    sentences = session.scalar(select(func.count()).select_from(Sentence)) or 0
    return sentences + (session.scalar(select(func.count()).select_from(Fact)) or 0)


def _compile_in_child(factory: sessionmaker[Session]) -> bool:
    """Compile the view file in a fresh process: its peak memory (several hundred MiB at 10,000
    articles) is returned to the system when it exits, and the worker keeps its core."""
    bind = factory.kw["bind"]
    url = bind.url.render_as_string(hide_password=False)
    import multiprocessing  # only when a large corpus is compiled: not on every worker's start

    child = multiprocessing.get_context("spawn").Process(
        target=compile_view_file, args=(url,), name="factbot-view-compile"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        log.warning("compiling the view in a child process failed (exit %s); compiling here", child.exitcode)
    return child.exitcode == 0


def compile_view_file(url: str) -> None:
    """Make sure the current corpus revision's view file exists (the child process's whole job)."""
    from knowledge.db import get_engine, session_factory

    keeper = ViewKeeper(session_factory(get_engine(url)))
    keeper.tokenizer = Tokenizer()
    with keeper._factory() as session:
        keeper._open(
            session, current_revision(session), get_meta(session, CORPUS_REVISION_KEY) or "0", child=True
        )


@contextmanager
def _compile_lock() -> Iterator[None]:
    """One compile per host at a time: workers started together wait for the first one's file."""
    from filelock import FileLock, Timeout  # only when compiling: 0.02–0.07 s of every start otherwise

    lock = FileLock(str(cache_dir() / "compile.lock"), timeout=COMPILE_WAIT_S)
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except (OSError, Timeout) as exc:  # no writable folder, or a compile that never ends: go alone
        log.warning("compiling the view without the lock: %s", exc)
        yield
        return
    try:
        yield
    finally:
        lock.release()


def _load(path: Path, tokenizer: Tokenizer) -> Loaded | None:
    try:
        view = viewfile.read(path, deferred=True)  # its checksum is computed while it opens
    except FileNotFoundError:
        return None
    except (OSError, viewfile.ViewFileError) as exc:  # a damaged or foreign file is rebuilt, never trusted
        log.warning("ignoring the view file %s: %s", path, exc)
        return None
    try:
        loaded = Loaded.open(view, tokenizer)
    except Exception as exc:  # a file whose meta does not fit this code: rebuilt as well
        loaded = None
        failure: Exception | None = exc
    else:
        failure = None
    try:
        view.verify()  # before anything read from it answers
    except viewfile.ViewFileError as exc:
        failure = exc
    if failure is not None:
        log.warning("ignoring the view file %s: %s", path, failure)
        return None
    return loaded


class ViewKeeper:
    """Holds the current ``Loaded`` for one engine; thread-safe.

    A large view keeps answering while the next corpus revision's view is compiled in a thread
    (a minute at 10,000 articles): a rebuild never stalls the bot. Small ones switch at once.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self.tokenizer: Tokenizer | None = None
        self._next: threading.Thread | None = None  # compiling the next corpus revision's view
        self._ready: Loaded | None = None  # what it made, taken on the next message
        self._listener = listener_for(factory.kw["bind"])  # PostgreSQL: told of new revisions
        self._checked: tuple[int, int] | None = None  # the signal when the view was last current

    def current(self) -> Loaded:
        signal = self._signal()
        loaded = self._loaded
        if loaded is not None and signal is not None and signal == self._checked:
            return loaded  # nothing committed since the last look: no query at all
        try:
            revision = self._revision()
        except DBAPIError as exc:
            if loaded is None:
                raise
            # the database is away: answer from the view held (edits show once it is back)
            log.warning(
                "knowledge revision not read (%s); answering from revision %s", exc.orig, loaded.revision
            )
            return loaded
        if loaded is not None and loaded.revision == revision:
            self._checked = signal
            return loaded
        with self._lock, self._factory() as session:
            revision = current_revision(session)
            if self._loaded is None or self._loaded.revision != revision:
                self._loaded = self._refresh(session, revision)
            # Serving an older view while the next one compiles: keep looking on every message.
            self._checked = signal if self._loaded.revision == revision else None
            return self._loaded

    def _signal(self) -> tuple[int, int] | None:
        """What changes whenever a revision may have been committed; None: no way to tell (poll).

        PostgreSQL: what the listener heard. SQLite: the clock's ``REVISION_POLL_S`` slot (as a
        negative number, never equal to a count heard), so a new slot reads the revision again.
        """
        listener = self._listener
        if listener is None:
            return -1 - int(time.monotonic() // REVISION_POLL_S), local_revision_commits()
        if not listener.listening:
            return None
        return listener.heard, local_revision_commits()

    def _revision(self) -> str:
        """The knowledge base's revision: one primary-key read, without an ORM session (every message)."""
        with self._factory.kw["bind"].connect() as conn:
            return conn.execute(select(Meta.value).where(Meta.key == REVISION_KEY)).scalar() or "0"

    def settle(self, timeout: float | None = None) -> None:
        """Wait for a view being compiled in the background (tests, a CLI about to exit)."""
        thread = self._next
        if thread is not None:
            thread.join(timeout)

    def _refresh(self, session: Session, revision: str) -> Loaded:
        if self.tokenizer is None:
            self.tokenizer = Tokenizer()
        corpus = get_meta(session, CORPUS_REVISION_KEY) or "0"
        loaded = self._loaded
        if loaded is not None and loaded.snapshot.corpus_revision == corpus:
            applied = loaded.catch_up(session, revision)
            log.info("knowledge revision %s: %d changed facts patched in", revision, applied)
            return loaded
        ready, self._ready = self._ready, None
        if ready is not None and ready.snapshot.corpus_revision == corpus:
            ready.catch_up(session, revision)
            log.info("knowledge revision %s: switched to the view compiled meanwhile", revision)
            return ready
        if loaded is not None and len(loaded.index) >= BACKGROUND_COMPILE_DOCS:
            if self._next is None or not self._next.is_alive():
                self._next = threading.Thread(target=self._compile_next, name="factbot-view", daemon=True)
                self._next.start()
            return loaded  # one corpus revision behind until the next view is ready
        return self._open(session, revision, corpus)

    def _compile_next(self) -> None:
        try:
            with self._factory() as session:
                revision = current_revision(session)
                ready = self._open(session, revision, get_meta(session, CORPUS_REVISION_KEY) or "0")
        except Exception:  # the old view keeps answering; the next message tries again
            log.exception("compiling the next view failed")
            return
        with self._lock:
            self._ready = ready
            self._checked = None  # look on the next message, notified or not

    def _open(self, session: Session, revision: str, corpus: str, *, child: bool = False) -> Loaded:
        """The corpus revision's view: mapped from its file, or compiled (and written) first."""
        assert self.tokenizer is not None
        kb_id = get_meta(session, KB_ID_KEY)
        if kb_id is None:
            kb_id = ensure_kb_id(session)
            session.commit()
        path = _cache_path(kb_id, corpus)
        cached = self._from_file(session, path, corpus, revision)
        if cached is not None:
            return cached
        if not child and _rows(session) >= CHILD_COMPILE_ROWS and _compile_in_child(self._factory):
            cached = self._from_file(session, path, corpus, revision)
            if cached is not None:
                return cached
        with _compile_lock():
            # Another worker may have written the file while this one waited for the lock.
            cached = self._from_file(session, path, corpus, revision)
            if cached is not None:
                return cached
            snapshot = load_snapshot(session)
            # Edits committed after ``revision`` (read before the snapshot) are read as changes.
            loaded = Loaded.build(
                snapshot,
                self.tokenizer,
                revision_number(revision),
                _cache_path(snapshot.kb_id, snapshot.corpus_revision),
            )
        log.info("knowledge loaded: revision %s, %d facts", revision, len(loaded.facts))
        return loaded

    def _from_file(self, session: Session, path: Path, corpus: str, revision: str) -> Loaded | None:
        assert self.tokenizer is not None
        cached = _load(path, self.tokenizer)
        if (
            cached is None
            or cached.snapshot.corpus_revision != corpus
            # A view file written at a later revision than this database is at (a restored
            # backup, a copy of the file) may hold edits this database never had: rebuild.
            or revision_number(cached.revision) > revision_number(revision)
        ):
            return None
        cached.catch_up(session, revision)
        log.info("knowledge revision %s from the view file %s", revision, path)
        return cached
