"""Facts and sentences as columns in a view file, turned into ``FactView``/``SentenceView`` on demand.

Why: 200,000 fact objects cost hundreds of megabytes and seconds to load; columns cost a few bytes
per row and nothing to open. A moderator's edit after the file was written is an overlay entry
(``put``) until the next corpus revision writes a new file.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator

from bot.viewfile import StringPool, Strings, ViewFile
from knowledge.store import FactView, SentenceView

# FactView's text fields, stored as string numbers (-1 for None), this many per row
FACT_TEXTS = (
    "article_key",
    "subject",
    "value_text",
    "unit",
    "change",
    "comparison",
    "period",
    "agency",
    "kind",
    "sentence",
    "origin",
)
_APPROXIMATE, _CURATED = 1, 2
_CACHE_LIMIT = 50_000  # materialized views kept; the dict is dropped whole when it grows past this

Ranges = dict[int, tuple[int, int]]  # article id → [start, end) rows


def _none(value: int) -> int | None:
    return None if value < 0 else value


def fact_sections(facts: Iterable[FactView], pool: StringPool) -> tuple[dict[str, array], Ranges]:
    """Columns for ``facts`` (in id order) and which rows of ``facts.by_article`` each article owns."""
    ids, articles, positions, versions = array("i"), array("i"), array("i"), array("i")
    flags, values, texts = array("B"), array("d"), array("i")
    for fact in sorted(facts, key=lambda f: f.id):
        ids.append(fact.id)
        articles.append(-1 if fact.article_id is None else fact.article_id)
        positions.append(-1 if fact.sentence_position is None else fact.sentence_position)
        versions.append(fact.version)
        flags.append((_APPROXIMATE if fact.approximate else 0) | (_CURATED if fact.curated else 0))
        values.append(fact.value)
        texts.extend(pool.add(getattr(fact, name)) for name in FACT_TEXTS)
    by_article = array("i", sorted(range(len(ids)), key=lambda row: (articles[row], ids[row])))
    ranges: Ranges = {}
    for i, row in enumerate(by_article):
        aid = articles[row]
        if aid >= 0:
            start, _ = ranges.get(aid, (i, i))
            ranges[aid] = (start, i + 1)
    sections = {
        "facts.id": ids,
        "facts.article": articles,
        "facts.position": positions,
        "facts.version": versions,
        "facts.flags": flags,
        "facts.value": values,
        "facts.texts": texts,
        "facts.by_article": by_article,
    }
    return sections, ranges


class FactTable:
    """Active facts by id, the file's rows overlaid by edits made since it was written."""

    def __init__(self, view: ViewFile, strings: Strings, ranges: Ranges) -> None:
        self._ids = view["facts.id"]
        self._articles = view["facts.article"]
        self._positions = view["facts.position"]
        self._versions = view["facts.version"]
        self._flags = view["facts.flags"]
        self._values = view["facts.value"]
        self._texts = view["facts.texts"]
        self._by_article = view["facts.by_article"]
        self._strings = strings
        self._ranges = ranges
        self._changed: dict[int, FactView | None] = {}  # edits since the file: None = retired
        self._size = len(self._ids)
        self._cache: dict[int, FactView] = {}
        # (article, position) → the overlay it was read under, and the sentence's facts
        self._in_sentence: dict[tuple[int, int], tuple[dict[int, FactView | None], tuple[FactView, ...]]] = {}

    def _row_of(self, fact_id: int) -> int | None:
        if not isinstance(fact_id, int):  # a key from a message or a button: no such fact
            return None
        row = bisect_left(self._ids, fact_id)
        return row if row < len(self._ids) and self._ids[row] == fact_id else None

    def _view(self, row: int) -> FactView:
        cached = self._cache.get(row)
        if cached is not None:
            return cached
        n = len(FACT_TEXTS)
        t = [self._strings.get(x) for x in self._texts[row * n : row * n + n]]
        flags = self._flags[row]
        view = FactView(
            id=self._ids[row],
            article_id=_none(self._articles[row]),
            article_key=t[0] or "",
            subject=t[1] or "",
            value=self._values[row],
            value_text=t[2] or "",
            unit=t[3] or "",
            approximate=bool(flags & _APPROXIMATE),
            change=t[4],
            comparison=t[5],
            period=t[6],
            agency=t[7],
            kind=t[8] or "",
            sentence=t[9] or "",
            sentence_position=_none(self._positions[row]),
            origin=t[10] or "",
            curated=bool(flags & _CURATED),
            version=self._versions[row],
        )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[row] = view
        return view

    def get(self, fact_id: int, default: FactView | None = None) -> FactView | None:
        if fact_id in self._changed:
            return self._changed[fact_id] or default
        row = self._row_of(fact_id)
        return default if row is None else self._view(row)

    def placed(self, fact_id: int) -> tuple[int | None, int | None] | None:
        """(article id, sentence position) of an active fact, read from its columns without making
        its view (a dozen strings): what finds the sentence a fact's document stands for."""
        if fact_id in self._changed:
            fact = self._changed[fact_id]
            return None if fact is None else (fact.article_id, fact.sentence_position)
        row = self._row_of(fact_id)
        return None if row is None else (_none(self._articles[row]), _none(self._positions[row]))

    def __getitem__(self, fact_id: int) -> FactView:
        fact = self.get(fact_id)
        if fact is None:
            raise KeyError(fact_id)
        return fact

    def __contains__(self, fact_id: object) -> bool:
        return isinstance(fact_id, int) and self.get(fact_id) is not None

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[FactView]:
        """Every active fact in id order (facts added since the file come last)."""
        for row in range(len(self._ids)):
            fact_id = self._ids[row]
            if fact_id in self._changed:
                if (fact := self._changed[fact_id]) is not None:
                    yield fact
            else:
                yield self._view(row)
        yield from (
            fact
            for fact_id, fact in sorted(self._changed.items())
            if fact is not None and self._row_of(fact_id) is None
        )

    def in_article(self, article_id: int | None) -> list[FactView]:
        if article_id is None:
            return []
        start, end = self._ranges.get(article_id, (0, 0))
        return self._overlaid(self._by_article[start:end], lambda f: f.article_id == article_id)

    def count_in_article(self, article_id: int) -> int:
        if self._changed:
            return len(self.in_article(article_id))
        start, end = self._ranges.get(article_id, (0, 0))
        return end - start

    def in_sentence(self, article_id: int | None, position: int | None) -> list[FactView]:
        """The facts quoted from one sentence; only those rows become views."""
        if article_id is None or position is None:
            return []
        start, end = self._ranges.get(article_id, (0, 0))
        changed = self._changed
        key = (article_id, position)
        cached = self._in_sentence.get(key)
        if cached is not None and cached[0] is changed:  # copy on write: a new dict after each edit
            return list(cached[1])
        rows = [row for row in self._by_article[start:end] if self._positions[row] == position]
        facts = self._overlaid(rows, lambda f: f.article_id == article_id and f.sentence_position == position)
        if len(self._in_sentence) >= _CACHE_LIMIT:
            self._in_sentence.clear()
        self._in_sentence[key] = (changed, tuple(facts))
        return facts

    def _overlaid(self, rows: Iterable[int], belongs: Callable[[FactView], bool]) -> list[FactView]:
        """The file's ``rows`` as views, with edits since the file in place of (or besides) them."""
        changed = self._changed
        if not changed:
            return [self._view(row) for row in rows]
        facts = [self._view(row) for row in rows if self._ids[row] not in changed]
        facts += [f for f in changed.values() if f is not None and belongs(f)]
        return sorted(facts, key=lambda f: f.id)

    def put(self, fact_id: int, fact: FactView | None) -> None:
        """A moderator's edit: ``fact`` as it is now, ``None`` when it is retired."""
        was = self.get(fact_id) is not None
        self._changed = {**self._changed, fact_id: fact}  # copy on write: readers keep theirs
        self._size += (fact is not None) - was


def sentence_sections(sentences: Iterable[SentenceView], pool: StringPool) -> tuple[dict[str, array], Ranges]:
    """Columns for ``sentences`` (given in article, position order) and each article's rows."""
    ids, articles, positions, texts = array("i"), array("i"), array("i"), array("i")
    ranges: Ranges = {}
    for row, sentence in enumerate(sentences):
        ids.append(sentence.id)
        articles.append(sentence.article_id)
        positions.append(sentence.position)
        texts.append(pool.add(sentence.text))
        start, _ = ranges.get(sentence.article_id, (row, row))
        ranges[sentence.article_id] = (start, row + 1)
    order = sorted(range(len(ids)), key=ids.__getitem__)
    sections = {
        "sentences.id": ids,
        "sentences.article": articles,
        "sentences.position": positions,
        "sentences.text": texts,
        "sentences.sorted_ids": array("i", (ids[row] for row in order)),
        "sentences.sorted_rows": array("i", order),
    }
    return sections, ranges


class SentenceTable:
    """Sentences by id, by article and by (article, position); they change only with the corpus."""

    def __init__(self, view: ViewFile, strings: Strings, ranges: Ranges) -> None:
        self._ids = view["sentences.id"]
        self._articles = view["sentences.article"]
        self._positions = view["sentences.position"]
        self._texts = view["sentences.text"]
        self._sorted_ids = view["sentences.sorted_ids"]
        self._sorted_rows = view["sentences.sorted_rows"]
        self._strings = strings
        self._ranges = ranges
        self._cache: dict[int, SentenceView] = {}  # a passage's sentences are read for every question near it

    def _view(self, row: int) -> SentenceView:
        cached = self._cache.get(row)
        if cached is not None:
            return cached
        view = SentenceView(
            id=self._ids[row],
            article_id=self._articles[row],
            position=self._positions[row],
            text=self._strings[self._texts[row]],
        )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[row] = view
        return view

    def get(self, sentence_id: int, default: SentenceView | None = None) -> SentenceView | None:
        if not isinstance(sentence_id, int):
            return default
        i = bisect_left(self._sorted_ids, sentence_id)
        if i < len(self._sorted_ids) and self._sorted_ids[i] == sentence_id:
            return self._view(self._sorted_rows[i])
        return default

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[SentenceView]:
        return (self._view(row) for row in range(len(self._ids)))

    def __contains__(self, sentence_id: object) -> bool:
        return isinstance(sentence_id, int) and self.get(sentence_id) is not None

    def in_article(self, article_id: int) -> list[SentenceView]:
        start, end = self._ranges.get(article_id, (0, 0))
        return [self._view(row) for row in range(start, end)]

    def at(self, article_id: int | None, position: int | None) -> SentenceView | None:
        if article_id is None or position is None:
            return None
        start, end = self._ranges.get(article_id, (0, 0))
        row = bisect_left(self._positions, position, start, end)
        return self._view(row) if row < end and self._positions[row] == position else None
