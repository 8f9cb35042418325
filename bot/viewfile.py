"""One file of flat arrays and strings, opened by memory-mapping it.

Why: at tens of thousands of articles a view made of Python objects takes seconds to unpickle and
a gigabyte per worker. Flat arrays in a mapped file open in milliseconds, are shared by every
worker on the host through the page cache, and only the pages a question touches are read.

Layout: ``MAGIC``, the offset and length of the footer and a CRC-32 of everything after the
header, then the sections (each aligned to 8 bytes), then the footer, JSON:
``{"sections": {name: [typecode, offset, nbytes]}, "meta": …}``. The footer is data, never code
(it used to be a pickle: whoever could write the cache folder could run code in the bot), and a
file whose checksum does not match is refused, so a damaged one is rebuilt instead of answering
from garbage. ``meta`` must be JSON: tuples come back as lists, dict keys as strings.
"""

from __future__ import annotations

import io
import json
import mmap
import os
import struct
import threading
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"FBVIEW\x00\x02"
_HEADER = struct.Struct("<8sQQQ")  # magic, footer offset, footer length, CRC-32 of the rest
_CRC_CHUNK = 1 << 24
_TYPECODES = frozenset("bBhHiIlLqQfd")


class ViewFileError(ValueError):
    """The file is not a complete view file of this format (damaged, truncated or foreign)."""


class StringPool:
    """Collects strings for a ``Strings`` section, each distinct string stored once."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._blob = bytearray()
        self._ends = array("Q")

    def add(self, text: str | None) -> int:
        """The string's number; ``None`` is -1."""
        if text is None:
            return -1
        number = self._ids.get(text)
        if number is None:
            number = self._ids[text] = len(self._ends)
            self._blob += text.encode("utf-8")
            self._ends.append(len(self._blob))
        return number

    def sections(self, name: str) -> dict[str, array | bytes | bytearray]:
        return {f"{name}.blob": self._blob, f"{name}.ends": self._ends}  # no copy of the blob


class Strings:
    """Read side of a ``StringPool``: the i-th string is decoded when asked for.

    Decoded strings are kept (up to ``CACHE_LIMIT``): units, kinds and agencies recur in every fact.
    """

    __slots__ = ("_blob", "_ends", "_cache")
    CACHE_LIMIT = 100_000

    def __init__(self, blob: memoryview, ends: memoryview) -> None:
        self._blob = blob
        self._ends = ends
        self._cache: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, number: int) -> str:
        text = self._cache.get(number)
        if text is None:
            start = self._ends[number - 1] if number > 0 else 0
            text = str(self._blob[start : self._ends[number]], "utf-8")
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[number] = text
        return text

    def get(self, number: int) -> str | None:
        return None if number < 0 else self[number]


def write(path: Path, sections: dict[str, array | bytes | bytearray], meta: Any) -> None:
    """Write atomically (temp file + rename): a worker never maps a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        with tmp.open("w+b") as fh:  # read back for the checksum
            _write(fh, sections, meta)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _write(fh: BinaryIO, sections: dict[str, array | bytes | bytearray], meta: Any) -> None:
    fh.write(_HEADER.pack(MAGIC, 0, 0, 0))
    table: dict[str, tuple[str, int, int]] = {}
    for name, data in sections.items():
        _align(fh)
        offset = fh.tell()
        if isinstance(data, array):
            data.tofile(fh)
            table[name] = (data.typecode, offset, len(data) * data.itemsize)
        else:
            fh.write(data)
            table[name] = ("B", offset, len(data))
    _align(fh)
    footer_at = fh.tell()
    footer = json.dumps({"sections": table, "meta": meta}, ensure_ascii=False, separators=(",", ":"))
    fh.write(footer.encode("utf-8"))
    fh.flush()
    fh.seek(_HEADER.size)
    crc = _crc(fh)
    fh.seek(0)
    fh.write(_HEADER.pack(MAGIC, footer_at, len(footer.encode("utf-8")), crc))


def _crc(fh: BinaryIO) -> int:
    crc = 0
    while chunk := fh.read(_CRC_CHUNK):
        crc = zlib.crc32(chunk, crc)
    return crc


def _align(fh: BinaryIO) -> None:
    pad = -fh.tell() % 8
    if pad:
        fh.write(b"\0" * pad)


@dataclass
class ViewFile:
    """An opened view file: typed memoryviews over the mapping, and the meta (JSON)."""

    sections: dict[str, memoryview]
    meta: Any
    _check: _Checksum | None = None

    def strings(self, name: str) -> Strings:
        return Strings(self.sections[f"{name}.blob"], self.sections[f"{name}.ends"])

    def __getitem__(self, name: str) -> memoryview:
        return self.sections[name]

    def verify(self) -> None:
        """Wait for the checksum of a file read with ``deferred=True``; raises ``ViewFileError``
        when it does not match. Nothing read from the file may be used before this returns."""
        check, self._check = self._check, None
        if check is not None:
            check.result()


class _Checksum(threading.Thread):
    """The CRC-32 of a mapped file, computed beside the caller: zlib releases the GIL, so on a
    second core it costs the caller nothing (≈0.2 s of every start at 10,000 articles, most of it
    the page faults of touching every page of the file)."""

    def __init__(self, buf: memoryview, expected: int, name: str) -> None:
        super().__init__(name="factbot-view-crc", daemon=True)
        self._buf, self._expected, self._name = buf, expected, name
        self._ok: bool | None = None
        self.start()

    def run(self) -> None:
        self._ok = zlib.crc32(self._buf) == self._expected
        self._buf = memoryview(b"")  # the mapping may close once the view is dropped

    def result(self) -> None:
        self.join()
        if not self._ok:
            raise ViewFileError(f"{self._name}: damaged view file (checksum mismatch)")


def read(path: Path, *, deferred: bool = False) -> ViewFile:
    """Map ``path`` read-only. Raises ``OSError`` or ``ViewFileError``. ``deferred``: the checksum
    is computed in a thread while the caller goes on; ``ViewFile.verify`` waits for it."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size < _HEADER.size:
            raise ViewFileError(f"{path}: too short for a view file")
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return _parse(memoryview(mapped), str(path), deferred=deferred)


def _parse(buf: memoryview, name: str, *, deferred: bool = False) -> ViewFile:
    if len(buf) < _HEADER.size:
        raise ViewFileError(f"{name}: too short for a view file")
    magic, footer_at, footer_len, crc = _HEADER.unpack(buf[: _HEADER.size])
    if magic != MAGIC or footer_at + footer_len != len(buf) or footer_len == 0 or footer_at < _HEADER.size:
        raise ViewFileError(f"{name}: not a view file of this version")
    check = _Checksum(buf[_HEADER.size :], crc, name) if deferred else None
    # zlib releases the GIL for large buffers: other threads keep answering meanwhile
    if check is None and zlib.crc32(buf[_HEADER.size :]) != crc:
        raise ViewFileError(f"{name}: damaged view file (checksum mismatch)")
    try:
        footer = json.loads(str(buf[footer_at:], "utf-8"))
        sections = {}
        for key, (code, offset, nbytes) in footer["sections"].items():
            if code not in _TYPECODES or not (_HEADER.size <= offset <= offset + nbytes <= footer_at):
                raise ValueError(f"section {key!r} out of bounds")
            sections[key] = buf[offset : offset + nbytes].cast(code)
        meta = footer["meta"]
    except Exception as exc:  # a damaged footer is a damaged file, whatever decoding raised
        if check is not None:
            check.join()
        raise ViewFileError(f"{name}: damaged view file ({exc})") from exc
    return ViewFile(sections, meta, check)


def in_memory(sections: dict[str, array | bytes | bytearray], meta: Any) -> ViewFile:
    """The same structure without a file (no writable cache folder): costs memory, not disk."""
    buffer = io.BytesIO()
    _write(buffer, sections, meta)
    return _parse(memoryview(buffer.getvalue()), "<memory>")
