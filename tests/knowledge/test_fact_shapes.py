"""Fact subjects and figures on invented sentences: the shapes a statistic is written in, not the seeds' words.

Each sentence is made up (no seed holds it), so these hold the rules, not one corpus.
"""

from __future__ import annotations

import pytest

from knowledge.facts import extract_from_sentence


def subjects(sentence: str) -> list[tuple[str, str]]:
    return [(f.subject, f.value_text) for f in extract_from_sentence(sentence, 0, None)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a verb of having or forming says nothing about what was counted
        ("城南派出所组成三个巡逻组深入各村开展走访。", [("巡逻组", "三个")]),
        ("每个警务室再配上三名辅警。", [("辅警", "三名")]),
        # the counted noun ends where its own verb starts
        ("民警集结30余名特警队员赶赴现场处置。", [("集结特警队员", "30余名")]),
        ("全县12个重点项目由20余名社区民警认领。", [("重点项目", "12个"), ("社区民警", "20余名")]),
        # a number governed by a preposition counts the preposition's noun
        ("会上，各所所长围绕四个重点领域作了发言。", [("重点领域", "四个")]),
        ("督导组对全区8个派出所进行了检查。", [("派出所", "8个")]),
        # partners in an action: what they did names them
        ("分局与阿里、京东等5家企业共建反诈实验室。", [("共建反诈实验室的企业", "5家")]),
        # the verb's object acts in turn: what it was brought to do is the point
        ("民警促成20余家商户签订防范承诺书。", [("促成商户签订防范承诺书", "20余家")]),
    ],
)
def test_counted_noun_and_what_governs_it(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert subjects(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("经过5天的追查，王某被盗的电动车物归原主。", "追回被盗电动车用时"),
        ("经过两天的连续奋战，赵某被骗走的现金悉数追回。", "追回被骗现金用时"),
        ("不到8分钟，指挥中心就收到了人质已被解救的消息。", "人质被解救用时"),
        ("仅用20分钟，巡逻民警便将走失老人送回家中。", "将走失老人送回家中用时"),
    ],
)
def test_duration_named_by_its_outcome(sentence: str, expected: str) -> None:
    (fact,) = extract_from_sentence(sentence, 0, None)
    assert (fact.kind, fact.subject) == ("duration", expected)
