"""Domain vocabulary: synonyms and stopwords from data files, names from the knowledge base.

Place and agency names come from the articles themselves, so a new corpus brings its own
dictionary; nothing here knows the seed files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from knowledge.store import Snapshot

PLACE_TERM_PREFIX = "place:"  # index term every document of an article carries for its place
_ADMIN_SUFFIX = re.compile(r"(市|县|区|镇)$")
# A surname and 某/某某; not a verb or preposition before 某某 ("接到某某的报警").
_ANONYMISED = re.compile(
    r"((?![到在对向给被把让与和跟是有为从将及或])[\u4e00-\u9fff]某某|[\u4e00-\u9fff]某(?=[，。、；：”）的等在被已将称说于]))"
)
_AGENCY_SPLIT = re.compile(r"(公安局|公安分局|分局|派出所|指挥中心|大队|支队|政治部)")


def _data_lines(name: str) -> list[str]:
    text = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def folder_digest(folder: Traversable) -> str:
    """Digest of a folder's vocabulary files (``*.txt``), by name and content."""
    digest = hashlib.sha1()
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def data_digest() -> str:
    """Digest of the shipped vocabulary: a view compiled with other synonyms or stopwords is stale."""
    return folder_digest(resources.files("bot.data"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(w for line in _data_lines("stopwords.txt") for w in line.split())


@lru_cache(maxsize=1)
def pinyin_stopwords() -> dict[str, str]:
    """The question's own words typed in pinyin (duoshao, ji sui, ji yue ji hao) → the words they
    spell: the stopwords and the words that ask for a kind of answer (bot.asked), the first of
    those words of that sound."""
    from bot.asked import question_words

    table: dict[str, str] = {}
    words = [w for line in _data_lines("stopwords.txt") for w in line.split()] + list(question_words())
    for word in words:
        if word.isascii():
            continue
        # of words of one sound, a question word (几, not 及) is what a question spells; a question
        # word is spelled by each of its readings (谁: shui, and shei as people type it)
        for key in _readings(word) if _ASKING.search(word) else (pinyin_key(word),):
            if key not in table or (_ASKING.search(word) and not _ASKING.search(table[key])):
                table[key] = word
    return table


def _readings(word: str) -> list[str]:
    """Every toneless reading of a short word (pypinyin's heteronyms): 谁 → shui, shei."""
    from itertools import product

    from pypinyin import Style, pinyin

    per_char = [dict.fromkeys(r) for r in pinyin(word, style=Style.NORMAL, heteronym=True)]
    return ["".join(p) for p in product(*per_char)][:8] or [pinyin_key(word)]


_ASKING = re.compile("[几多哪谁啥怎么何]")


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Each group: canonical term first, then its aliases."""
    groups = []
    for line in _data_lines("synonyms.txt"):
        if "=" not in line:
            continue
        head, tail = line.split("=", 1)
        members = [head.strip()] + [a.strip() for a in tail.split(",") if a.strip()]
        groups.append(tuple(m for m in members if m))
    return tuple(groups)


# word → pinyin key. A view file brings the keys of its whole vocabulary (``learn_pinyin``), so a
# worker imports pypinyin (0.15 s: its phrase dictionary) only when a message has a new word.
_PINYIN: dict[str, str] = {}
_PINYIN_LIMIT = 500_000


def pinyin_key(word: str) -> str:
    """Toneless pinyin, so homophone typos (电炸/电诈) and pinyin input (jingmen) meet."""
    key = _PINYIN.get(word)
    if key is None:
        from pypinyin import lazy_pinyin

        key = "".join(lazy_pinyin(word))
        if len(_PINYIN) >= _PINYIN_LIMIT:
            _PINYIN.clear()
        _PINYIN[word] = key
    return key


@lru_cache(maxsize=1)
def divisions_by_pinyin() -> dict[str, str]:
    """Provinces and cities by the pinyin of their short names (shanghai → 上海): a place typed in
    pinyin that the corpus never names is still a place, and a question about it gets no other's."""
    from knowledge.gazetteer import divisions

    out: dict[str, str] = {}
    for d in sorted(divisions(), key=lambda d: (d.level, d.code)):
        if d.level < 2 and len(d.short) >= 2:
            out.setdefault(pinyin_key(d.short), d.short)
    return out


def learn_pinyin(keys: dict[str, str]) -> None:
    """Remember keys computed earlier (they depend on the word alone, whichever corpus it came from)."""
    _PINYIN.update(keys)


COMMON_WORD_FREQ = 200


def place_named(
    text: str, home: str | None, frequency: Callable[[str], int], named: frozenset[str] = frozenset()
) -> str | None:
    """The first division the text names (滕州, 广东省潮州市饶平县 → 广东省) other than ``home``
    (the article's own place): where a "从哪来的" question is answered. A bare short form counts
    when ``named`` (jieba's place words) holds it or it is no common word (``frequency``, jieba's):
    滕州 (10), not 公安 (2800)."""
    from knowledge.gazetteer import heads, lookup

    starts = heads()
    for i in range(len(text) - 1):
        if text[i : i + 2] not in starts:
            continue  # no division's name starts here
        for size in (5, 4, 3, 2):
            word = text[i : i + size]
            if len(word) < size or not (found := lookup(word)):
                continue
            if home and (word in home or home in word):
                continue
            if word in named or any(d.name == word for d in found) or frequency(word) < COMMON_WORD_FREQ:
                return word
    return None


@lru_cache(maxsize=65_536)
def within(inner: str, outer: str) -> bool | None:
    """Whether the place ``inner`` lies in ``outer`` (海曙 in 宁波: yes; in 南京: no), by the
    gazetteer of divisions; None when it does not know either name. Kept: a list question asks
    it of every article (10,000 at a time), and its ≈430 places repeat."""
    from knowledge.gazetteer import chain_of, lookup

    if inner.startswith(outer):  # 济宁市中 in 济宁
        return True
    chain, containers = chain_of(inner), lookup(outer)
    if not chain or not containers:
        return None
    code = chain[-1].code
    return any(code.startswith(o.code[: 2 * (o.level + 1)]) for o in containers)


def dictionary_place_names() -> frozenset[str]:
    """Words jieba's own dictionary tags as place names (ns): 北京, 上海市 …

    Read from the dictionary file once per full load and kept in the cached view, so a question
    about a place the corpus never mentions is recognised without POS tagging on the hot path.
    """
    import jieba

    places = set()
    with jieba.get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split()
            if len(parts) == 3 and parts[2] == "ns" and len(parts[0]) > 1:
                places.add(parts[0])
    return frozenset(places)


@dataclass
class Lexicon:
    """Words jieba must keep whole, plus the place vocabulary used for slot filling."""

    words: set[str] = field(default_factory=set)
    # place name as users say it (荆门, 荆门市, jingmen) → canonical place (荆门)
    places: dict[str, str] = field(default_factory=dict)
    # words that name a place or an agency: what a follow-up "那荆门呢" swaps out
    names: set[str] = field(default_factory=set)
    # place names in general (jieba's dictionary), to notice a place the corpus never mentions
    world_places: frozenset[str] = frozenset()
    _by_length: tuple[int, list[str], dict[str, int], list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _by_pinyin: tuple[int, dict[str, str]] | None = field(default=None, init=False, repr=False, compare=False)
    # the corpus's words with their pinyin keys (the view's), for a word typed by its sound
    sounds: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _by_sound: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)
    _short_units: tuple[int, dict[str, str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Lexicon:
        lex = cls(world_places=dictionary_place_names())
        for group in synonym_groups():
            lex.words.update(w for w in group if len(w) > 1)
        agencies = {a.agency for a in snapshot.articles if a.agency}
        agencies |= {f.agency for f in snapshot.facts if f.agency}
        for agency in agencies:
            found = {agency}
            found.update(
                p for p in _AGENCY_SPLIT.split(agency) if len(p) > 1 and not _AGENCY_SPLIT.fullmatch(p)
            )
            # "海曙公安分局鼓楼派出所" → also "鼓楼派出所"
            found.update(
                m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{2,4}?(派出所|分局|公安局)", agency)
            )
            lex.words.update(found)
            lex.names.update(found)
        for place in {a.place for a in snapshot.articles if a.place}:
            lex.add_place(place)
        # Names the reports anonymise (丁某某, 郑某): jieba would cut "抓丁某某" as 抓丁 + 某某.
        for sentence in snapshot.sentences:
            if "某" in sentence.text:
                lex.words.update(m.group(1) for m in _ANONYMISED.finditer(sentence.text))
        return lex

    def add_place(self, place: str) -> None:
        short = _ADMIN_SUFFIX.sub("", place) or place
        for alias in {place, short, short + "市", short + "县", short + "区"}:
            self.places.setdefault(alias, place)
        self.places.setdefault(pinyin_key(short), place)
        self.words.update({place, short})
        self.names.update(a for a in self.places if self.places[a] == place)

    def place_in(self, tokens: list[str], text: str) -> str | None:
        """The place a message names, by token, substring (longest first) or pinyin."""
        for tok in tokens:
            if tok in self.places:
                return self.places[tok]
        aliases, rank, lengths = self._aliases_by_length()
        # The first alias in longest-first order that occurs in the text: look the text's own
        # substrings up (a few hundred) instead of testing thousands of aliases against it.
        for n in lengths:
            found = [r for i in range(len(text) - n + 1) if (r := rank.get(text[i : i + n])) is not None]
            if found:
                return self.places[aliases[min(found)]]
        return None

    def spelled_out(self, text: str) -> str:
        """A station called by its short form (鼓楼所 for 鼓楼派出所, as people say it) written out.

        Looked up at each 所 of the message (thousands of stations make no regex worth compiling)."""
        if "所" not in text:
            return text
        cached = self._short_units
        if cached is None or cached[0] != len(self.names):
            full = {n[:-3] + "所": n for n in self.names if n.endswith("派出所") and 5 <= len(n) <= 9}
            cached = self._short_units = (len(self.names), full)
        full = cached[1]
        out, at = [], 0
        for i, ch in enumerate(text):
            if ch != "所" or i < at:
                continue
            short = next((text[j : i + 1] for j in range(max(at, i - 6), i - 1) if text[j : i + 1] in full), None)
            if short:
                out.append(text[at : i + 1 - len(short)] + full[short])
                at = i + 1
        return "".join(out) + text[at:] if out else text

    def word_by_sound(self, word: str) -> str | None:
        """The corpus's word that sounds like ``word`` (警管 → 警官, 管里员 → 管理员), if one does."""
        if self._by_sound is None:
            by_sound: dict[str, str] = {}
            for known, key in self.sounds.items():
                by_sound.setdefault(key, known)
            self._by_sound = by_sound
        return self._by_sound.get(pinyin_key(word))

    def name_by_pinyin(self, word: str) -> str | None:
        """The unit or place a word typed in pinyin names ("gulou" → 鼓楼); built on first use."""
        cached = self._by_pinyin
        if cached is None or cached[0] != len(self.names):
            keys: dict[str, str] = {}
            for name in sorted(self.names, key=lambda n: (len(n), n)):
                if len(name) >= 2 and not name.isascii():
                    keys.setdefault(pinyin_key(name), name)
            cached = self._by_pinyin = (len(self.names), keys)
        return cached[1].get(word.lower())

    def _aliases_by_length(self) -> tuple[list[str], dict[str, int], list[int]]:
        """The Chinese aliases of two or more characters longest first (ties in insertion order),
        each one's rank in that order, and their lengths, longest first: computed once, not per
        message (thousands of aliases at 10,000 articles). ``places`` only grows (``add_place``)."""
        cached = self._by_length
        if cached is None or cached[0] != len(self.places):
            aliases = [
                a for a in sorted(self.places, key=len, reverse=True) if len(a) >= 2 and not a.isascii()
            ]
            rank = {a: i for i, a in enumerate(aliases)}
            cached = self._by_length = (
                len(self.places),
                aliases,
                rank,
                sorted({len(a) for a in aliases}, reverse=True),
            )
        return cached[1], cached[2], cached[3]
