"""The seed articles, re-laid out in other newspapers' page styles, segment into the same articles."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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


PAGES = Path(__file__).resolve().parent / "pages"
EXPECTED = yaml.safe_load((PAGES / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_other_newspapers_pages(page: str) -> None:
    got = segment_file(page, (PAGES / page).read_text(encoding="utf-8"))
    want = EXPECTED[page]
    assert [a.title for a in got] == [w["title"] for w in want]
    for art, w in zip(got, want, strict=True):
        assert (art.place, art.agency, art.byline) == (w["place"], w["agency"], w["byline"]), art.title
        assert art.sentences[0].text == w["first"] and art.sentences[-1].text == w["last"], art.title
        assert "图为" not in art.text and "执勤民警在路口" not in art.text  # captions stay out
