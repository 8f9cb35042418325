"""The question set: every reply must carry the figure or phrase a user came for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine import Engine

QUESTIONS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "questions.yaml").read_text("utf-8")
)


def test_question_set_is_large_and_varied() -> None:
    assert len(QUESTIONS) >= 60
    assert {q["intent"] if isinstance(q["intent"], str) else "mixed" for q in QUESTIONS} >= {
        "fact",
        "summary",
        "excerpt",
        "list",
        "help",
        "none",
    }


@pytest.mark.parametrize("case", QUESTIONS, ids=[q["q"] or "<empty>" for q in QUESTIONS])
def test_question(engine: Engine, case: dict[str, Any]) -> None:
    answer = engine.answer(case["q"])
    expected = case["intent"]
    allowed = [expected] if isinstance(expected, str) else expected
    detail = f"{answer.intent}: {answer.reply}\n{answer.debug}"
    assert answer.intent in allowed, detail
    for needle in case.get("contains", []):
        assert needle in answer.reply, detail
    for needle in case.get("absent", []):
        assert needle not in answer.reply, detail
    if answer.intent in {"fact", "summary", "excerpt"}:
        assert answer.citation is not None
        assert "来源：《" in answer.reply
