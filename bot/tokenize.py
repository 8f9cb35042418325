"""jieba tokenization with the domain dictionary loaded explicitly.

A private ``jieba.Tokenizer`` (not the global one) so that the domain words of one knowledge
base never leak into another engine in the same process. Its prefix dictionary is filled a few entries
at a time from ``bot.dictfile`` (instead of jieba unmarshalling all of it at start): before jieba
sees a text, the entries its substrings can reach are in place.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable

from bot.dictfile import PrefixDictionary, group_of, groups_in, is_single, prefix_dictionary
from bot.lexicon import pinyin_key, stopwords

# jieba imports the deprecated pkg_resources (0.1 s of every start) only to open its own data
# files, and opens them directly when that import fails: let it fail, unless it is loaded anyway.
_HIDE_PKG_RESOURCES = "pkg_resources" not in sys.modules
if _HIDE_PKG_RESOURCES:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
try:
    import jieba
finally:
    if _HIDE_PKG_RESOURCES:
        del sys.modules["pkg_resources"]

jieba.setLogLevel(logging.WARNING)

_KEEP = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")  # a word of Chinese characters only
DOMAIN_WORD_FREQ = 200_000
_MEMO_LIMIT = 20_000  # segmentations kept (then forgotten at once)
_ENSURED_LIMIT = 100_000  # texts remembered as read (then forgotten at once; they are only a shortcut)
LONG_WORD = 5  # words this long also yield the dictionary words inside them  # high enough that jieba keeps a domain word whole


_LATIN_ONLY = re.compile(r"[A-Za-z][A-Za-z0-9 .'-]*")

class Tokenizer:
    def __init__(self, domain_words: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._dictionary = _shared_dictionary()
        self._lock = threading.Lock()
        self._loaded: set[int] = set()  # dictionary groups (bot.dictfile.group_of) in FREQ
        self._pending: dict[int, list[str]] = {}  # domain words waiting for a group
        self._ensured: set[str] = set()  # texts whose groups are all read
        if self._dictionary is None:
            self._jieba.initialize()
        else:
            self._jieba.total = self._dictionary.total
            self._jieba.initialized = True
        self._known: set[str] = set()
        # (mode, text) → its segmentation: a question's words recur in the next ones (抓获, 多少 …),
        # and a list question cuts its sides again. Dropped whenever a domain word is added.
        self._memo: dict[tuple[str, str], tuple[str, ...]] = {}
        self._generation = 0
        self.add_words(domain_words)

    def add_words(self, words: Iterable[str]) -> None:
        """Teach jieba more domain words (a reload after an edit may bring new agencies)."""
        added = False
        for word in sorted(set(words) - self._known):
            # jieba keeps a run of Latin letters whole; taught one (den of dens), it would cut
            # "incidents" into inci/den/ts
            if word.strip() and not _LATIN_ONLY.fullmatch(word):
                if self._dictionary is None:
                    self._jieba.add_word(word, freq=DOMAIN_WORD_FREQ)
                else:
                    self._add_word(word)
                self._known.add(word)
                added = True
        if added:
            self._generation += 1
            self._memo = {}

    def _memoized(self, mode: str, text: str, segment: Callable[[str], list[str]]) -> list[str]:
        memo, generation = self._memo, self._generation
        found = memo.get((mode, text))
        if found is None:
            found = tuple(segment(text))
            if generation == self._generation:  # no word added meanwhile (another thread)
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[(mode, text)] = found
        return list(found)

    def _add_word(self, word: str) -> None:
        """``jieba.Tokenizer.add_word``: the total counts at once; the word's entries (the word and
        its prefixes: its first character's group and its first two's) once those groups are read."""
        with self._lock:
            self._jieba.total += DOMAIN_WORD_FREQ
            for group in {group_of(word[:1]), group_of(word)}:
                if group in self._loaded:
                    self._put_word(group, word)
                else:
                    self._pending.setdefault(group, []).append(word)

    def _put_word(self, group: int, word: str) -> None:
        """What jieba's ``add_word`` does to the entries of one group, in the same order: the
        one-character group holds the word's first character, the two-character one the rest."""
        freq = self._jieba.FREQ
        if is_single(group):
            if len(word) == 1:
                freq[word] = DOMAIN_WORD_FREQ
            elif word[0] not in freq:
                freq[word[0]] = 0
            return
        freq[word] = DOMAIN_WORD_FREQ
        for i in range(2, len(word)):
            if word[:i] not in freq:
                freq[word[:i]] = 0

    def _ensure(self, text: str) -> None:
        """Read the dictionary groups ``text`` can reach that were not read before, then the
        domain words waiting for them (in the order they were added, as jieba would)."""
        if self._dictionary is None or text in self._ensured:
            return
        loaded = self._loaded
        missing = [g for g in groups_in(text) if g not in loaded]
        if missing:
            with self._lock:
                freq = self._jieba.FREQ
                for group in missing:
                    if group in loaded:
                        continue
                    freq.update(self._dictionary.entries(group))
                    for word in self._pending.pop(group, ()):
                        self._put_word(group, word)
                    loaded.add(group)
        if len(self._ensured) >= _ENSURED_LIMIT:
            self._ensured.clear()
        self._ensured.add(text)  # read: seen again, it needs no look at all

    def cut(self, text: str) -> list[str]:
        """Plain segmentation with punctuation kept (where a list question's sides divide)."""
        return self._memoized("cut", text, self._cut)

    def _cut(self, text: str) -> list[str]:
        self._ensure(text)
        return [w for w in self._jieba.lcut(text) if w.strip()]

    def frequency(self, word: str) -> int:
        """How common jieba's dictionary says a word is (0 when it does not know it)."""
        self._ensure(word)
        return self._jieba.FREQ.get(word, 0)

    def words(self, text: str) -> list[str]:
        """Plain segmentation (precise mode), punctuation and spaces dropped."""
        return self._memoized("words", text, self._words)

    def _words(self, text: str) -> list[str]:
        self._ensure(text)
        return [w for w in self._jieba.lcut(text) if _KEEP.search(w)]

    def terms(self, text: str) -> list[str]:
        """Search terms: search-mode segmentation (long words plus their parts), stopwords dropped."""
        return self._memoized("terms", text, self._terms)

    def _terms(self, text: str) -> list[str]:
        stop = stopwords()
        out = []
        self._ensure(text)
        for w in self._jieba.lcut_for_search(text):
            if not _KEEP.search(w) or w in stop:
                continue
            out.append(w)
            if len(w) >= LONG_WORD:
                out.extend(self._inner_words(w))
        return out

    def _inner_words(self, word: str) -> list[str]:
        """Dictionary words of four or more characters inside a long one (海曙公安分局鼓楼派出所 → 鼓楼派出所).

        jieba's search mode only adds the two- and three-character parts of a long word.
        """
        freq = self._jieba.FREQ
        n = len(word)
        return [word[i:j] for i in range(n) for j in range(i + 4, n + (1 if i else 0)) if freq.get(word[i:j])]


def _shared_dictionary() -> PrefixDictionary | None:
    from bot.view import cache_dir  # bot.view imports this module

    return prefix_dictionary(cache_dir())


def pinyin_terms(terms: Iterable[str]) -> list[str]:
    """Pinyin keys of CJK terms (and ASCII terms as typed), to match homophones and pinyin input."""
    out = []
    for t in terms:
        if _CJK.search(t):
            # Only pure-Chinese words: "1336起" and the like are never misheard, and are many.
            if len(t) > 1 and CJK_WORD.match(t):
                out.append("py:" + pinyin_key(t))
        elif t.isalpha() and len(t) > 2:
            out.append("py:" + t)
    return out
