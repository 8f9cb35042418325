"""jieba's prefix dictionary as a view file, read a few entries at a time.

Why: ``jieba.Tokenizer.initialize`` unmarshals all of its ≈500,000 entries (words and their
prefixes) on every start: half a second or more, most of a worker's cold start, while a question
touches a few hundred of them. The same entries (jieba's own ``gen_pfdict`` of its own dictionary
file) are written once per host into the cache folder, grouped by their first two characters (a
one-character entry is a group of its own), and a tokenizer reads a group the first time a text it
cuts contains those characters (``bot.tokenize``). jieba only ever looks up substrings of the text
it cuts, so every lookup gives what the full dictionary gives. Groups are numbered by
``group_of``; their numbers are a sorted array in the file, looked up by bisection, so opening the
file decodes nothing.
"""

from __future__ import annotations

import logging
import threading
from array import array
from bisect import bisect_left
from pathlib import Path

from bot import viewfile

__all__ = ["PrefixDictionary", "group_of", "groups_in", "is_single", "prefix_dictionary"]

log = logging.getLogger(__name__)

FORMAT = 2  # bump when the file's sections or meta change shape
_SEPARATOR = "\n"  # never inside a dictionary word (jieba splits its lines on spaces)
_SHIFT = 21  # every code point fits in 21 bits


def group_of(key: str) -> int:
    """The group of a dictionary key: its first two characters, or its one character (second 0)."""
    return ord(key[0]) << _SHIFT | (ord(key[1]) if len(key) > 1 else 0)


def is_single(group: int) -> bool:
    """Whether a group is that of a one-character key."""
    return not group & ((1 << _SHIFT) - 1)


def groups_in(text: str) -> set[int]:
    """The groups of every key a lookup of a substring of ``text`` can touch."""
    groups = {ord(c) << _SHIFT for c in text}
    groups.update(ord(a) << _SHIFT | ord(b) for a, b in zip(text, text[1:], strict=False))
    return groups


class PrefixDictionary:
    """The entries of jieba's prefix dictionary by group (``group_of``), decoded when asked for."""

    def __init__(self, view: viewfile.ViewFile) -> None:
        self.total: int = view.meta["total"]
        self._blob = view["keys.blob"]
        self._groups = view["groups"]  # ascending
        self._ends = view["keys.ends"]  # byte end of each group's keys
        self._rows = view["freqs.ends"]  # row end of each group's frequencies
        self._freqs = view["freqs"]

    def entries(self, group: int) -> list[tuple[str, int]]:
        """Every entry of a group (words and word prefixes, prefixes at 0)."""
        i = bisect_left(self._groups, group)
        if i == len(self._groups) or self._groups[i] != group:
            return []
        start, rows = (self._ends[i - 1], self._rows[i - 1]) if i else (0, 0)
        keys = str(self._blob[start : self._ends[i]], "utf-8").split(_SEPARATOR)
        return list(zip(keys, self._freqs[rows : self._rows[i]].tolist(), strict=True))


def _dictionary_path() -> Path:
    import jieba

    return Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME


def _cache_path(folder: Path, source: Path) -> Path:
    stat = source.stat()
    return folder / f"jieba-dict-{FORMAT}-{stat.st_size}-{stat.st_mtime_ns}.fbv"


def _write(path: Path, source: Path) -> None:
    import jieba

    with source.open("rb") as fh:
        freq, total = jieba.Tokenizer.gen_pfdict(fh)
    groups, key_ends, row_ends, freqs = array("q"), array("Q"), array("Q"), array("q")
    blob = bytearray()
    keys = sorted(freq, key=lambda k: (group_of(k), k))
    start = 0
    while start < len(keys):
        group = group_of(keys[start])
        end = start
        while end < len(keys) and group_of(keys[end]) == group:
            end += 1
        members = keys[start:end]
        blob += _SEPARATOR.join(members).encode("utf-8")
        freqs.extend(freq[k] for k in members)
        groups.append(group)
        key_ends.append(len(blob))
        row_ends.append(len(freqs))
        start = end
    sections = {
        "keys.blob": blob,
        "groups": groups,
        "keys.ends": key_ends,
        "freqs.ends": row_ends,
        "freqs": freqs,
    }
    viewfile.write(path, sections, {"total": total})


_opened: dict[Path, PrefixDictionary | None] = {}
_lock = threading.Lock()


def prefix_dictionary(folder: Path) -> PrefixDictionary | None:
    """jieba's default dictionary from ``folder`` (written there first if missing), one per
    process; None when it can be neither read nor written (jieba then loads its own)."""
    with _lock:
        if folder not in _opened:
            _opened[folder] = _open(folder)
        return _opened[folder]


def _open(folder: Path) -> PrefixDictionary | None:
    try:
        source = _dictionary_path()
        path = _cache_path(folder, source)
        try:
            view = viewfile.read(path)
        except (FileNotFoundError, viewfile.ViewFileError):
            _write(path, source)
            view = viewfile.read(path)
        return PrefixDictionary(view)
    except (OSError, viewfile.ViewFileError, KeyError, ValueError) as exc:
        log.warning("jieba's dictionary is loaded whole: no prefix dictionary file (%s)", exc)
        return None
