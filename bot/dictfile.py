"""jieba's prefix dictionary as a view file, read one first character at a time.

Why: ``jieba.Tokenizer.initialize`` unmarshals all of its ≈500,000 entries (words and their
prefixes) on every start: half a second or more, most of a worker's cold start, while a question
touches the entries of a few dozen characters. The same entries (jieba's own ``gen_pfdict`` of its
own dictionary file) are written once per host into the cache folder, grouped by first character,
and a tokenizer reads a group the first time a text it cuts contains that character
(``bot.tokenize``). jieba only ever looks up substrings of the text it cuts, so every lookup gives
what the full dictionary gives.
"""

from __future__ import annotations

import logging
import threading
from array import array
from pathlib import Path

from bot import viewfile

__all__ = ["PrefixDictionary", "prefix_dictionary"]

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the file's sections or meta change shape
_SEPARATOR = "\n"  # never inside a dictionary word (jieba splits its lines on spaces)


class PrefixDictionary:
    """The entries of jieba's prefix dictionary by first character, decoded when asked for."""

    def __init__(self, view: viewfile.ViewFile) -> None:
        meta = view.meta
        self.total: int = meta["total"]
        self._blob = view["keys.blob"]
        self._ends = view["keys.ends"]  # byte end of each character's keys
        self._rows = view["freqs.ends"]  # row end of each character's frequencies
        self._freqs = view["freqs"]
        self._index = {c: i for i, c in enumerate(meta["chars"])}

    def entries(self, char: str) -> list[tuple[str, int]]:
        """Every entry whose key starts with ``char`` (words and word prefixes, prefixes at 0)."""
        i = self._index.get(char)
        if i is None:
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
    chars: list[str] = []
    blob = bytearray()
    key_ends, row_ends, freqs = array("Q"), array("Q"), array("q")
    keys = sorted(freq)
    start = 0
    while start < len(keys):
        char = keys[start][0]
        end = start
        while end < len(keys) and keys[end][0] == char:
            end += 1
        group = keys[start:end]
        blob += _SEPARATOR.join(group).encode("utf-8")
        freqs.extend(freq[k] for k in group)
        chars.append(char)
        key_ends.append(len(blob))
        row_ends.append(len(freqs))
        start = end
    sections = {"keys.blob": blob, "keys.ends": key_ends, "freqs.ends": row_ends, "freqs": freqs}
    viewfile.write(path, sections, {"total": total, "chars": "".join(chars)})


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
