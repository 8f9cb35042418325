"""The synthetic benchmark corpus: deterministic, and readable by the production segmenter."""

from __future__ import annotations

from pathlib import Path

from benchmarks.corpus import generate
from knowledge.facts import extract_facts
from knowledge.segment import segment_file


def _bytes(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 40, seed=7)
    b = generate(tmp_path / "b", 40, seed=7)
    c = generate(tmp_path / "c", 40, seed=8)
    assert len(a) == 2
    assert _bytes(a) == _bytes(b)
    assert [x for _, x in _bytes(a)] != [x for _, x in _bytes(c)]


def test_segmenter_finds_the_articles(tmp_path: Path) -> None:
    paths = generate(tmp_path, 40, seed=0)
    drafts = [d for p in paths for d in segment_file(p.name, p.read_text(encoding="utf-8"))]
    assert len(drafts) == 40
    assert all(d.place and d.byline and not d.title_inferred for d in drafts)
    facts = sum(len(extract_facts(d)) for d in drafts)
    assert 10 * 40 <= facts <= 35 * 40
