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
    assert view.meta == {"terms": {"派出所": (0, 3)}}
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
