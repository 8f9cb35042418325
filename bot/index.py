"""Inverted index from search terms to facts, sentences and articles.

The index only proposes candidates; rapidfuzz then scores the few it returns (``bot.match``).
Postings are flat arrays in the view file (doc numbers ascending per term, BM25 weights
precomputed), so a query costs what its rarer terms touch, not the corpus size, and a term's
membership in a candidate is a binary search. ``IndexBuilder`` writes them; ``SearchIndex`` reads
them and overlays the documents of facts edited since.
"""

from __future__ import annotations

import math
import threading
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import jieba
import numpy as np

from bot.lexicon import PLACE_TERM_PREFIX
from bot.tokenize import Tokenizer, pinyin_terms
from bot.viewfile import StringPool, Strings, ViewFile
from knowledge.store import ArticleView, FactView, SentenceView, Snapshot

DocKind = Literal["fact", "sentence", "article", "passage"]
KINDS: tuple[DocKind, ...] = ("article", "sentence", "fact", "passage")
# Passages: a few sentences read together, so a question describing an event in one sentence finds
# the figure stated in the next. Each starts PASSAGE_STRIDE sentences after the previous one.
PASSAGE_SENTENCES = 3
PASSAGE_STRIDE = 2

BM25_K1 = 1.2
BM25_B = 0.6
# A term in more than this share of all documents is too common to nominate candidates by itself
# (it still counts when candidates are scored); without a rarer term it is used after all.
COMMON_SHARE = 0.02
COMMON_MIN_DF = 200  # small corpora: every term may nominate
SHORT_POSTINGS = 64  # postings this short are walked in Python: numpy's calls cost more
DOCS_KEPT = 100_000  # documents kept as read (then forgotten at once)


@dataclass(frozen=True, slots=True)
class Doc:
    number: int  # position in the index; what postings hold
    kind: DocKind
    ref: int  # fact id, sentence id or article id
    article_id: int | None
    text: str  # what rapidfuzz compares the query with


class _Documents:
    """What the documents of a corpus are made of: shared by the builder and by edits."""

    def __init__(self, articles: Iterable[ArticleView], tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.places = {a.id: a.place for a in articles}
        self._titles = {a.id: a.title for a in articles}
        self._title_terms: dict[int, list[str]] = {}
        # Facts are made of few distinct pieces (place, agency, subject…): each is cut once.
        self._piece_terms: dict[str, list[str]] = {}

    def fact_text(self, fact: FactView) -> tuple[str, list[str]]:
        """What a fact's document says, plus its article's title words as extra terms."""
        aid = fact.article_id
        place = self.places.get(aid) if aid is not None else None
        text = " ".join(
            x for x in (place, fact.agency, fact.period, fact.subject, fact.change, fact.comparison) if x
        )
        if aid is None or aid not in self._titles:
            return text, []
        # The article's title words let "反诈电话…多少钱" reach its facts.
        if aid not in self._title_terms:
            self._title_terms[aid] = self.tokenizer.terms(self._titles[aid])
        return text, self._title_terms[aid]

    def terms(
        self,
        article_id: int | None,
        text: str,
        extra: Iterable[str] = (),
        *,
        pieces: bool = False,
        blocks: dict[str, list[str]] | None = None,
    ) -> Counter[str]:
        """A document's term counts. ``pieces``: cut each space-separated piece once and remember
        it (jieba never joins across a space, so the terms are the same as cutting the whole).
        ``blocks``: the terms of each jieba block (``re_han_default``: jieba cuts block by block,
        each on its own) are looked up there and added to it; a compile passes one."""
        if pieces:
            terms = []
            for piece in text.split(" "):
                if piece not in self._piece_terms:
                    self._piece_terms[piece] = self.tokenizer.terms(piece)
                terms += self._piece_terms[piece]
        elif blocks is not None:
            terms = []
            for block in jieba.re_han_default.split(text):
                if block:
                    known = blocks.get(block)
                    if known is None:
                        known = blocks[block] = self.tokenizer.terms(block)
                    terms += known
        else:
            terms = self.tokenizer.terms(text)
        counts = Counter(terms + pinyin_terms(terms))
        place = self.places.get(article_id) if article_id is not None else None
        if place:
            counts[PLACE_TERM_PREFIX + place] = 1
        for term in extra:
            counts[term] += 1
        return counts


def _bm25(idf: float, tf: int, length: int, avg: float) -> float:
    return idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / avg))


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class IndexBuilder:
    """Tokenizes every document of a snapshot once and lays the postings out flat."""

    def __init__(self, snapshot: Snapshot, tokenizer: Tokenizer, pool: StringPool) -> None:
        self._documents = _Documents(snapshot.articles, tokenizer)
        self._pool = pool
        self._kinds, self._refs, self._articles, self._texts = array("b"), array("i"), array("i"), array("i")
        # Postings are collected straight into compact arrays: a corpus of 10,000 articles has
        # millions of them, and lists of tuples would multiply the peak memory.
        self._ids: dict[str, array] = defaultdict(lambda: array("i"))
        self._tfs: dict[str, array] = defaultdict(lambda: array("H"))
        self._lengths = array("I")
        # the terms of every jieba block met in this compile (sentences repeat clauses; the
        # tokenizer's words do not change while it runs)
        self._blocks: dict[str, list[str]] = {}
        for article in snapshot.articles:
            head = " ".join(x for x in (article.title, article.place, article.agency) if x)
            self._add("article", article.id, article.id, f"{head} {article.summary}")
        window: list[tuple[SentenceView, Counter[str]]] = []  # one article's sentences and terms
        for sentence in snapshot.sentences:
            if window and window[-1][0].article_id != sentence.article_id:
                self._add_passages(window)
                window = []
            counts = self._add("sentence", sentence.id, sentence.article_id, sentence.text)
            window.append((sentence, counts))
        self._add_passages(window)
        self._blocks.clear()  # facts are cut by pieces
        self._first_fact = len(self._kinds)
        for fact in sorted(snapshot.facts, key=lambda f: f.id):  # id order: edits find theirs by bisect
            self._add("fact", fact.id, fact.article_id, *self._documents.fact_text(fact), pieces=True)

    def _add_passages(self, sentences: list[tuple[SentenceView, Counter[str]]]) -> None:
        """One article's passages (none for an article short enough to be one): their terms are
        their sentences' terms, so nothing is tokenized twice."""
        if len(sentences) <= PASSAGE_SENTENCES:
            return
        for i in range(0, len(sentences) - PASSAGE_SENTENCES + PASSAGE_STRIDE, PASSAGE_STRIDE):
            part = sentences[i : i + PASSAGE_SENTENCES]
            if len(part) < 2:
                continue
            counts: Counter[str] = Counter()
            for _, terms in part:
                counts.update(terms)
            first = part[0][0]
            text = "".join(t.text for t, _ in part)
            self._add("passage", first.id, first.article_id, text, counts=counts)

    def _add(
        self,
        kind: DocKind,
        ref: int,
        article_id: int | None,
        text: str,
        extra: Iterable[str] = (),
        *,
        pieces: bool = False,
        counts: Counter[str] | None = None,
    ) -> Counter[str]:
        if counts is None:
            counts = self._documents.terms(
                article_id, text, extra, pieces=pieces, blocks=None if pieces else self._blocks
            )
        number = len(self._kinds)
        self._kinds.append(KINDS.index(kind))
        self._refs.append(ref)
        self._articles.append(-1 if article_id is None else article_id)
        self._texts.append(self._pool.add(text))
        self._lengths.append(sum(counts.values()))
        for term, tf in counts.items():
            self._ids[term].append(number)
            self._tfs[term].append(min(tf, 65535))
        return counts

    def sections(self) -> tuple[dict[str, array], dict[str, Any]]:
        """The flat arrays, and the meta (term → postings range and IDF) the reader needs."""
        n = max(len(self._kinds), 1)
        lengths = self._lengths
        avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        ids, weights = array("i"), array("f")
        terms = sorted(self._ids)
        starts, idfs = array("q"), array("d")
        for term in terms:
            postings, tfs = self._ids.pop(term), self._tfs.pop(term)
            idf = _idf(n, len(postings))
            starts.append(len(ids))
            idfs.append(idf)
            ids.extend(postings)
            weights.extend(_bm25(idf, tf, lengths[d], avg) for d, tf in zip(postings, tfs, strict=True))
        starts.append(len(ids))
        sections = {
            "docs.kind": self._kinds,
            "docs.ref": self._refs,
            "docs.article": self._articles,
            "docs.text": self._texts,
            "postings.ids": ids,
            "postings.weights": weights,
            **TermTable.sections(terms, starts, idfs),
        }
        return sections, {"avg": avg, "n": n, "first_fact": self._first_fact}


class TermTable:
    """term → (postings start, end, IDF), from three columns of the view file.

    The terms are one NUL-separated string (a source file holding NUL is refused by the build):
    splitting it and numbering the pieces takes milliseconds at 10,000 articles, where a JSON
    object of [start, end, idf] lists took a tenth of a second of every worker's start.
    """

    def __init__(self, view: ViewFile) -> None:
        text = str(view["terms.text"], "utf-8")
        self.names = text.split("\0") if text else []
        self._rows = {term: row for row, term in enumerate(self.names)}
        self._starts = view["terms.start"]
        self._idfs = view["terms.idf"]

    @staticmethod
    def sections(terms: list[str], starts: array, idfs: array) -> dict[str, array | bytes]:
        if any("\0" in term for term in terms):
            raise ValueError("an index term holds NUL")
        return {"terms.text": "\0".join(terms).encode("utf-8"), "terms.start": starts, "terms.idf": idfs}

    def get(self, term: str, default: tuple[int, int, float] | None = None) -> tuple[int, int, float] | None:
        row = self._rows.get(term)
        if row is None:
            return default
        return self._starts[row], self._starts[row + 1], self._idfs[row]

    def __contains__(self, term: object) -> bool:
        return term in self._rows

    def __len__(self) -> int:
        return len(self._rows)


class SearchIndex:
    """Reads a view file's postings; facts edited since it was written are overlaid in memory."""

    def __init__(
        self,
        view: ViewFile,
        meta: dict[str, Any],
        strings: Strings,
        articles: Iterable[ArticleView],
        tokenizer: Tokenizer,
    ) -> None:
        self.tokenizer = tokenizer
        self._kinds = view["docs.kind"]
        self._refs = view["docs.ref"]
        self._articles = view["docs.article"]
        self._texts = view["docs.text"]
        self._ids = view["postings.ids"]
        self._weights = view["postings.weights"]
        self._np_ids = np.frombuffer(self._ids, np.int32)
        self._np_weights = np.frombuffer(self._weights, np.float32)
        self._local = threading.local()  # each thread's score buffer (search)
        self._strings = strings
        self._terms = TermTable(view)
        self._avg: float = meta["avg"]
        self._n: int = meta["n"]
        self._first_fact: int = meta["first_fact"]
        self._size = len(self._kinds)
        self._max_idf = math.log(1 + (self._n + 0.5) / 0.5)
        self._common = max(COMMON_MIN_DF, int(self._n * COMMON_SHARE))
        self._articles_seen = list(articles)
        self._documents: _Documents | None = None
        # the overlay: documents of facts edited since the file was written
        self._extra_docs: list[Doc] = []
        self._extra: dict[str, tuple[array, array]] = {}
        self._extra_idf: dict[str, float] = {}
        self._fact_docs: dict[int, int] = {}  # edited fact id → its current doc number
        self._dead: set[int] = set()  # doc numbers of facts since edited or retired
        # the file's documents as read (they never change: an edited fact gets a new number)
        self._docs: dict[int, Doc] = {}

    def __len__(self) -> int:
        return self._size + len(self._extra_docs)

    def doc(self, number: int) -> Doc:
        if number >= self._size:
            return self._extra_docs[number - self._size]
        found = self._docs.get(number)
        if found is None:
            article = self._articles[number]
            found = Doc(
                number,
                KINDS[self._kinds[number]],
                self._refs[number],
                None if article < 0 else article,
                self._strings[self._texts[number]],
            )
            if len(self._docs) >= DOCS_KEPT:
                self._docs.clear()
            self._docs[number] = found
        return found

    # ------------------------------------------------------------------ edits

    def _fact_doc(self, fact_id: int) -> int | None:
        if fact_id in self._fact_docs:
            return self._fact_docs[fact_id]
        i = bisect_left(self._refs, fact_id, self._first_fact, self._size)
        return i if i < self._size and self._refs[i] == fact_id and i not in self._dead else None

    def put_fact(self, fact: FactView | None, fact_id: int) -> None:
        """Replace (or, with ``None``, drop) one fact's document after a moderator's edit.

        The new document is appended, so postings stay sorted; IDF and the average length keep
        their values from the full build, which one edit hardly moves.
        """
        # Copy on write: searches in other threads keep reading the sets and arrays they started with.
        old = self._fact_doc(fact_id)
        if old is not None:
            self._dead = self._dead | {old}
        self._fact_docs.pop(fact_id, None)
        if fact is None:
            return
        if self._documents is None:
            self._documents = _Documents(self._articles_seen, self.tokenizer)
        text, extra = self._documents.fact_text(fact)
        counts = self._documents.terms(fact.article_id, text, extra, pieces=True)
        number = len(self)
        self._extra_docs.append(Doc(number, "fact", fact.id, fact.article_id, text))
        self._fact_docs[fact.id] = number
        length = sum(counts.values())
        postings = dict(self._extra)
        for term, tf in counts.items():
            idf = self.idf(term) if self.knows(term) else self._extra_idf.setdefault(term, _idf(self._n, 1))
            ids, weights = postings.get(term, (array("i"), array("f")))
            postings[term] = (
                ids + array("i", [number]),
                weights + array("f", [_bm25(idf, tf, length, self._avg)]),
            )
        self._extra = postings

    # ------------------------------------------------------------------ querying

    def idf(self, term: str) -> float:
        """Rarity of a term; a term the corpus never uses weighs as much as the rarest one."""
        found = self._terms.get(term)
        if found is not None:
            return found[2]
        return self._extra_idf.get(term, self._max_idf)

    def knows(self, term: str) -> bool:
        return term in self._terms or term in self._extra

    def df(self, term: str) -> int:
        """How many documents hold ``term``."""
        return self._df(term)

    def _df(self, term: str) -> int:
        start, end, _ = self._terms.get(term, (0, 0, 0.0))
        extra = self._extra.get(term)
        return end - start + (len(extra[0]) if extra else 0)

    def articles_with(self, term: str) -> set[int]:
        """The articles one of whose documents holds ``term``: where to look, not a word scan
        of every sentence (a year at 10,000 articles)."""
        ids = []
        if (found := self._terms.get(term)) is not None:
            ids.extend(self._np_ids[found[0] : found[1]].tolist())
        if (extra := self._extra.get(term)) is not None:
            ids.extend(extra[0])
        out = set()
        for number in ids:
            article = self.doc(number).article_id if number >= self._size else self._articles[number]
            if article is not None and article >= 0:
                out.add(article)
        return out

    def contains(self, doc: Doc, term: str) -> bool:
        found = self._terms.get(term)
        if found is not None and doc.number < self._size:
            start, end, _ = found
            i = bisect_left(self._ids, doc.number, start, end)
            return i < end and self._ids[i] == doc.number
        extra = self._extra.get(term)
        if extra is None:
            return False
        i = bisect_left(extra[0], doc.number)
        return i < len(extra[0]) and extra[0][i] == doc.number

    def terms_of_docs(self, docs: list[Doc], candidates: Iterable[str]) -> list[frozenset[str]]:
        """Which of ``candidates`` (the query's terms) each document contains: one vectorized
        binary search per term over all the documents."""
        found: list[set[str]] = [set() for _ in docs]
        numbers = np.fromiter((d.number for d in docs), np.int64, len(docs))
        row_of = {d.number: i for i, d in enumerate(docs)}
        unique = len(row_of) == len(docs)
        for term in candidates:
            if (span := self._terms.get(term)) is not None:
                if span[1] - span[0] <= SHORT_POSTINGS and unique:  # a rare term: its few documents
                    for number in self._ids[span[0] : span[1]]:
                        if (i := row_of.get(number)) is not None:
                            found[i].add(term)
                else:
                    ids = self._np_ids[span[0] : span[1]]
                    at = np.searchsorted(ids, numbers)
                    hit = at < len(ids)
                    hit[hit] = ids[at[hit]] == numbers[hit]
                    for i in np.flatnonzero(hit):
                        found[i].add(term)
            if term in self._extra:  # documents of facts edited since the file
                for i, doc in enumerate(docs):
                    if doc.number >= self._size and self.contains(doc, term):
                        found[i].add(term)
        return [frozenset(f) for f in found]

    def search(self, weights: dict[str, float], limit: int = 60) -> list[Doc]:
        """Best ``limit`` docs by BM25 over the weighted query terms, rare terms nominating.

        Scores add up in a per-thread array over all documents (numpy, straight from the mapped
        postings): a query touching tens of thousands of postings costs a millisecond, not ten.
        Ties go to the lower document number.
        """
        known = [t for t in weights if self.knows(t)]
        rare = [t for t in known if self._df(t) <= self._common]
        scores = self._scores()
        touched = []
        # Common terms are left to the scoring of the candidates (coverage), unless nothing rarer exists.
        for term in rare or known:
            w = weights[term]
            postings = []
            if (found := self._terms.get(term)) is not None:
                start, end, _ = found
                postings.append((self._np_ids[start:end], self._np_weights[start:end]))
            if (extra := self._extra.get(term)) is not None:
                postings.append((np.frombuffer(extra[0], np.int32), np.frombuffer(extra[1], np.float32)))
            for ids, bm25 in postings:
                scores[ids] += w * bm25.astype(np.float64)  # a term lists a document once
                touched.append(ids)
        if not touched:
            return []
        candidates = np.sort(np.concatenate(touched)) if len(touched) > 1 else touched[0]
        if len(touched) > 1:  # sorted, then each document once (np.unique hashes: slower here)
            candidates = candidates[np.concatenate(([True], candidates[1:] != candidates[:-1]))]
        values = scores[candidates]
        scores[candidates] = 0.0  # the buffer is clean again for the next query
        if dead := self._dead:
            alive = ~np.isin(candidates, np.fromiter(dead, np.int64, len(dead)))
            candidates, values = candidates[alive], values[alive]
        if len(candidates) > limit:
            kth = np.partition(values, len(values) - limit)[len(values) - limit]  # the limit-th best
            above = np.flatnonzero(values > kth)
            tied = np.flatnonzero(values == kth)[: limit - len(above)]
            chosen = np.concatenate([above, tied])
            candidates, values = candidates[chosen], values[chosen]
        order = np.lexsort((candidates, -values))
        return [self.doc(int(number)) for number in candidates[order]]

    def _scores(self) -> np.ndarray:
        """This thread's zeroed score array, one slot per document (grown after edits)."""
        scores = getattr(self._local, "scores", None)
        if scores is None or len(scores) < len(self):
            scores = self._local.scores = np.zeros(len(self) + 1024, np.float64)
        return scores
