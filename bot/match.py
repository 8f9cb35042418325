"""Score index candidates against a query: term coverage plus rapidfuzz on characters.

Coverage (IDF-weighted share of the query's terms a candidate contains, synonyms and pinyin
included) keeps off-topic messages low; rapidfuzz ``partial_ratio`` keeps a one-character typo
from sinking a good match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.index import Doc, SearchIndex
from bot.query import Query
from knowledge.store import Snapshot

COVERAGE_WEIGHT = 0.7
FUZZ_WEIGHT = 0.3
SINGLE_CHAR_WEIGHT = 0.3  # one-character terms say little on their own
OTHER_PLACE_FACTOR = 0.45  # a candidate from another place than the one asked about
CANDIDATES = 80
PART_CREDIT = 0.8  # a word matched only through its sub-words counts a little less
# A candidate sharing under a third of the question's weight is a coincidence of common words,
# however alike the characters look ("今天天气怎么样" against a sentence with 今天).
WEAK_COVERAGE = 0.34
WEAK_FACTOR = 0.7
PERSON = re.compile(r"^[\u4e00-\u9fff]{1,2}(先生|女士|某某|某|大爷|阿姨|师傅)$")  # 周先生, 张某某, 郑某
# Words a question quotes are the page's own: a sentence or passage without them matches less.
QUOTE_MISS = 0.8
QUOTE_KINDS = frozenset({"sentence", "passage"})
# A long word of the question that one article alone holds (江滨公园, 类金融管控) names that story:
# another article's candidates, sharing only the question's common words, match less.
ANCHOR_MIN_CHARS = 3
ANCHOR_MAX_DOCS = 12  # rarer than this in documents, or it is no name of one story
ANCHOR_FACTOR = 0.7
_ASKING = re.compile("[几多啥哪谁么]")


@dataclass(frozen=True)
class Scored:
    doc: Doc
    score: float  # 0..100
    coverage: float
    fuzzy: float


def _term_weight(index: SearchIndex, term: str) -> float:
    weight = index.idf(term)
    return weight * SINGLE_CHAR_WEIGHT if len(term) == 1 and not term.isascii() else weight


def _word_weights(
    index: SearchIndex, query: Query
) -> list[tuple[float, frozenset[str], tuple[str, ...], tuple[frozenset[str], ...]]]:
    """Each query word's weight, variants (without pinyin keys, for substrings) and parts, once
    per query and index: coverage runs for every candidate."""
    key = id(index)
    cached = query.weights_cache.get(key)
    if cached is None:
        cached = [
            (
                _term_weight(index, word),
                variants,
                tuple(v for v in variants if not v.startswith("py:")),
                query.parts.get(word, ()),
            )
            for word, variants in query.variants.items()
        ]
        query.weights_cache[key] = cached
    return cached


def coverage(index: SearchIndex, query: Query, terms: frozenset[str]) -> float:
    """IDF-weighted share of the query's words found in ``terms``; a word's sub-words earn part credit.

    Kept per query and term set: most candidates contain the same few of the question's terms."""
    key = (id(index), terms)
    found = query.coverage_cache.get(key)
    if found is None:
        found = query.coverage_cache[key] = _coverage(index, query, terms)
    return found


def _coverage(index: SearchIndex, query: Query, terms: frozenset[str]) -> float:
    total = covered = 0.0
    for w, variants, _, parts in _word_weights(index, query):
        total += w
        if not terms.isdisjoint(variants):
            covered += w
        elif parts:
            covered += w * PART_CREDIT * sum(not terms.isdisjoint(group) for group in parts) / len(parts)
    return covered / total if total else 0.0


def text_coverage(index: SearchIndex, query: Query, text: str) -> float:
    """Like ``coverage`` but by substring on a short text (no tokenizing on the hot path); kept
    per query and text (a passage's start, its speech and its ties read the same sentences)."""
    key = (id(index), text)
    found = query.coverage_cache.get(key)
    if found is None:
        found = query.coverage_cache[key] = _text_coverage(index, query, text)
    return found


def _text_coverage(index: SearchIndex, query: Query, text: str) -> float:
    total = covered = 0.0
    for w, _, plain, parts in _word_weights(index, query):
        total += w
        if any(v in text for v in plain):
            covered += w
        elif parts:
            covered += w * PART_CREDIT * sum(any(p in text for p in group) for group in parts) / len(parts)
    return covered / total if total else 0.0


def _article_names(snapshot: Snapshot, article_id: int | None, short: str) -> bool:
    """Whether an article's place, unit or title names the place (its short form) a query asks about."""
    article = snapshot.article(article_id)
    if article is None:
        return False
    return short in " ".join(x for x in (article.place, article.agency, article.title) if x)


def _fuzzy(topic: str, docs: list[Doc]) -> list[float]:
    """``fuzz.partial_ratio(topic, doc.text)`` of every document but the passages (0 for those),
    in one call (rapidfuzz's own loop, the same figures in double precision)."""
    texts = [d.text for d in docs if d.kind != "passage"]
    if not topic or not texts:
        return [0.0] * len(docs)
    ratios = iter(
        process.cdist([topic], texts, scorer=fuzz.partial_ratio, dtype=np.float64, workers=1)[0].tolist()
    )
    return [0.0 if d.kind == "passage" else next(ratios) for d in docs]


def _anchored(index: SearchIndex, query: Query) -> set[int]:
    """The one article that a rare long word of the question is found in, or none."""
    if query.place:
        return set()  # the place the question names already tells the stories apart
    found: set[int] = set()
    for w in query.terms:
        if (
            len(w) >= ANCHOR_MIN_CHARS
            and not w.isascii()
            and not _ASKING.search(w)  # 几分钟 asks; it names no story
            and index.knows(w)
            and index.df(w) <= ANCHOR_MAX_DOCS
        ):
            articles = index.articles_with(w)
            if len(articles) == 1:
                found |= articles
    return found if len(found) == 1 else set()


def score_candidates(
    index: SearchIndex, snapshot: Snapshot, query: Query, limit: int = CANDIDATES
) -> list[Scored]:
    if not query.weights:
        return []
    docs = index.search(query.weights, limit=limit)
    topic = query.topic
    asked = frozenset().union(*query.variants.values(), *(g for groups in query.parts.values() for g in groups))
    short = query.place.rstrip("市县区") if query.place else ""
    named: dict[int | None, bool] = {}  # article → whether its place, unit or title names the place
    # Characters of a question typed in pinyin or English never meet a Chinese text's.
    latin = topic.isascii()
    # A person the question names (周先生, 郑某) is told of in few articles: another's story is not theirs.
    persons = [w for w in query.terms if PERSON.match(w) and index.knows(w)]
    told = set().union(*(index.articles_with(w) for w in persons)) if persons else set()
    anchored = _anchored(index, query)
    out: list[Scored] = []
    ratios = _fuzzy("" if latin else topic, docs)
    for doc, terms, ratio in zip(docs, index.terms_of_docs(docs, asked), ratios, strict=True):
        cov = coverage(index, query, terms)
        # A passage is its sentences read together: their characters were compared already, and
        # comparing three sentences at once would cost more than all the rest.
        fz = cov if doc.kind == "passage" or latin else ratio / 100 if topic else 0.0
        score = 100 * (COVERAGE_WEIGHT * cov + FUZZ_WEIGHT * fz)
        if cov < WEAK_COVERAGE:
            score *= WEAK_FACTOR
        if query.quoted and doc.kind in QUOTE_KINDS and not any(q in doc.text for q in query.quoted):
            score *= QUOTE_MISS  # “四项任务” is those words, not 四个意识 and a 任务
        if query.recurring and doc.kind in QUOTE_KINDS:
            char, times = query.recurring
            score *= 1.0 if doc.text.count(char) >= times else QUOTE_MISS  # 五个“在”: 感知在初、预警在早…
        if query.place:
            if doc.article_id not in named:
                named[doc.article_id] = _article_names(snapshot, doc.article_id, short)
            if not (named[doc.article_id] or short in doc.text):
                score *= OTHER_PLACE_FACTOR
        if told and doc.article_id not in told:
            score *= OTHER_PLACE_FACTOR
        if anchored and doc.article_id not in anchored:
            score *= ANCHOR_FACTOR
        out.append(Scored(doc, score, cov, fz))
    out.sort(key=lambda s: (-s.score, s.doc.kind != "fact", s.doc.ref))
    return out
