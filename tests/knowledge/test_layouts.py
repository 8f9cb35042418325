"""The seed articles, re-laid out in other newspapers' page styles, segment into the same articles."""

from __future__ import annotations

import pytest

from knowledge.segment import segment_file
from tests.knowledge.layouts import STYLES, lay_out


@pytest.fixture(scope="module")
def seed_pages(seeds: dict[str, str]):
    return {name: segment_file(name, raw) for name, raw in sorted(seeds.items())}


def _body(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_relaid_seed_page_segments_the_same(seed_pages, style: str, prefix: str) -> None:
    name = next(n for n in seed_pages if n.startswith(prefix))
    original = seed_pages[name]
    laid = lay_out(style, original)
    got = segment_file(name, laid.page)
    assert [a.title for a in got] == laid.titles
    assert [(a.place, a.agency) for a in got] == [(a.place, a.agency) for a in original]
    for new, old in zip(got, original, strict=True):
        assert _body(new.text) == _body(old.text), new.title
