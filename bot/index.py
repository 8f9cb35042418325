"""Inverted index from search terms to facts, sentences and articles.

The index only proposes candidates (BM25-style, so cost follows the postings a query touches,
not the corpus size); rapidfuzz then scores the few candidates in ``bot.match``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

from bot.tokenize import Tokenizer, pinyin_terms
from knowledge.store import Snapshot

DocKind = Literal["fact", "sentence", "article"]

BM25_K1 = 1.2
BM25_B = 0.6


@dataclass(frozen=True)
class Doc:
    kind: DocKind
    ref: int  # fact id, sentence id or article id
    article_id: int | None
    text: str  # what rapidfuzz compares the query with
    terms: frozenset[str]


@dataclass(frozen=True)
class Hit:
    doc: Doc
    bm25: float
    matched: frozenset[str]


class SearchIndex:
    def __init__(self, snapshot: Snapshot, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.docs: list[Doc] = []
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._lengths: list[int] = []
        for article in snapshot.articles:
            head = " ".join(x for x in (article.title, article.place, article.agency) if x)
            self._add("article", article.id, article.id, f"{head} {article.summary}")
        for sentence in snapshot.sentences:
            self._add("sentence", sentence.id, sentence.article_id, sentence.text)
        titles = {a.key: (a.title, a.place) for a in snapshot.articles}
        for fact in snapshot.facts:
            title, place = titles.get(fact.article_key, (None, None))
            # The article's title and place let "荆门…多少" or "反诈电话…多少钱" reach its facts.
            text = " ".join(
                x
                for x in (place, fact.agency, fact.period, fact.subject, fact.change, fact.comparison, title)
                if x
            )
            self._add("fact", fact.id, fact.article_id, text)
        self._avg_len = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        n = max(len(self.docs), 1)
        self._idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for term, p in self._postings.items()
        }
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)

    def _add(self, kind: DocKind, ref: int, article_id: int | None, text: str) -> None:
        terms = self.tokenizer.terms(text)
        terms += pinyin_terms(terms)
        counts = Counter(terms)
        idx = len(self.docs)
        self.docs.append(Doc(kind, ref, article_id, text, frozenset(counts)))
        self._lengths.append(sum(counts.values()))
        for term, tf in counts.items():
            self._postings[term].append((idx, tf))

    def idf(self, term: str) -> float:
        """Rarity of a term; a term the corpus never uses weighs as much as the rarest one."""
        return self._idf.get(term, self._max_idf)

    def knows(self, term: str) -> bool:
        return term in self._postings

    def search(self, weights: dict[str, float], limit: int = 60) -> list[Hit]:
        """Best ``limit`` docs by BM25 over the weighted query terms."""
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, set[str]] = defaultdict(set)
        for term, weight in weights.items():
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self._idf[term]
            for idx, tf in postings:
                norm = (
                    tf
                    * (BM25_K1 + 1)
                    / (tf + BM25_K1 * (1 - BM25_B + BM25_B * self._lengths[idx] / self._avg_len))
                )
                scores[idx] += weight * idf * norm
                matched[idx].add(term)
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Hit(self.docs[i], s, frozenset(matched[i])) for i, s in best]
