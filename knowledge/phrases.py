"""How questions and words are compared: the keys links, synonyms and the question log share.

Kept apart from ``knowledge.teach`` (and its validation imports) so the answer engine can read
keys without loading what only a moderator's change needs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

__all__ = ["question_key", "word_key"]

_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def word_key(text: str) -> str:
    """Half-width, simplified, lower-case, without spaces: how a word is compared."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", _t2s().convert(text).lower())


def question_key(text: str) -> str:
    """A question as links and the question log compare it: :func:`word_key` without punctuation,
    so "阿尔法行动战果如何？" and "阿尔法 行动战果如何" are one question."""
    return _NOT_WORD.sub("", word_key(text))
