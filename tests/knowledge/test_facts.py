"""Facts from real seed sentences: subjects, periods, agencies, changes, 分别 and enumerations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.facts import extract_facts, extract_from_sentence
from knowledge.types import ArticleDraft, FactDraft, SentenceDraft

GULOU = "海曙公安分局鼓楼派出所"


def facts(sentence: str, agency: str | None = None) -> list[FactDraft]:
    return extract_from_sentence(sentence, 3, agency)


def rows(sentence: str, agency: str | None = None) -> list[tuple]:
    return [(f.subject, f.value, f.unit, f.change, f.comparison) for f in facts(sentence, agency)]


def test_subject_agency_period_from_sentence() -> None:
    fs = facts("据了解，今年以来，鼓楼派出所已抓获各类违法犯罪嫌疑人42名，破获本地案件49起。", GULOU)
    assert [(f.subject, f.value, f.value_text, f.unit) for f in fs] == [
        ("抓获各类违法犯罪嫌疑人", 42, "42名", "名"),
        ("破获本地案件", 49, "49起", "起"),
    ]
    assert {f.agency for f in fs} == {"鼓楼派出所"}
    assert {f.period for f in fs} == {"今年以来"}
    assert all(f.sentence_position == 3 and f.kind == "count" for f in fs)


def test_follow_up_clause_inherits_subject_and_records_change() -> None:
    s = "2016年1-10月份，全县共受理刑事案件1336起，同比下降28.78%；侵财型案件988起，同比下降37.74%。"
    assert rows(s) == [
        ("受理刑事案件", 1336, "起", None, None),
        ("受理刑事案件", 28.78, "%", "下降", "同比"),
        ("侵财型案件", 988, "起", None, None),
        ("侵财型案件", 37.74, "%", "下降", "同比"),
    ]
    assert {f.period for f in facts(s)} == {"2016年1-10月份"}


def test_ocr_spaces_are_tolerated_and_kept_in_value_text() -> None:
    s = "一组数据足以说明:2016 年 1-10 月份,全县共受理刑事案件 1336 起,同比下降 28.78%;"
    fs = facts(s, "新昌县公安局")
    assert [(f.subject, f.value_text, f.period) for f in fs] == [
        ("受理刑事案件", "1336 起", "2016年1-10月份"),
        ("受理刑事案件", "28.78%", "2016年1-10月份"),
    ]
    assert fs[0].agency == "新昌县公安局"  # nothing in the sentence, so the article's


def test_rate_then_change() -> None:
    s = (
        "来自县公安局的统计数据显示，今年1-10月份，通过实战平台流转破案254起，"
        "当年案件破案率达32.21%，同比上升9.93%。"
    )
    fs = facts(s)
    assert [(f.subject, f.value, f.kind, f.change, f.comparison) for f in fs] == [
        ("通过实战平台流转破案", 254, "count", None, None),
        ("破案率", 32.21, "rate", None, None),
        ("破案率", 9.93, "percent", "上升", "同比"),
    ]
    assert {f.period for f in fs} == {"今年1-10月份"}
    assert {f.agency for f in fs} == {"县公安局"}


def test_enumeration_with_own_numbers() -> None:
    s = (
        "今年以来，110情报指挥中心已精准指挥、快速处置敏感警情2482起、帮助找到走失人员2212人、"
        "救援群众912次、化解各类矛盾隐患3914起。"
    )
    fs = facts(s, "市公安局")
    assert [(f.subject, f.value, f.unit) for f in fs] == [
        ("精准指挥、快速处置敏感警情", 2482, "起"),
        ("帮助找到走失人员", 2212, "人"),
        ("救援群众", 912, "次"),
        ("化解各类矛盾隐患", 3914, "起"),
    ]
    assert {f.agency for f in fs} == {"110情报指挥中心"}
    assert {f.period for f in fs} == {"今年以来"}


def test_named_operation_is_not_part_of_subject() -> None:
    s = (
        "“云剑”行动打掉电信诈骗窝点33个、打处电信诈骗犯罪嫌疑人244人、"
        "抓获套路贷犯罪嫌疑人167名、抓获网上逃犯270人、到案率位居全省第一。"
    )
    assert [f.subject for f in facts(s)] == [
        "打掉电信诈骗窝点",
        "打处电信诈骗犯罪嫌疑人",
        "抓获套路贷犯罪嫌疑人",
        "抓获网上逃犯",
    ]


def test_fenbie_distributes_over_subjects() -> None:
    s = "3年来，辖区刑事、治安发案同比分别下降29.8%、26.7%，网络诈骗案件同比下降22.5%。"
    assert rows(s, GULOU) == [
        ("刑事发案", 29.8, "%", "下降", "同比"),
        ("治安发案", 26.7, "%", "下降", "同比"),
        ("网络诈骗案件", 22.5, "%", "下降", "同比"),
    ]
    assert {f.period for f in facts(s)} == {"3年来"}
    assert {f.agency for f in facts(s, GULOU)} == {GULOU}


def test_change_without_verb_subject() -> None:
    s = "“2019飓风行动”直指群众反映强烈的治安难点和乱点，黄赌类警情同比下降30.1%，抢劫抢夺案件基本绝迹……"
    assert rows(s) == [("黄赌类警情", 30.1, "%", "下降", "同比")]


def test_year_at_clause_start_is_period() -> None:
    s = "重拳整治汉正街等治安乱点，2019年发案数同比下降14.7%。"
    (f,) = facts(s, "荆门市公安局")
    assert (f.subject, f.period, f.change, f.comparison, f.agency) == (
        "发案数",
        "2019年",
        "下降",
        "同比",
        "荆门市公安局",
    )


def test_year_period_for_list() -> None:
    s = (
        "2019年，侦办涉黑组织犯罪13起、恶势力犯罪集团案件32起、"
        "恶势力团伙案件125起，抓获犯罪嫌疑人990名，扫黑除恶专项斗争群众满意度全省第二。"
    )
    fs = facts(s)
    assert [(f.subject, f.value) for f in fs] == [
        ("侦办涉黑组织犯罪", 13),
        ("恶势力犯罪集团案件", 32),
        ("恶势力团伙案件", 125),
        ("抓获犯罪嫌疑人", 990),
    ]
    assert {f.period for f in fs} == {"2019年"}


def test_agency_in_sentence_and_trailing_verbs() -> None:
    s = (
        "据统计，今年以来，市公安局共建成省部级重点实验室1个，"
        "以个人命名的专家工作室5个，专项人才攻坚团队13个，“双师”队伍已扩充至29人。"
    )
    fs = facts(s)
    assert [(f.subject, f.value) for f in fs] == [
        ("建成省部级重点实验室", 1),
        ("以个人命名的专家工作室", 5),
        ("专项人才攻坚团队", 13),
        ("“双师”队伍", 29),
    ]
    assert {(f.agency, f.period) for f in fs} == {("市公安局", "今年以来")}


def test_since_clause_period() -> None:
    s = (
        "夏季治安打击整治行动以来，市公安局围绕校园警情、医院警情、邻里纠纷等场景，会同有关部门发起邻里纠纷、"
        "情感纠纷、防溺水、校园安保、未成年人帮教等“一类事”能动会战8期，消除各类风险隐患257个。"
    )
    fs = facts(s)
    assert [(f.value, f.unit) for f in fs] == [(8, "期"), (257, "个")]
    assert fs[1].subject == "消除各类风险隐患"
    assert {f.period for f in fs} == {"夏季治安打击整治行动以来"}


def test_money_magnitudes() -> None:
    s = (
        "成功现场劝阻案件1585起，涉案资金1.376亿元，"
        "全市受理电信网络诈骗案件数在4月份达到顶点后，开始呈下降趋势。"
    )
    fs = facts(s, "市公安局")
    assert [(f.subject, f.value, f.value_text, f.unit, f.kind) for f in fs] == [
        ("现场劝阻案件", 1585, "1585起", "起", "count"),
        ("涉案资金", 137_600_000, "1.376亿元", "元", "money"),
    ]
    (f,) = facts("经问询，郑某对盗窃的电动车电瓶案件供认不讳，涉案金额2万余元。", GULOU)
    assert (f.subject, f.value, f.value_text, f.approximate, f.kind) == (
        "涉案金额",
        20000,
        "2万余元",
        True,
        "money",
    )


def test_number_before_noun_counts_the_noun() -> None:
    s = (
        "据了解，今年以来，鼓楼派出所已打处非法企业9家，并会同市场监管部门促成40余家企业迁出辖区、"
        "24家异地经营企业完成工商变更，不良企业已全部清零、楼宇入住率达 90%以上。"
    )
    fs = facts(s, GULOU)
    assert [(f.subject, f.value_text) for f in fs] == [
        ("打处非法企业", "9家"),
        ("会同市场监管部门促成企业迁出辖区", "40余家"),
        ("异地经营企业完成工商变更", "24家"),
        ("入住率", "90%以上"),
    ]
    assert fs[-1].kind == "rate" and fs[-1].approximate


def test_inline_duration_then_count() -> None:
    s = (
        "大数据研判等手段在侦查破案中的贡献率超过80%，累计协助抓获现行案件嫌疑人165名，破案335起，"
        "抓获网上逃犯120名，其中，抓获潜逃20年以上的命案逃犯4名、公安部B级逃犯1名。"
    )
    got = [(f.subject, f.value_text, f.kind) for f in facts(s)]
    assert got[0] == ("贡献率", "超过80%", "rate")
    assert ("协助抓获现行案件嫌疑人", "165名", "count") in got
    assert ("抓获网上逃犯", "120名", "count") in got
    assert ("抓获潜逃的命案逃犯", "4名", "count") in got
    assert ("公安部B级逃犯", "1名", "count") in got
    assert ("20年以上", "duration") in [(v, k) for _, v, k in got]


def test_until_now_period_and_units() -> None:
    s = (
        "截至目前，全县已经安装视频监控 10474 只，"
        "今明两年将新增社会化视频联网建设 4000 只，织就一张视频防控网。"
    )
    fs = [f for f in facts(s) if f.unit == "只"]
    assert [(f.subject, f.value) for f in fs][0] == ("安装视频监控", 10474)
    assert {f.period for f in fs} == {"截至目前"}


def test_approximate_counts_from_quantity_words() -> None:
    (f,) = facts(
        "接警后，指挥中心警务中台迅速启动应急处突预案，集结十余名“双师”专业人才入驻指挥大厅进行实时调度指挥。"
    )
    assert (f.value, f.value_text, f.approximate) == (10, "十余名", True)
    assert "专业人才" in f.subject


@pytest.mark.parametrize(
    "sentence",
    [
        "当前，公安队伍教育整顿已经进入“回头看”阶段。",
        "想起之前民警上门宣传过全国反诈热线96110，便立即拨打了电话。",
        "8月13日上午8时许，随着指挥中心相关负责人一声令下，应急处突演练正式拉开帷幕。",
        "近日，市公安局110情报指挥中心接到派出所反馈。",
        "新昌公安进一步建构了巡特警 24 小时武装巡逻的立体化巡防体系。",
        "扎实推进第一批公安队伍教育整顿和“回头看”，紧紧围绕建党100周年安保维稳任务。",
        "责编：吕建刚 联系电话：13967586970 校对：俞伟波",
    ],
)
def test_sentences_without_facts(sentence: str) -> None:
    assert facts(sentence) == []


def test_ages_are_facts_and_pair_parts_are_not() -> None:
    (f,) = facts("近日，在微山县汽车站一位90岁的耳聋老人找不到女儿的家。")
    assert (f.subject, f.value, f.unit, f.kind) == ("耳聋老人年龄", 90, "岁", "age")
    (f,) = facts("自2015年以来，犯罪嫌疑人张某某（男，30岁，广东省潮州市饶平县人）通过网络引诱受害人。")
    assert (f.subject, f.value_text) == ("犯罪嫌疑人张某某年龄", "30岁")
    assert facts("两人将差价平分。") == []


def test_long_subject_keeps_the_counted_noun() -> None:
    (f,) = facts("济宁市共组织开展“食品药品违法犯罪百日行动”、“利剑行动”等专项打击26次。")
    assert (f.subject, f.value_text) == ("专项打击", "26次")


def test_extract_facts_iterates_sentences() -> None:
    sentences = [
        SentenceDraft(0, 0, "据了解，今年以来，鼓楼派出所已抓获各类违法犯罪嫌疑人42名，破获本地案件49起。"),
        SentenceDraft(1, 0, "鼓楼派出所筛查出10多家放贷公司，并先后打掉了3个涉黑团伙，抓获处理了30多人。"),
    ]
    article = ArticleDraft(
        source="000_x.txt",
        ordinal=0,
        title="t",
        title_inferred=True,
        place="宁波海曙",
        agency=GULOU,
        paragraphs=[s.text for s in sentences],
        sentences=sentences,
    )
    fs = extract_facts(article)
    assert [f.sentence_position for f in fs] == [0, 0, 1, 1, 1]
    assert [f.subject for f in fs[2:]] == ["筛查出放贷公司", "打掉涉黑团伙", "抓获处理人员"]
    assert all(f.sentence == sentences[f.sentence_position].text for f in fs)


_ALPHABET = st.sampled_from(
    list(
        '0123456789.%，,、。；第余多近约年月日号个名起元万亿十百千两三四五一“”"+-同比下降上升分别今以来派出所公安局率达'
    )
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_ALPHABET, max_size=60).map("".join)))
def test_never_raises_and_value_text_is_in_sentence(text: str) -> None:
    for f in extract_from_sentence(text, 0, None):
        assert f.value_text in text
        assert f.sentence == text
        assert f.subject


def test_seed_files_yield_many_facts(seeds: dict[str, str]) -> None:
    """Integration with knowledge.segment once it exists."""
    segment = pytest.importorskip("knowledge.segment")
    if not hasattr(segment, "segment_file"):
        pytest.skip("knowledge.segment.segment_file not available yet")
    all_facts = [
        f for name, raw in seeds.items() for a in segment.segment_file(name, raw) for f in extract_facts(a)
    ]
    assert len(all_facts) > 100
    keys = {(f.subject, f.value_text) for f in all_facts}
    for expected in [
        ("抓获各类违法犯罪嫌疑人", "42名"),
        ("帮助找到走失人员", "2212人"),
        ("打掉电信诈骗窝点", "33个"),
        ("破案率", "32.21%"),
        ("涉案资金", "1.376亿元"),
    ]:
        assert expected in keys
    assert all(f.value_text in f.sentence for f in all_facts)


def test_period_carries_over_semicolon_split_sentences() -> None:
    texts = [
        "2016年1-10月份，全县共受理刑事案件1336起，同比下降28.78%；",
        "侵财型案件988起，同比下降37.74%。",
        "今年以来，全县破获案件10起。",
        "侵财型案件5起。",
    ]
    sentences = [SentenceDraft(i, 0, t) for i, t in enumerate(texts)]
    article = ArticleDraft("003_x.txt", 0, "t", False, None, "新昌县公安局", ["".join(texts)], sentences)
    periods = [(f.sentence_position, f.period) for f in extract_facts(article)]
    assert periods == [
        (0, "2016年1-10月份"),
        (0, "2016年1-10月份"),
        (1, "2016年1-10月份"),
        (1, "2016年1-10月份"),
        (2, "今年以来"),
        (3, None),
    ]
