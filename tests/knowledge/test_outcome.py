"""Outcome sentences: what ended a story, not what was aimed at or missed."""

from __future__ import annotations

import pytest

from knowledge.outcome import tells_outcome


@pytest.mark.parametrize(
    ("text", "ended"),
    [
        ("经过5个小时的努力，被盗的摩托车物归原主，嫌疑人被成功抓获。", True),
        ("最终，民警在车站找到了走失的男孩。", True),
        ("为尽快追回损失，民警连夜赶往银行。", False),
        ("由于线索太少，民警一时无法找到嫌疑人。", False),
        ("群众纷纷来到派出所办理业务。", False),
    ],
)
def test_tells_outcome(text: str, ended: bool) -> None:
    assert tells_outcome(text) is ended


def test_how_a_service_was_received_ends_its_story() -> None:
    assert tells_outcome("民警沿途疏导交通，受到了暴走队员的一致好评。")
    assert tells_outcome("这一举措赢得了群众点赞。")
