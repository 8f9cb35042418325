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

from bot.tokenize import Tokenizer, pinyin_terms
from knowledge.store import Snapshot

DocKind = Literal["fact", "sentence", "article"]

BM25_K1 = 1.2
BM25_B = 0.6
# A term in more than this share of all documents is too common to nominate candidates by itself
# (it still counts when candidates are scored); without a rarer term it is used after all.
COMMON_SHARE = 0.02
COMMON_MIN_DF = 200  # small corpora: every term may nominate
PLACE_PREFIX = "place:"  # a synthetic term: every document of an article carries its place


@dataclass(frozen=True)
class Doc:
    number: int  # position in the index; what postings hold
    kind: DocKind
    ref: int  # fact id, sentence id or article id
    article_id: int | None
    text: str  # what rapidfuzz compares the query with


@dataclass(frozen=True)
class Hit:
    doc: Doc
    bm25: float


class SearchIndex:
    def __init__(self, snapshot: Snapshot, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.docs: list[Doc] = []
        raw: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths: list[int] = []
        places = {a.id: a.place for a in snapshot.articles}

        def add(
            kind: DocKind, ref: int, article_id: int | None, text: str, extra: Iterable[str] = ()
        ) -> None:
            terms = tokenizer.terms(text)
            counts = Counter(terms + pinyin_terms(terms))
            place = places.get(article_id) if article_id is not None else None
            if place:
                counts[PLACE_PREFIX + place] = 1
            for term in extra:
                counts[term] += 1
            number = len(self.docs)
            self.docs.append(Doc(number, kind, ref, article_id, text))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                raw[term].append((number, tf))

        heads: dict[int, list[str]] = {}
        for article in snapshot.articles:
            head = " ".join(x for x in (article.title, article.place, article.agency) if x)
            heads[article.id] = tokenizer.terms(article.title)
            add("article", article.id, article.id, f"{head} {article.summary}")
        for sentence in snapshot.sentences:
            add("sentence", sentence.id, sentence.article_id, sentence.text)
        for fact in snapshot.facts:
            place = places.get(fact.article_id) if fact.article_id is not None else None
            text = " ".join(
                x for x in (place, fact.agency, fact.period, fact.subject, fact.change, fact.comparison) if x
            )
            # The article's title words let "反诈电话…多少钱" reach its facts.
            add(
                "fact",
                fact.id,
                fact.article_id,
                text,
                heads.get(fact.article_id, []) if fact.article_id else [],
            )

        n = max(len(self.docs), 1)
        avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._common = max(COMMON_MIN_DF, int(n * COMMON_SHARE))
        self._idf: dict[str, float] = {}
        self._ids: dict[str, array] = {}
        self._weights: dict[str, array] = {}
        for term, postings in raw.items():
            df = len(postings)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            self._idf[term] = idf
            self._ids[term] = array("i", (d for d, _ in postings))
            self._weights[term] = array(
                "f",
                (
                    idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengths[d] / avg))
                    for d, tf in postings
                ),
            )

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

    def search(self, weights: dict[str, float], limit: int = 60) -> list[Hit]:
        """Best ``limit`` docs by BM25 over the weighted query terms, rare terms nominating."""
        known = [t for t in weights if t in self._ids]
        rare = [t for t in known if len(self._ids[t]) <= self._common]
        scores: dict[int, float] = defaultdict(float)
        # Common terms are left to the scoring of the candidates (coverage), unless nothing rarer exists.
        for term in rare or known:
            w = weights[term]
            for d, bm25 in zip(self._ids[term], self._weights[term], strict=True):
                scores[d] += w * bm25
        best = heapq.nlargest(limit, scores.items(), key=itemgetter(1))
        best.sort(key=lambda kv: (-kv[1], kv[0]))
        return [Hit(self.docs[number], score) for number, score in best]
