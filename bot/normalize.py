"""Turn whatever a user typed into the text the matcher expects.

Order matters: NFKC first (full-width digits and letters become ASCII), then OpenCC
traditional→simplified (jieba splits traditional text character by character), then the
typo table from ``data/typos.txt``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import opencc

# Characters that carry no meaning for matching: controls, zero-width marks, emoji variation selectors.
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\ufeff]")
_SPACES = re.compile(r"\s+")
# Leading/trailing noise: punctuation, symbols and emoji around the actual question.
_EDGE_NOISE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


# A question typed as two, with a space for the comma: "老人多大岁数 哪里人", "降了多少 哪个多"
_ASKED_END = ("多少", "几个", "多久", "多大", "岁数", "什么", "吗", "呢", "啥", "谁", "哪里", "哪儿", "哪天", "几岁")


def _gap(m: re.Match[str]) -> str:
    end = m.start() - (m.string[m.start() - 1] == "了")
    return "，" if m.string.endswith(_ASKED_END, 0, end) else ""


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def typo_table() -> tuple[tuple[str, str], ...]:
    text = resources.files("bot.data").joinpath("typos.txt").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "→" not in line:
            continue
        wrong, right = (part.strip() for part in line.split("→", 1))
        if wrong and right:
            pairs.append((wrong, right))
    # Longest first so a longer typo is not half-fixed by a shorter one.
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


# Latin letters with tone marks (gǔlóu pàichūsuǒ): pinyin as typed on a phone, read without them
_TONED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")


def _untoned(m: re.Match[str]) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", m.group(0)) if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case text with surrounding noise and stray gaps removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _TONED.sub(_untoned, text)
    text = _INVISIBLE.sub("", text)
    text = _converter().convert(text)
    text = text.lower()
    text = _SPACES.sub(" ", text).strip()
    text = _CJK_GAP.sub(_gap, text)
    for wrong, right in typo_table():
        text = text.replace(wrong, right)
    stripped = _EDGE_NOISE.sub("", text)
    return stripped if stripped else text
