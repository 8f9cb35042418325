"""Callback data: compact, round-trips, and rejects anything tampered with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks as cb

ids = st.integers(min_value=0, max_value=cb.MAX_ID - 1)
values = st.one_of(
    st.builds(cb.Excerpt, ids),
    st.builds(cb.Summary, ids),
    st.builds(cb.Facts, ids, ids, st.booleans()),
    st.builds(cb.Articles, ids, st.booleans()),
    st.builds(cb.Choose, ids),
    st.builds(cb.Example, ids),
)


@given(values)
def test_roundtrip_within_64_bytes(value):
    data = cb.encode(value)
    assert len(data.encode()) <= cb.MAX_BYTES == 64
    assert cb.decode(data) == value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("x:12", cb.Excerpt(12)),
        ("d:12:0", cb.Facts(12, 0)),
        ("D:12:3", cb.Facts(12, 3, nav=True)),
        ("s:12", cb.Summary(12)),
        ("a:0", cb.Articles(0)),
        ("A:1", cb.Articles(1, nav=True)),
        ("q:2", cb.Choose(2)),
        ("e:0", cb.Example(0)),
    ],
)
def test_documented_examples(data, expected):
    assert cb.decode(data) == expected


@pytest.mark.parametrize(
    "data",
    ["", "x", "x:", "x:12:3", "d:12", "x:-1", "x:012", "x: 1", "x:12\n", "X:12", "q:一", "q:١",
     "s:99999999999", "a:1:2", "z:1", "x:1;drop", "鼓楼派出所", None, "x:" + "9" * 70],
)  # fmt: skip
def test_tampered_data_is_rejected(data):
    assert cb.decode(data) is None


@given(st.text(max_size=80))
def test_decode_never_raises(data):
    value = cb.decode(data)
    assert value is None or cb.encode(value) == data


def test_encode_refuses_out_of_range():
    with pytest.raises(ValueError):
        cb.encode(cb.Excerpt(-1))
    with pytest.raises(TypeError):
        cb.encode("x:1")  # type: ignore[arg-type]
