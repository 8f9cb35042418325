"""Inverted index from search terms to facts, sentences and articles.

The index only proposes candidates; rapidfuzz then scores the few it returns (``bot.match``).
Postings are compact arrays (doc numbers ascending, BM25 weights precomputed), so a query costs
what its rarer terms touch, not the corpus size, and membership of a term in a candidate is a
binary search rather than a per-document set kept in memory.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

from bot.lexicon import PLACE_TERM_PREFIX
from bot.tokenize import Tokenizer, pinyin_terms
from knowledge.store import FactView, Snapshot

DocKind = Literal["fact", "sentence", "article"]

BM25_K1 = 1.2
BM25_B = 0.6
# A term in more than this share of all documents is too common to nominate candidates by itself
# (it still counts when candidates are scored); without a rarer term it is used after all.
COMMON_SHARE = 0.02
COMMON_MIN_DF = 200  # small corpora: every term may nominate


@dataclass(frozen=True, slots=True)
class Doc:
    number: int  # position in the index; what postings hold
    kind: DocKind
    ref: int  # fact id, sentence id or article id
    article_id: int | None
    text: str  # what rapidfuzz compares the query with


class SearchIndex:
    def __init__(self, snapshot: Snapshot, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.docs: list[Doc] = []
        self.fact_docs: dict[int, int] = {}  # fact id → its current doc number
        self._dead: set[int] = set()  # doc numbers of facts since edited or retired
        self._places = {a.id: a.place for a in snapshot.articles}
        self._heads: dict[int, list[str]] = {}
        # Postings are collected straight into compact arrays: a corpus of 10,000 articles has
        # millions of them, and lists of tuples would multiply the peak memory.
        self._ids: dict[str, array] = defaultdict(lambda: array("i"))
        tfs: dict[str, array] = defaultdict(lambda: array("H"))
        lengths = array("I")
        for article in snapshot.articles:
            head = " ".join(x for x in (article.title, article.place, article.agency) if x)
            self._heads[article.id] = tokenizer.terms(article.title)
            self._collect(tfs, lengths, "article", article.id, article.id, f"{head} {article.summary}")
        for sentence in snapshot.sentences:
            self._collect(tfs, lengths, "sentence", sentence.id, sentence.article_id, sentence.text)
        for fact in snapshot.facts:
            self._collect(tfs, lengths, "fact", fact.id, fact.article_id, *self._fact_text(fact))

        n = max(len(self.docs), 1)
        self._avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._n = n
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._common = max(COMMON_MIN_DF, int(n * COMMON_SHARE))
        self._idf: dict[str, float] = {}
        self._weights: dict[str, array] = {}
        self._ids = dict(self._ids)
        for term, ids in self._ids.items():
            idf = self._idf[term] = self._idf_of(len(ids))
            self._weights[term] = array(
                "f", (self._bm25(idf, tf, lengths[d]) for d, tf in zip(ids, tfs.pop(term), strict=True))
            )

    # ------------------------------------------------------------------ building

    def _fact_text(self, fact: FactView) -> tuple[str, list[str]]:
        place = self._places.get(fact.article_id) if fact.article_id is not None else None
        text = " ".join(
            x for x in (place, fact.agency, fact.period, fact.subject, fact.change, fact.comparison) if x
        )
        # The article's title words let "反诈电话…多少钱" reach its facts.
        return text, self._heads.get(fact.article_id, []) if fact.article_id is not None else []

    def _terms(self, article_id: int | None, text: str, extra: Iterable[str]) -> Counter[str]:
        terms = self.tokenizer.terms(text)
        counts = Counter(terms + pinyin_terms(terms))
        place = self._places.get(article_id) if article_id is not None else None
        if place:
            counts[PLACE_TERM_PREFIX + place] = 1
        for term in extra:
            counts[term] += 1
        return counts

    def _collect(
        self,
        tfs: dict[str, array],
        lengths: array,
        kind: DocKind,
        ref: int,
        article_id: int | None,
        text: str,
        extra: Iterable[str] = (),
    ) -> None:
        counts = self._terms(article_id, text, extra)
        number = len(self.docs)
        self.docs.append(Doc(number, kind, ref, article_id, text))
        if kind == "fact":
            self.fact_docs[ref] = number
        lengths.append(sum(counts.values()))
        for term, tf in counts.items():
            self._ids[term].append(number)
            tfs[term].append(min(tf, 65535))

    def _idf_of(self, df: int) -> float:
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def _bm25(self, idf: float, tf: int, length: int) -> float:
        return idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / self._avg))

    def put_fact(self, fact: FactView | None, fact_id: int) -> None:
        """Replace (or, with ``None``, drop) one fact's document after a moderator's edit.

        The new document is appended, so postings stay sorted; IDF and the average length keep
        their values from the full build, which one edit hardly moves.
        """
        old = self.fact_docs.pop(fact_id, None)
        if old is not None:
            self._dead.add(old)
        if fact is None:
            return
        text, extra = self._fact_text(fact)
        counts = self._terms(fact.article_id, text, extra)
        number = len(self.docs)
        self.docs.append(Doc(number, "fact", fact.id, fact.article_id, text))
        self.fact_docs[fact.id] = number
        length = sum(counts.values())
        for term, tf in counts.items():
            if term not in self._ids:
                self._idf[term] = self._idf_of(1)
                self._ids[term] = array("i")
                self._weights[term] = array("f")
            self._ids[term].append(number)
            self._weights[term].append(self._bm25(self._idf[term], tf, length))

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the tokenizer (jieba's dictionary is loaded separately and cached by jieba)."""
        state = dict(self.__dict__)
        state["tokenizer"] = None
        return state

    # ------------------------------------------------------------------ querying

    def idf(self, term: str) -> float:
        """Rarity of a term; a term the corpus never uses weighs as much as the rarest one."""
        return self._idf.get(term, self._max_idf)

    def knows(self, term: str) -> bool:
        return term in self._ids

    def contains(self, doc: Doc, term: str) -> bool:
        ids = self._ids.get(term)
        if ids is None:
            return False
        i = bisect_left(ids, doc.number)
        return i < len(ids) and ids[i] == doc.number

    def terms_of(self, doc: Doc, candidates: Iterable[str]) -> frozenset[str]:
        """Which of ``candidates`` the document contains (only the query's terms are ever asked)."""
        return frozenset(t for t in candidates if self.contains(doc, t))

    def search(self, weights: dict[str, float], limit: int = 60) -> list[Doc]:
        """Best ``limit`` docs by BM25 over the weighted query terms, rare terms nominating."""
        known = [t for t in weights if t in self._ids]
        rare = [t for t in known if len(self._ids[t]) <= self._common]
        scores: dict[int, float] = defaultdict(float)
        # Common terms are left to the scoring of the candidates (coverage), unless nothing rarer exists.
        for term in rare or known:
            w = weights[term]
            for d, bm25 in zip(self._ids[term], self._weights[term], strict=True):
                scores[d] += w * bm25
        for number in self._dead:
            scores.pop(number, None)
        best = heapq.nlargest(limit, scores.items(), key=itemgetter(1))
        best.sort(key=lambda kv: (-kv[1], kv[0]))
        return [self.docs[number] for number, _ in best]
