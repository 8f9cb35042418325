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


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # bare 万/亿: money where the clause speaks of money or a bracket names the currency
        ("今年以来，全市共追缴被骗资金40余万。", [("追缴被骗资金", "40余万", 400_000, "元", "money", True)]),
        ("该团伙涉案金额高达1.2亿。", [("该团伙涉案金额", "1.2亿", 120_000_000, "元", "money", False)]),
        ("共收缴3.5万（元）。", [("收缴金额", "3.5万", 35_000, "元", "money", False)]),
        ("辖区常住人口40余万。", [("常住人口", "40余万", 400_000, "", "other", True)]),
        # 万/亿 before a measure word multiply it
        ("参与群众达40余万人次。", [("参与群众", "40余万人次", 400_000, "人次", "count", True)]),
        ("发放宣传资料3万余份。", [("发放宣传资料", "3万余份", 30_000, "份", "count", True)]),
        ("涉案金额达1.2亿余元。", [("涉案金额", "1.2亿余元", 120_000_000, "元", "money", True)]),
    ],
)
def test_bare_and_scaled_amounts(sentence: str, expected: list[tuple]) -> None:
    got = extract_from_sentence(sentence, 0, None)
    assert [(f.subject, f.value_text, f.value, f.unit, f.kind, f.approximate) for f in got] == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a figure in brackets after a figure is a part of it, named by what the bracket says
        (
            "专案组破获案件30起（其中刑事案件12起），抓获嫌疑人21名。",
            [("专案组破获案件", "30起"), ("刑事案件", "12起"), ("抓获嫌疑人", "21名")],
        ),
        (
            "专案组破获案件30起（其中刑事案件12起）抓获嫌疑人21名。",
            [("专案组破获案件", "30起"), ("刑事案件", "12起"), ("抓获嫌疑人", "21名")],
        ),
        ("全县共有网格员1200名（含专职网格员300名）。", [("网格员", "1200名"), ("专职网格员", "300名")]),
        (
            "抓获犯罪嫌疑人15名（男性12名、女性3名）。",
            [("抓获犯罪嫌疑人", "15名"), ("男性", "12名"), ("女性", "3名")],
        ),
        ("共查获各类毒品5公斤（其中冰毒3.2公斤）。", [("查获各类毒品", "5公斤"), ("冰毒", "3.2公斤")]),
        # a bracket naming the currency is no figure of its own
        ("民警为群众挽回经济损失100万元（人民币）。", [("为群众挽回经济损失", "100万元")]),
    ],
)
def test_figure_followed_by_a_bracketed_figure(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert subjects(sentence) == expected


def test_a_bracketed_figure_of_the_period_compared_with_keeps_the_subject() -> None:
    got = extract_from_sentence("全年接处警1.2万起，同比下降5%（去年同期为1.3万起）。", 0, None)
    assert [(f.subject, f.value, f.period, f.comparison) for f in got] == [
        ("全年接处警", 12_000, None, None),
        ("全年接处警", 5, None, "同比"),
        ("全年接处警", 13_000, "去年同期", None),
    ]
