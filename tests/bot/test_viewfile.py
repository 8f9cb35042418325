"""The view file: arrays and strings come back as written; anything else is refused clearly."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import viewfile


@given(st.lists(st.one_of(st.none(), st.text())))
def test_strings_round_trip(texts: list[str | None]) -> None:
    pool = viewfile.StringPool()
    numbers = [pool.add(t) for t in texts]
    view = viewfile.in_memory(pool.sections("s"), meta=None)
    strings = view.strings("s")
    assert [strings.get(n) for n in numbers] == texts
    assert len(strings) == len({t for t in texts if t is not None})  # each distinct string once


def test_sections_and_meta_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "v.fbv"
    sections = {"a": array("i", [3, -1, 7]), "b": array("d", [0.5]), "empty": array("f"), "raw": b"xyz"}
    viewfile.write(path, sections, {"terms": {"派出所": (0, 3)}})
    view = viewfile.read(path)
    assert list(view["a"]) == [3, -1, 7] and list(view["b"]) == [0.5] and len(view["empty"]) == 0
    assert bytes(view["raw"]) == b"xyz"
    assert view.meta == {"terms": {"派出所": [0, 3]}}  # JSON: a tuple comes back as a list
    assert list(tmp_path.iterdir()) == [path], "no temp file is left behind"


@pytest.mark.parametrize("damage", ["empty", "foreign", "truncated", "footer"])
def test_a_damaged_file_is_refused_with_its_name(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "v.fbv"
    viewfile.write(path, {"a": array("i", range(100))}, {"x": 1})
    data = path.read_bytes()
    damaged = {
        "empty": b"",
        "foreign": b"PK\x03\x04" + data[4:],
        "truncated": data[: len(data) - 10],
        "footer": data[:-20] + b"\xff" * 20,
    }[damage]
    path.write_bytes(damaged)
    with pytest.raises(viewfile.ViewFileError, match="v.fbv"):
        viewfile.read(path)


def test_bytes_changed_between_header_and_footer_are_refused(tmp_path: Path) -> None:
    """Issue 12, item 7: a checksum covers the sections, so randomised bytes are noticed on load."""
    import random

    path = tmp_path / "v.fbv"
    viewfile.write(path, {"a": array("i", range(1000)), "b": b"strings" * 100}, {"x": 1})
    data = bytearray(path.read_bytes())
    rng = random.Random(7)
    for i in range(64, 64 + 4000):
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))
    with pytest.raises(viewfile.ViewFileError, match="v.fbv"):
        viewfile.read(path)


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # what a crafted cache file carries
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_footer_cannot_run_code(tmp_path: Path) -> None:
    """Issue 12, item 7: the footer is data (JSON), never unpickled: a pickle that would run a
    shell command is refused as a damaged file, whatever the header says about it."""
    import pickle
    import zlib

    path, marker = tmp_path / "v.fbv", tmp_path / "pwned"
    viewfile.write(path, {"a": array("i", range(10))}, {"x": 1})
    data = path.read_bytes()
    header = viewfile._HEADER
    fields = header.unpack(data[: header.size])
    footer_at = fields[1]
    evil = pickle.dumps({"sections": {}, "meta": _Payload(marker)})
    body = data[header.size : footer_at] + evil
    rest = [zlib.crc32(body)] if len(fields) > 3 else []  # a valid checksum, if the format has one
    crafted = header.pack(fields[0], footer_at, len(evil), *rest) + body
    path.write_bytes(crafted)
    with pytest.raises(viewfile.ViewFileError):
        viewfile.read(path)
    assert not marker.exists()


def test_a_deferred_checksum_refuses_a_damaged_file_when_verified(tmp_path: Path) -> None:
    """``read(deferred=True)`` maps at once and checks the checksum in a thread: ``verify`` waits
    for it and refuses changed bytes as ``read`` does; an intact file passes."""
    path = tmp_path / "v.fbv"
    viewfile.write(path, {"a": array("i", range(100_000))}, {"x": 1})
    view = viewfile.read(path, deferred=True)
    view.verify()
    assert list(view["a"][:3]) == [0, 1, 2]
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    damaged = viewfile.read(path, deferred=True)
    with pytest.raises(viewfile.ViewFileError, match="checksum"):
        damaged.verify()
