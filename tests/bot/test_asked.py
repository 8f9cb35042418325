"""What a question asks for, and where a sentence says it."""

from __future__ import annotations

import jieba
import pytest

from bot.asked import asked_kind, asked_measure, find_span, measure_fits, years_in


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("那个老人今年几岁了", "age"),
        ("两地各降了多少比一下", None),  # 多少 before 比 counts nothing
        ("一共被骗多少", "money"),
        ("被骗多少次", "count"),
        ("分别降了多少哪个多", None),
        ("嫌疑人多大年纪", "age"),
        ("演练是哪天开始的", "date"),
        ("什么时候抓到的", "date"),
        ("帮忙的两个学警叫什么名字", "name"),
        ("骗子姓什么", "name"),
        ("嫌疑人老家是哪的", "hometown"),
        ("那个老人打哪来的", "hometown"),
        ("各追回多少", "money"),
        ("两边的探头数量比一比", "count"),
        ("一共骗了多少个玩家", "count"),  # 骗了多少 asks money only without a measure after it
        ("那个骗子骗了多少", "money"),
        ("被骗的钱转到了哪家银行", None),  # which bank, not how much
        ("最后挽回了多少", "money"),
        ("那个老人是从哪里来的", "hometown"),
        ("这是第几次行动", "ordinal"),
        ("举报电话是多少", "phone"),
        ("查摆整改为期多久", "duration"),
        ("那两个惯偷扒窃了多少年", "duration"),
        ("被判了几年", "duration"),
        ("专项行动搞了几个月", "duration"),
        ("近几年破了多少案子", "count"),  # 近几年 says when, it asks no duration
        ("破案率是多少", "percent"),
        ("卡里被转走多少钱", "money"),
        ("大厅占地多大面积", "area"),
        ("抓了多少名嫌疑人", "count"),
        ("荆门抓了多少嫌疑人", "count"),  # a noun after 多少 is what is counted
        ("一共破了多少案子", "count"),
        ("下降了多少", None),  # a bare 多少 may want a rate as well
        ("反诈热线帮人挽回了多少钱", "money"),  # money asked outright beats the hotline named
        ("反诈热线号码是多少", "phone"),
        ("民警一共打了几次电话", "count"),  # calls counted, no phone number asked
        ("哪几个地方在搞天网工程", None),  # which, not how many
        ("讲讲那篇报道", None),
    ],
)
def test_asked_kind(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "span"),
    [
        ("age", "一位90岁的老人找不到家", "90岁"),
        ("age", "暴走的多是四五十岁的中年人", "四五十岁"),
        ("date", "8月13日上午，演练开始", "8月13日"),
        ("date", "每月25日、26日统一走访", "每月25日、26日"),
        ("ordinal", "这是今年第三次集中行动", "第三次"),
        ("ordinal", "考核排名倒数第四", "倒数第四"),
        ("phone", "拨打全国反诈热线96110", "96110"),
        ("duration", "查摆整改活动为期一周", "为期一周"),
        ("duration", "不到10分钟，嫌疑人全部落网", "不到10分钟"),
        ("money", "被骗走8万余元", "8万余元"),
        ("percent", "同比下降28.78%", "28.78%"),
        ("clock", "5月19日23时许，派出所接到报警", "23时许"),
        ("clock", "当晚9点半，民警赶到", "当晚9点半"),
    ],
)
def test_find_span(kind: str, sentence: str, span: str) -> None:
    assert find_span(kind, sentence) == span


def test_a_date_is_no_duration_and_a_year_no_duration() -> None:
    assert find_span("duration", "8月13日上午8时许演练开始") is None
    assert find_span("duration", "2019年全市发案下降") is None


def test_which_cases_counts_none() -> None:
    assert asked_measure("反诈的案子有哪几起", ["反诈", "的", "案子", "有", "哪", "几", "起"]) is None
    assert asked_measure("案子有哪几起", ["案子", "有", "哪", "几起"]) is None


def test_measure_words() -> None:
    assert asked_measure("一共有多少支暴走队") == "支"
    assert asked_measure("抓了几个人") is None  # 个 counts anything
    assert measure_fits("名", "人") and measure_fits("起", "件") and measure_fits("名", "")
    assert not measure_fits("支", "人")


def test_years() -> None:
    assert years_in("新昌2015年受理刑事案件多少起") == ("2015",)
    assert years_in("荆门２０１８年".replace("２０１８", "2018")) == ("2018",)
    assert years_in("打掉窝点33个，抓获244人") == ()


def test_counted_noun_is_what_is_counted_not_a_unit() -> None:
    from bot.asked import counted_noun

    assert counted_noun("新昌2016年发生了几起命案") == "命案"
    assert counted_noun("微山县一共有多少支暴走队") == "暴走队"
    assert counted_noun("丁某某被控制用了几分钟") is None
    assert counted_noun("双师队伍有多少人") is None


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("兴隆派出所有多少名民警", "名"),
        ("一共有多少支队伍", "支"),
        ("发生了几起命案", "起"),
        ("今年破获了多少本地案件", None),  # 本地 is a word, not the measure 本
        ("有多少部门参与", None),
        ("打掉多少个窝点", None),  # 个 measures anything
    ],
)
def test_a_measure_is_a_word_of_its_own(question: str, measure: str | None) -> None:
    assert asked_measure(question, jieba.lcut(question)) == measure


def test_a_count_is_stated_with_its_measure_word() -> None:
    assert find_span("count", "每队有百余人，甚至三四百人") == "百余人"
    assert find_span("count", "组建了一支视频抓捕小队") == "一支"
    assert find_span("count", "今年以来成效明显") is None


def test_which_day_wants_a_day_not_a_year() -> None:
    from bot.asked import DAY_ASKED

    assert DAY_ASKED.search("嫌疑人是哪天落网的") and not DAY_ASKED.search("是哪一年开始的")
    assert find_span("day", "自2015年以来……最终于8月10日将其抓获") == "8月10日"
    assert find_span("date", "自2015年以来……最终于8月10日将其抓获") == "2015年"


def test_counted_nouns_name_a_thing() -> None:
    from bot.asked import counted_noun

    assert counted_noun("东湖派出所有多少名辅警") == "辅警"
    assert counted_noun("发案数降了几个点") is None
    assert counted_noun("把那几个数据列一下") is None
    assert counted_noun("来了几个人") is None


def test_a_size_asked_of_a_place_or_a_thing_is_no_age() -> None:
    assert asked_kind("指挥大厅占地多大") == "area"
    assert asked_kind("那块显示屏有多大") == "length"
    assert asked_kind("那个报警的老太太多大") == "age"


def test_a_time_of_day() -> None:
    assert asked_kind("几点到的现场") == "clock"
    assert find_span("clock", "当天晚上8点半，民警赶到现场。") == "晚上8点半"
    assert find_span("clock", "2019年8月，民警赶到现场。") is None


def test_a_native_place() -> None:
    assert asked_kind("那个骗子老家是哪的") == "hometown"
    assert find_span("hometown", "犯罪嫌疑人王某（男，25岁，河南省南阳市唐河县人）") == "唐河县"
    assert find_span("hometown", "嫌疑人在河南省南阳市被抓获。") is None


def test_what_an_english_question_counts() -> None:
    from bot.asked import counted_noun

    assert counted_noun("how many police officers work at the bureau?") == "police officers"
    assert counted_noun("how many fraud dens did jingmen shut down?") == "fraud dens"
    assert counted_noun("how many were arrested") is None



def test_a_count_in_tens_of_thousands_keeps_its_digits_and_the_counted_noun_stops_at_a_verb() -> None:
    from bot.asked import counted_noun, find_span

    assert find_span("count", "结果有2万多名普通群众参与投票。") == "2万多名"
    assert find_span("count", "覆盖学生1.2万余人") == "1.2万余人"
    assert counted_noun("有多少老百姓参与投票") == "老百姓"
