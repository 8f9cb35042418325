"""China's administrative divisions: which strings are places, and the short form a reader uses.

A suffix rule cannot tell 广州 (a city whose name ends in 州) from 湘西州 (湘西 + the 州 of 自治州),
nor 河北区 from 河北省; the list of divisions can. The data file ``data/divisions.tsv`` is
generated from the package ``cpca`` (its ``resources/adcodes.csv``, 民政部 codes) by
``python -m knowledge.gazetteer --from-cpca DIR``; ``data/nations.txt`` (the 56 nations, for
自治州/自治县 names) comes from the same package. cpca itself is not a dependency: it pulls in
pandas (≈160 MB installed, 0.3 s to import) for what is a 63 KB table here.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Division", "chain_of", "divisions", "lookup", "mentions", "place_name", "short_name"]

DATA = Path(__file__).resolve().parent / "data"
DIVISIONS_FILE = DATA / "divisions.tsv"
NATIONS_FILE = DATA / "nations.txt"

# longest first: 维吾尔自治区 before 自治区 before 区
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "新区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
)


@dataclass(frozen=True)
class Division:
    """One division: 330203 海曙区 (short 海曙), level 0 province, 1 city, 2 county."""

    code: str
    name: str
    short: str

    @property
    def level(self) -> int:
        if self.code.endswith("0000"):
            return 0
        return 1 if self.code.endswith("00") else 2


@cache
def _nations() -> tuple[str, ...]:
    names = [n.strip() for n in NATIONS_FILE.read_text(encoding="utf-8").splitlines() if n.strip()]
    # 土家族 before 土族: the longest name must be tried first
    forms = set(names) | {n.removesuffix("族") for n in names if len(n) > 2}
    return tuple(sorted(forms, key=len, reverse=True))


def short_name(name: str) -> str:
    """湘西土家族苗族自治州 → 湘西, 广西壮族自治区 → 广西, 海曙区 → 海曙, 赵县 → 赵县 (one char is no name)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                changed = True
                while changed:
                    changed = False
                    for nation in _nations():
                        if stem.endswith(nation) and len(stem) > len(nation) + 1:
                            stem = stem[: -len(nation)]
                            changed = True
                            break
            return stem if len(stem) >= 2 else name
    return name


@cache
def divisions() -> tuple[Division, ...]:
    out = []
    for line in DIVISIONS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            out.append(Division(code, name, short_name(name)))
    return tuple(out)


@cache
def _forms() -> dict[str, tuple[Division, ...]]:
    """Every written form → divisions: full name, short name, and 湘西州/恩施州 for an 自治州."""
    forms: dict[str, list[Division]] = {}
    for d in divisions():
        variants = {d.name, d.short}
        if d.name.endswith("自治州"):
            variants.add(d.short + "州")
        for v in variants:
            forms.setdefault(v, []).append(d)
    # A county made a city or a district since the table was drawn (会理县 → 会理市, 撤县设市/设区)
    # is written with its new suffix: the county answers to it where no division has that name.
    renamed: dict[str, list[Division]] = {}
    for d in divisions():
        if d.name.endswith("县") and len(d.short) >= 2 and d.short != d.name:
            for suffix in ("市", "区"):
                renamed.setdefault(d.short + suffix, []).append(d)
    for name, found in renamed.items():
        forms.setdefault(name, found)
    return {k: tuple(v) for k, v in forms.items()}


@cache
def _max_form() -> int:
    return max(len(k) for k in _forms())


@cache
def heads() -> frozenset[str]:
    """The first two characters of every written form: where no form of two or more characters
    starts, a scan of a text for place names need not look (most of a sentence)."""
    return frozenset(k[:2] for k in _forms() if len(k) >= 2)


def load() -> None:
    """Read the table now (≈40 ms), not on the first lookup: a worker does it while it starts."""
    _forms()
    _max_form()
    heads()


def lookup(text: str) -> tuple[Division, ...]:
    """Divisions written exactly as ``text`` (full or short form); empty when it is no place."""
    return _forms().get(text, ())


def chain_of(text: str) -> list[Division]:
    """A string made only of division names, read left to right: 济宁市任城 → [济宁市, 任城区].

    Longest form first at each position; a later name is resolved inside the earlier one when it
    is ambiguous (市中区 of 济宁, not of 乐山). Returns [] unless the names cover the whole string.
    """
    out: list[Division] = []
    pos = 0
    while pos < len(text):
        for size in range(min(_max_form(), len(text) - pos), 1, -1):
            found = lookup(text[pos : pos + size])
            if found:
                break
        else:
            return []
        if len(found) > 1 and out:
            found = tuple(d for d in found if _within(d, out[-1])) or found
        out.append(_prefer_higher(found))
        pos += size
    return out


def _within(d: Division, outer: Division) -> bool:
    return d.code.startswith(outer.code[: 2 * (outer.level + 1)])


def _prefer_higher(found: tuple[Division, ...]) -> Division:
    """An ambiguous name alone: the province or city before a county of the same name (吉林 省)."""
    return min(found, key=lambda d: (d.level, d.code))


def place_name(chain: list[Division]) -> str | None:
    """What a reader calls the most specific division of a chain: 海曙, 金乡, 济宁市中 (市中 alone is no place)."""
    if not chain:
        return None
    last = chain[-1]
    if last.short[0] in "市县区" and last.level == 2:  # 市中, 市北: only with its city
        city = chain[-2] if len(chain) > 1 else None
        return city.short + last.short if city else None
    return last.short


_MENTION = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:市|县|区|州|旗|盟|省)")


def mentions(text: str) -> list[Division]:
    """Divisions named in running text with their suffix (徐州市, 西湖区, 湘西州), in reading order.

    Bare short forms are left out on purpose: 新华, 城中 or 长安 are words as often as places.
    """
    out = []
    for m in _MENTION.finditer(text):
        word = m.group(0)
        for start in range(len(word) - 2, -1, -1):  # the shortest tail that is a full name wins last
            found = lookup(word[start:])
            if found and (word[start:] == found[0].name or word[start:].endswith("州")):
                out.append(_prefer_higher(found))
                break
    return out


def _generate(cpca_dir: Path) -> None:
    """Rewrite the data files from an unpacked or installed cpca package directory."""
    res = cpca_dir / "resources"
    with (res / "adcodes.csv").open(encoding="utf-8") as f:
        rows = sorted((r["adcode"][:6], r["name"]) for r in csv.DictReader(f))
    lines = [
        "# China's administrative divisions (province, city, county level): adcode<TAB>name.",
        "# Generated by `python -m knowledge.gazetteer --from-cpca DIR` from cpca 0.5.5 (MIT licence,",
        "# https://pypi.org/project/cpca/), resources/adcodes.csv: 民政部 2020 行政区划代码.",
    ]
    lines += [f"{c}\t{n}" for c, n in rows if "市辖区" not in n and "直辖" not in n]
    DIVISIONS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    NATIONS_FILE.write_text((res / "56_nations.csv").read_text(encoding="utf-8"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate knowledge/data/divisions.tsv from cpca")
    parser.add_argument("--from-cpca", type=Path, required=True, help="the cpca package directory")
    _generate(parser.parse_args(argv).from_cpca)
    return 0


if __name__ == "__main__":
    sys.exit(main())
