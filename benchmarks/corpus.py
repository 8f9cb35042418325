"""Deterministic synthetic corpus in the seeds' format, for benchmarks at scale.

The real seed pages are parsed with the production pipeline (``segment_file`` + ``extract_facts``)
to harvest sentence templates: sentences the extractor takes figures from ("figure" templates)
and sentences it does not ("filler"). Each synthetic article re-uses those templates with the
seed's places and police units swapped for generated ones and every counted figure replaced by
a seeded random number of the same shape (digit count, decimals, measure word kept). Articles
are laid out like seed 001: ``## 标题``, a ``□ 记者 … 报道`` byline, a ``**本报X讯**`` dateline,
with ~20 articles per file.

``generate(out_dir, n_articles, seed)`` writes byte-identical files for the same arguments (given
the same seeds and pipeline code); ``python -m benchmarks.corpus OUT --articles N`` does it from
the shell.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from benchmarks.places import COUNTIES, DISTRICTS, GIVEN, STATIONS, SURNAMES
from knowledge.build import read_source, source_files
from knowledge.db import DEFAULT_SEEDS_DIR
from knowledge.facts import extract_facts
from knowledge.segment import segment_file

ARTICLES_PER_FILE = 20
FIGURE_SENTENCES = (9, 14)  # per article, inclusive range: ~1.7 facts each
FILLER_SENTENCES = (3, 6)
SENTENCES_PER_PARAGRAPH = (2, 4)
# A number directly followed by one of these is a counted figure and gets replaced; dates
# (2019年, 7月22日), times and proper names (110情报指挥中心) keep theirs.
_MEASURE = "名起个人次元%％万亿千百余多家处只辆件条户套台份项种小天支队场批所间"
_FIGURE = re.compile(rf"(?<![\d.])(\d+)(?:\.(\d+))?(?=[{_MEASURE}])")
_HEADLINE_TOPICS = (
    "破获系列盗窃案",
    "追回被骗钱款",
    "严打电信网络诈骗",
    "护航平安夏夜",
    "推进智慧警务建设",
    "开展治安巡查",
    "打掉涉黑恶势力团伙",
    "深化派出所改革",
    "提升群众安全感",
    "治理交通安全隐患",
    "延时服务受青睐",
    "联勤联动严打食药环犯罪",
    "反诈宣传进社区",
    "视频巡控显成效",
    "矛盾纠纷多元化解",
)


@dataclass(frozen=True)
class Templates:
    figure: tuple[str, ...]  # sentences the extractor takes at least one figure from
    filler: tuple[str, ...]  # the other sentences
    titles: tuple[str, ...]  # real headlines (not inferred)
    places: tuple[str, ...]  # seed places and units to replace, longest first


def _seed_names(drafts_places: set[str], agencies: set[str]) -> tuple[str, ...]:
    names = {x for x in drafts_places | agencies if x and len(x) >= 2}
    # bare forms too: 微山县 → 微山, 济宁市 → 济宁
    for agency in list(agencies):
        m = re.match(r"(.{2,3}?)[市县]", agency or "")
        if m:
            names.add(m.group(1))
    names |= {"鼓楼", "海曙", "东宝", "龙泉", "兴隆", "昭阳", "黑虎庙", "恒隆"}
    # a place printed right before a bare unit (嘉祥 + 县公安局) is one unit, not a place and a unit
    bare = [n for n in names if not n.endswith(("局", "所", "中心", "大队", "支队"))]
    names |= {f"{p}{unit}" for p in bare for unit in ("县公安局", "市公安局", "公安分局")}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@lru_cache(maxsize=4)
def harvest(seeds_dir: Path = DEFAULT_SEEDS_DIR) -> Templates:
    """Sentence templates from the real seed pages, via the production segmenter and extractor."""
    figure: dict[str, None] = {}
    filler: dict[str, None] = {}
    titles: dict[str, None] = {}
    places: set[str] = set()
    agencies: set[str] = set()
    for path in source_files(seeds_dir):
        for draft in segment_file(path.name, read_source(path)):
            if not draft.title_inferred:
                titles.setdefault(draft.title, None)
            places.add(draft.place or "")
            agencies.add(draft.agency or "")
            facts = extract_facts(draft)
            agencies.update(f.agency or "" for f in facts)
            with_figures = {f.sentence_position for f in facts}
            for s in draft.sentences:
                if len(s.text) < 8 or "□" in s.text:
                    continue
                (figure if s.position in with_figures else filler).setdefault(s.text, None)
    return Templates(tuple(figure), tuple(filler), tuple(titles), _seed_names(places, agencies))


def _new_figure(rng: random.Random, m: re.Match[str]) -> str:
    digits, decimals = m.group(1), m.group(2)
    n = len(digits)
    head = str(rng.randint(1, 9)) if n > 0 else ""
    whole = head + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))
    if decimals is None:
        return whole
    return whole + "." + "".join(str(rng.randint(0, 9)) for _ in range(len(decimals)))


@dataclass(frozen=True)
class _Where:
    place: str  # as printed in datelines and titles: 新昌, 鼓楼
    head: str  # the main unit: 新昌县公安局, 鼓楼公安分局
    units: tuple[str, ...]  # units an article may name: head and its stations


def _where(rng: random.Random) -> _Where:
    if rng.random() < 0.6:
        place = rng.choice(COUNTIES)
        head = f"{place}县公安局"
    else:
        place = rng.choice(DISTRICTS)
        head = f"{place}公安分局"
    stations = rng.sample(STATIONS, 2)
    units = (head, *(f"{head}{s}派出所" for s in stations), *(f"{s}派出所" for s in stations))
    return _Where(place, head, units)


def _localize(text: str, tpl: Templates, where: _Where, rng: random.Random) -> str:
    """Swap the seed's places and units for this article's; replace counted figures."""

    def swap(m: re.Match[str]) -> str:
        is_unit = m.group(0).endswith(("局", "所", "中心", "大队", "支队"))
        return rng.choice(where.units) if is_unit else where.place

    out = _names_pattern(tpl.places).sub(swap, text)  # one pass: a new name is never replaced again
    return _FIGURE.sub(lambda m: _new_figure(rng, m), out)


@lru_cache(maxsize=4)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, names)))  # longest first: 济宁市公安局 before 市公安局


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _article(rng: random.Random, tpl: Templates) -> str:
    where = _where(rng)
    n_fig = rng.randint(*FIGURE_SENTENCES)
    n_fill = rng.randint(*FILLER_SENTENCES)
    sentences = [_localize(s, tpl, where, rng) for s in rng.sample(tpl.figure, min(n_fig, len(tpl.figure)))]
    for s in rng.sample(tpl.filler, min(n_fill, len(tpl.filler))):
        sentences.insert(rng.randint(0, len(sentences)), _localize(s, tpl, where, rng))
    paragraphs: list[str] = []
    i = 0
    while i < len(sentences):
        k = rng.randint(*SENTENCES_PER_PARAGRAPH)
        paragraphs.append("".join(sentences[i : i + k]))
        i += k
    if rng.random() < 0.5:
        title = f"{where.place}{rng.choice(_HEADLINE_TOPICS)}"
    else:
        title = f"{where.place}警方：{_localize(rng.choice(tpl.titles), tpl, where, rng)}"
    byline = f"□ 记者 {_person(rng)} 通讯员 {_person(rng)} {_person(rng)} 报道"
    paragraphs[0] = f"**本报{where.place}讯** {paragraphs[0]}"
    return "\n\n".join([f"## {title}", byline, *paragraphs])


def file_name(seed: int, index: int) -> str:
    digest = hashlib.sha256(f"factbot-bench:{seed}:{index}".encode()).hexdigest()[:16]
    return f"{index:04d}_{digest}.txt"


def render_file(seed: int, index: int, n_articles: int, tpl: Templates) -> str:
    """One page file: ``n_articles`` articles; the RNG depends only on (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    return "\n\n".join(_article(rng, tpl) for _ in range(n_articles)) + "\n"


def generate(
    out_dir: Path | str,
    n_articles: int,
    seed: int = 0,
    *,
    per_file: int = ARTICLES_PER_FILE,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
) -> list[Path]:
    """Write ``n_articles`` synthetic articles, ``per_file`` to a file, into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tpl = harvest(Path(seeds_dir))
    paths: list[Path] = []
    index = 0
    remaining = n_articles
    while remaining > 0:
        k = min(per_file, remaining)
        path = out / file_name(seed, index)
        path.write_text(render_file(seed, index, k, tpl), encoding="utf-8")
        paths.append(path)
        remaining -= k
        index += 1
    return paths


def touch_one(path: Path, seed: int = 0) -> None:
    """Change one generated file the way an editor would: one article gets an extra sentence."""
    tpl = harvest()
    rng = random.Random(f"touch:{seed}:{path.name}")
    text = path.read_text(encoding="utf-8")
    where = _where(rng)
    extra = _localize(rng.choice(tpl.figure), tpl, where, rng)
    path.write_text(text.rstrip("\n") + extra + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Write a synthetic FactBot corpus.")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    paths = generate(args.out_dir, args.articles, args.seed)
    print(f"{len(paths)} files, {args.articles} articles → {args.out_dir}")


if __name__ == "__main__":
    main()
