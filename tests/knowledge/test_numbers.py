"""Quantities: numerals, magnitudes, approximations, and the many numbers that are not statistics."""

from __future__ import annotations

import pytest

from knowledge.numbers import QuantityMatch, find_quantities, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit", "approximate", "kind"),
    [
        ("42名", 42, "名", False, "count"),
        ("1336起", 1336, "起", False, "count"),
        ("1336 起", 1336, "起", False, "count"),
        ("十余名", 10, "名", True, "count"),
        ("40多家", 40, "家", True, "count"),
        ("百余名", 100, "名", True, "count"),
        ("三四百人", 300, "人", True, "count"),
        ("30余项", 30, "项", True, "count"),
        ("170余起", 170, "起", True, "count"),
        ("170 余起", 170, "起", True, "count"),
        ("2万多名", 20000, "名", True, "count"),
        ("10474只", 10474, "只", False, "count"),
        ("两台", 2, "台", False, "count"),
        ("1.376亿元", 137_600_000, "元", False, "money"),
        ("2万余元", 20000, "元", True, "money"),
        ("12万元", 120_000, "元", False, "money"),
        ("4000元", 4000, "元", False, "money"),
        ("一两千块钱", 1000, "元", True, "money"),
        ("28.78%", 28.78, "%", False, "percent"),
        ("90%以上", 90, "%", True, "percent"),
        ("超过80%", 80, "%", True, "percent"),
        ("10多个小时", 10, "小时", True, "duration"),
        ("不到10分钟", 10, "分钟", True, "duration"),
        ("不足两小时", 2, "小时", True, "duration"),
        ("3小时", 3, "小时", False, "duration"),
        ("两小时", 2, "小时", False, "duration"),
        ("5个多月", 5, "月", True, "duration"),
        ("三个月", 3, "月", False, "duration"),
        ("20年以上", 20, "年", True, "duration"),
        ("十余天", 10, "天", True, "duration"),
        ("近500平方米", 500, "平方米", True, "area"),
        ("10米", 10, "米", False, "other"),
    ],
)
def test_parse_quantity(text: str, value: float, unit: str, approximate: bool, kind: str) -> None:
    q = parse_quantity(text)
    assert q is not None, text
    assert q.value == pytest.approx(value)
    assert (q.unit, q.approximate, q.kind) == (unit, approximate, kind)


@pytest.mark.parametrize(
    "text",
    ["2016年", "7月22日", "4月份", "13967586970", "96110", "110"]
    + ["第一批", "20周年", "8时许", "1号"],
)
def test_parse_quantity_rejects_non_quantities(text: str) -> None:
    assert parse_quantity(text) is None


def _texts(sentence: str) -> list[str]:
    return [q.value_text for q in find_quantities(sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "2016年1-10月份",
        "今年1-10月份",
        "去年12月份以来",
        "7月22日中午",
        "8月13日上午8时许",
        "清晨6点",
        "当天下午4点多",
        "责编：吕建刚 联系电话：13967586970",
        "想起之前民警上门宣传过全国反诈热线96110",
        "市公安局110情报指挥中心接到派出所反馈",
        "刘铮得知已有人打了120电话后",
        "植入 110 接处警移动警务平台",
        "扎实推进第一批公安队伍教育整顿",
        "启动天网工程三期建设",
        "组织开展第三次夏夜治安巡查宣防集中统一行动",
        "天鹅广场警务站1号巡逻组",
        "启动“1+3”联系服务群众新模式",
        "按照公安机关“6+N”模式",
        "开展“五必谈”“五必访”谈心活动",
        "紧扣学习教育、查纠整改、总结提升“三个环节”",
        "突出弘扬英模精神“四项任务”",
        "组织“五支队伍”积极参与巡逻防控工作",
        "紧紧围绕建党100周年安保维稳任务",
        "开展“纪念程广泉一级英模20周年”系列纪念活动",
        "视频研判“0”疏漏为目标",
        "通过24小时精准打击",
        "巡特警 24 小时武装巡逻的立体化巡防体系",
        "24小时网格化巡逻防控",
        "3年来，辖区",
        "鼓楼派出所三年前经常接到各种举报",
        '重点加强"1分钟控制圈"和"3分钟 控制圈"建设',
        "一辆面包车开到江北湾头大桥附近",
        "深入开展治安清查整治“2019飓风行动”",
        "每周召开创满调度联席会议，将每月25日和26日定为统一走访日",
        "三位一体督导",
    ],
)
def test_non_facts(sentence: str) -> None:
    assert _texts(sentence) == []


def test_find_quantities_spans_and_text() -> None:
    s = "全县共受理刑事案件1336起，同比下降28.78%"
    qs = find_quantities(s)
    assert [q.value_text for q in qs] == ["1336起", "28.78%"]
    for q in qs:
        assert isinstance(q, QuantityMatch)
        assert s[q.start : q.end] == q.value_text


def test_value_text_keeps_approximation_prefix() -> None:
    assert _texts("占地近500平方米的大厅里") == ["近500平方米"]
    assert _texts("在报案后不足两小时内就成功抓获逃犯") == ["不足两小时"]


def test_rate_versus_change_percentages() -> None:
    qs = find_quantities("当年案件破案率达32.21%，同比上升9.93%")
    assert [(q.value, q.kind) for q in qs] == [(32.21, "rate"), (9.93, "percent")]
    assert find_quantities("不良企业已全部清零、楼宇入住率达 90%以上")[0].kind == "rate"
    assert find_quantities("黄赌类警情同比下降30.1%")[0].kind == "percent"


def test_durations_that_are_measurements_survive() -> None:
    assert _texts("在1小时内便锁定及抓获嫌疑人") == ["1小时"]
    assert _texts("经过3小时的努力") == ["3小时"]
    assert _texts("背后却是视频抓捕小队连续10多个小时的奋战") == ["10多个小时"]
    assert _texts("抓获潜逃20年以上的命案逃犯4名") == ["20年以上", "4名"]


def test_counts_next_to_non_facts() -> None:
    assert _texts("荆门市公安局与华为、腾讯、360等9家知名企业共建联创中心") == ["9家"]
    assert _texts("抓获网上逃犯120名") == ["120名"]
    assert _texts("“一类事”能动会战8期，消除各类风险隐患257个") == ["8期", "257个"]
    assert _texts("称有两名嫌疑人盗窃10余部手机后") == ["两名", "10余部"]


@pytest.mark.parametrize(
    ("sentence", "ages"),
    [
        ("一位90岁的耳聋老人找不到女儿的家", ["90岁"]),
        ("10岁的小女孩上了一个陌生中年男子的摩托车", ["10岁"]),
        ("张某某（男，30岁，广东省潮州市饶平县人）", ["30岁"]),
        ("多为20岁以上至四五十岁", ["20岁以上", "四五十岁"]),
    ],
)
def test_ages_are_quantities(sentence: str, ages: list[str]) -> None:
    found = find_quantities(sentence)
    assert [q.value_text for q in found] == ages
    assert {(q.unit, q.kind) for q in found} == {("岁", "age")}


def test_more_measure_words_and_bare_wan() -> None:
    found = find_quantities("缴获毒品3公斤、假烟120条、白酒30瓶，涉案金额40余万。")
    assert [(q.value_text, q.value, q.unit, q.kind) for q in found] == [
        ("3公斤", 3, "公斤", "other"),
        ("120条", 120, "条", "count"),
        ("30瓶", 30, "瓶", "count"),
        ("40余万", 400_000, "元", "money"),
    ]
