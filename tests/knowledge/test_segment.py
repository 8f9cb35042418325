"""Article boundaries, titles, agencies and sentences on literal examples and the seeds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.segment import find_agencies, pick_agency, place_of_agency, segment_file, split_sentences

EXPECTED_ARTICLES = [
    ("000", 0, "数字化改革：海曙公安分局鼓楼派出所"),
    ("000", 1, "市公安局：今年政法队伍教育整顿开展以来"),
    ("001", 0, "以“互联网+”思维改革创新"),
    ("001", 1, "金乡民警3小时追回被骗钱款"),
    ("001", 2, "群众暴走健身 公安规范指导"),
    ("001", 3, "嘉祥警方赴广州 抓获网络诈骗案嫌疑人"),
    ("001", 4, "建立严打食药环犯罪 联勤联动机制"),
    ("001", 5, "“延时服务” 受青睐"),
    ("001", 6, "全力以赴纠错整改 齐心协力塑心正风"),
    ("001", 7, "开发区派出所帮耳聋老人找到家"),
    ("002", 0, "借改革之机乘风破浪 蓄动能之势逆风破局 我市全面提升能动警务质效"),
    ("002", 1, "一个反诈电话 挽回12万元"),
    ("002", 2, "老人摔倒昏迷 实习学警帮忙"),
    ("002", 3, "第三次夏夜 治安巡查"),
    ("003", 0, "“信息化实战警务”成果丰硕"),
    ("003", 1, "倡导“六大文明交通行为”"),  # the public notice at the page's foot, its six rules
    ("004", 0, "荆门公安“三大警务”打造平安常态"),
]
INFERRED = {("000", 0), ("000", 1)}


@pytest.fixture(scope="module")
def articles(seeds: dict[str, str]):
    return [a for name in sorted(seeds) for a in segment_file(name, seeds[name])]


def by_key(articles, prefix: str, ordinal: int):
    return next(a for a in articles if a.source.startswith(prefix) and a.ordinal == ordinal)


# ---------------------------------------------------------------- sentences


def test_split_on_chinese_stops() -> None:
    assert split_sentences("民警赶到。嫌疑人跑了！怎么办？先追；再说") == [
        "民警赶到。",
        "嫌疑人跑了！",
        "怎么办？",
        "先追；",
        "再说",
    ]


def test_no_split_inside_quotes() -> None:
    text = "他说：“今天不去防范。明天就要破案！”这是他的口头禅。"
    assert split_sentences(text) == ["他说：“今天不去防范。明天就要破案！”", "这是他的口头禅。"]


def test_closing_quote_stays_with_sentence() -> None:
    text = "“两名嫌疑对象已被逮住。”指挥中心下达了指令。"
    assert split_sentences(text) == ["“两名嫌疑对象已被逮住。”", "指挥中心下达了指令。"]


def test_quote_and_its_speaker_are_one_sentence() -> None:
    text = "“嫌疑人反侦察意识很强。”唐海钢说，专案组制定了措施。“只要有需要，我们就去。”队长扎西说。"
    assert split_sentences(text) == ["“嫌疑人反侦察意识很强。”唐海钢说，专案组制定了措施。", "“只要有需要，我们就去。”队长扎西说。"]
    # 据…介绍 opens a sentence of its own
    assert split_sentences("“作用十分明显。”据工作人员介绍，已破案170余起。") == ["“作用十分明显。”", "据工作人员介绍，已破案170余起。"]


def test_quoted_word_inside_sentence() -> None:
    assert split_sentences("组织“五支队伍”参与巡逻。同时加强防控。") == [
        "组织“五支队伍”参与巡逻。",
        "同时加强防控。",
    ]


def test_unbalanced_quote_falls_back_to_plain_split() -> None:
    assert split_sentences("领导告诉笔者：“为企业办事。要做好服务。") == [
        "领导告诉笔者：“为企业办事。",
        "要做好服务。",
    ]


def test_empty_pieces_dropped() -> None:
    assert split_sentences("好。。  ") == ["好。。"]
    assert split_sentences("") == []


# ---------------------------------------------------------------- agencies and places


def test_find_agencies_chains_and_short_forms() -> None:
    text = "这是前几天海曙公安分局鼓楼派出所民警抓获的。据鼓楼派出所介绍，依托分局平台，派出所民警出动。"
    assert find_agencies(text) == ["海曙公安分局鼓楼派出所", "鼓楼派出所"]


def test_find_agencies_multi_level() -> None:
    text = "荆门市公安局东宝分局龙泉派出所所长说。济宁市公安局市中分局认真贯彻。市公安局110情报指挥中心接警。"
    assert find_agencies(text) == [
        "荆门市公安局东宝分局龙泉派出所",
        "济宁市公安局市中分局",
        "市公安局110情报指挥中心",
    ]


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("郑州市公安局交警支队民警在路口执勤。", ["郑州市公安局交警支队"]),
        ("公安部部署专项行动，江苏省公安厅随即召开会议。", ["公安部", "江苏省公安厅"]),
        ("重庆交巡警在路口救下老人。", ["重庆交巡警"]),
        ("成都市公安局巡特警支队民警赶到。", ["成都市公安局巡特警支队"]),
        ("市110指挥中心接到报警。", ["市110指挥中心"]),
        ("广州市公安局天河分局刑侦大队破案。", ["广州市公安局天河分局刑侦大队"]),
        ("昆明市公安交警部门提醒。", ["昆明市公安交警部门"]),
    ],
)
def test_find_agencies_beyond_bureaus(text: str, agencies: list[str]) -> None:
    assert find_agencies(text) == agencies


def test_bare_city_bureau_inherits_the_city_the_page_names() -> None:
    raw = "# 徐州警方破获盗窃案\n\n本报讯 近日，徐州市发生一起盗窃案。市公安局迅速出警，市公安局民警抓获嫌疑人。"
    (art,) = segment_file("x.txt", raw)
    assert (art.agency, art.place) == ("徐州市公安局", "徐州")


def test_pick_agency_expands_short_form() -> None:
    text = "《新昌县公安局办法》出台。县公安局开展工作。县公安局推出举措。澄潭派出所破案。"
    assert pick_agency(text) == "新昌县公安局"


@pytest.mark.parametrize(
    ("agency", "place"),
    [
        ("海曙公安分局鼓楼派出所", "海曙"),
        ("济宁市公安局市中分局", "济宁市中"),
        ("济宁市公安局任城分局", "任城"),
        ("金乡县公安局兴隆派出所", "金乡"),
        ("荆门市公安局", "荆门"),
        ("市公安局", None),
        ("兴隆派出所", None),
        ("广州市公安局天河分局", "天河"),
        ("广州市公安局", "广州"),
        ("郑州市公安局交警支队", "郑州"),
        ("徐州交警支队", "徐州"),
        ("杭州市公安局", "杭州"),
        ("湘西州公安局", "湘西"),
        ("江苏省公安厅", "江苏"),
        ("公安部", None),
    ],
)
def test_place_of_agency(agency: str, place: str | None) -> None:
    assert place_of_agency(agency) == place


# ---------------------------------------------------------------- boundaries


def test_h1_starts_article_and_lower_headings_are_sections() -> None:
    raw = "# 大标题\n\n正文一。\n\n## 小节\n\n正文二。\n\n# 另一篇\n\n正文三。"
    arts = segment_file("x.txt", raw)
    assert [(a.title, a.paragraphs) for a in arts] == [
        ("大标题", ["正文一。", "正文二。"]),
        ("另一篇", ["正文三。"]),
    ]


def test_heading_followed_by_byline_starts_article() -> None:
    raw = "# 主稿\n\n正文一。\n\n### 简讯标题\n\n□ 记者 尹彤\n\n简讯正文。"
    arts = segment_file("x.txt", raw)
    assert [a.title for a in arts] == ["主稿", "简讯标题"]
    assert arts[1].byline == "记者 尹彤"


def test_marked_byline_before_heading_belongs_to_next_article() -> None:
    raw = "# 主稿\n\n□ 记者 甲乙\n\n正文一。\n\n□ 记者 丙丁 报道\n\n### 简讯\n\n简讯正文。"
    arts = segment_file("x.txt", raw)
    assert [(a.title, a.byline) for a in arts] == [("主稿", "记者 甲乙"), ("简讯", "记者 丙丁")]


def test_closing_byline_ends_article_and_untitled_text_gets_inferred_title() -> None:
    raw = "正文一，海曙公安分局开展行动。\n\n记者 张贻富\n\n今年队伍教育整顿开展以来，市公安局推进工作。"
    arts = segment_file("x.txt", raw)
    assert len(arts) == 2
    assert arts[0].byline == "记者 张贻富"
    assert arts[1].title_inferred
    assert arts[1].title == "市公安局：今年队伍教育整顿开展以来"


def test_plain_heading_sections_stay_in_one_article() -> None:
    raw = (
        "荆门公安打造平安常态\n\n荆门市公安局政治部 杨奎\n\n"
        "一张成绩单传递新态度\n\n正文一。\n\n一颗智慧大脑引领新风尚\n\n正文二。"
    )
    arts = segment_file("x.txt", raw)
    assert len(arts) == 1
    assert arts[0].title == "荆门公安打造平安常态"
    assert arts[0].paragraphs == ["正文一。", "正文二。"]
    assert arts[0].byline == "荆门市公安局政治部 杨奎"


# ---------------------------------------------------------------- seeds


def test_seed_articles_pinned(articles) -> None:
    got = [(a.source[:3], a.ordinal, a.title) for a in articles]
    assert got == EXPECTED_ARTICLES


def test_seed_inferred_flags(articles) -> None:
    assert {(a.source[:3], a.ordinal) for a in articles if a.title_inferred} == INFERRED


def test_every_seed_article_has_sentences(articles) -> None:
    for a in articles:
        assert a.sentences, a.key
        assert [s.position for s in a.sentences] == list(range(len(a.sentences)))
        assert all(0 <= s.paragraph < len(a.paragraphs) for s in a.sentences)


def test_captions_are_not_titles_or_body(articles) -> None:
    titles = {a.title for a in articles}
    assert "应急处突演练" not in titles
    assert not any("荆门市公安局大数据实战应用中心" in t for t in titles)
    bodies = "\n".join(a.text for a in articles)
    assert "\n应急处突演练\n" not in bodies
    assert "荆门市公安局大数据实战应用中心。" not in bodies


def test_section_headings_not_in_body(articles) -> None:
    body = by_key(articles, "003", 0).text
    assert "不管大案小案 都是多警种联合快侦快破" not in body
    assert "马云" in body  # the lead printed above the headline belongs to the feature


def test_seed_agency_and_place(articles) -> None:
    assert "鼓楼派出所" in (by_key(articles, "000", 0).agency or "")
    assert by_key(articles, "000", 0).place == "海曙"
    assert by_key(articles, "001", 0).agency == "济宁市公安局市中分局"
    assert by_key(articles, "001", 1).place == "金乡"
    assert by_key(articles, "001", 6).place == "任城"
    assert by_key(articles, "003", 0).place == "新昌"
    assert by_key(articles, "003", 0).agency == "新昌县公安局"
    assert by_key(articles, "004", 0).agency == "荆门市公安局"
    assert by_key(articles, "004", 0).place == "荆门"


def test_seed_bylines(articles) -> None:
    assert by_key(articles, "000", 0).byline == "记者 张贻富 通讯员 段晓鹏 董小燕"
    assert by_key(articles, "001", 7).byline == "记者 尹彤 通讯员 梅双庆"
    assert by_key(articles, "002", 3).byline == "通讯员 吕倍思 邵佳铭 摄"


def test_keys_stable_across_runs(seeds: dict[str, str]) -> None:
    def run() -> list[tuple[str, str, list[str]]]:
        return [(a.key, a.title, a.paragraphs) for n in sorted(seeds) for a in segment_file(n, seeds[n])]

    assert run() == run()
    assert len({k for k, _, _ in run()}) == len(EXPECTED_ARTICLES)


@given(st.text(alphabet="民警抓获名起。！？；“”‘’，12", max_size=60))
def test_split_sentences_loses_nothing(paragraph: str) -> None:
    pieces = split_sentences(paragraph)
    assert "".join(pieces) == paragraph
    assert all(pieces)


def test_a_credit_under_a_later_heading_signs_off_a_story_of_its_own() -> None:
    page = (
        "雁塔警方抓获一名命案逃犯\n\n本报记者 张博\n\n6月3日，雁塔分局抓获逃犯刘某。\n\n目前，案件正在侦办中。\n\n"
        "图为民警押解刘某。\n\n宝鸡警方破获一起集资案\n\n近日，宝鸡市公安局破获一起集资案。\n\n"
        "警方提醒，切勿轻信高额回报。（记者 周宁）"
    )
    first, second = segment_file("p.txt", page)
    assert (first.title, first.byline) == ("雁塔警方抓获一名命案逃犯", "本报记者 张博")
    assert (second.title, second.byline, second.place) == ("宝鸡警方破获一起集资案", "记者 周宁", "宝鸡")
    assert [s.text for s in second.sentences] == ["近日，宝鸡市公安局破获一起集资案。", "警方提醒，切勿轻信高额回报。"]


def test_briefs_each_under_a_headline_are_stories_and_sections_stay_sections() -> None:
    briefs = (
        "骗婚男子落网\n\n近日，铁东分局破获一起诈骗案，抓获陈某。（通讯员 宋佳）\n\n"
        "外卖小哥拾金不昧\n\n5月20日，外卖骑手小刘捡到钱包交给民警。\n\n"
        "民警劝阻一起刷单诈骗\n\n5月21日，太和分局民警劝阻一起刷单诈骗。"
    )
    assert [a.title for a in segment_file("b.txt", briefs)] == ["骗婚男子落网", "外卖小哥拾金不昧", "民警劝阻一起刷单诈骗"]
    story = (
        "荆门公安打造平安常态\n\n记者 张三\n\n荆门市公安局推进三大警务。\n\n一封外省来函解密荆门平安新常态\n\n"
        "外省公安发来公函致谢荆门。\n\n昌吉交警把课堂搬到田间\n\n昌吉市公安局交警大队开展宣传。"
    )
    assert [a.title for a in segment_file("s.txt", story)] == ["荆门公安打造平安常态", "昌吉交警把课堂搬到田间"]


def test_a_story_resumes_after_a_brief_set_into_its_column() -> None:
    page = (
        "都匀警方捣毁一个赌博团伙\n\n剑江日报讯（通讯员 罗敏）7月1日，都匀市公安局侦破一起赌博案。\n\n"
        "经过缜密侦查，专案组查清了团伙结构。6月中旬，专案组赴广西，成功将\n\n龙里森林警察开展专项检查\n\n近日，龙里县公安局森林警察大队开展检查。"
        "（龙里公宣）\n\n杨某等23名犯罪嫌疑人抓获。\n\n目前，杨某等人已被刑事拘留。"
    )
    story, brief = segment_file("p.txt", page)
    assert (story.title, story.byline, brief.title, brief.byline) == (
        "都匀警方捣毁一个赌博团伙", "通讯员 罗敏", "龙里森林警察开展专项检查", "龙里公宣"
    )
    assert story.sentences[-2].text == "6月中旬，专案组赴广西，成功将杨某等23名犯罪嫌疑人抓获。"
    assert story.sentences[-1].text == "目前，杨某等人已被刑事拘留。"


def test_brief_headlines_over_their_first_line_and_a_question_headline() -> None:
    page = (
        "涿州警方破获一起入室盗窃案\n近日，涿州市公安局双塔派出所破获一起盗窃案。\n\n"
        "迁安：预警劝阻挽损超120万元\n今年8月以来，迁安市公安局反诈中心推送预警2100余条。（迁安公宣）\n\n"
        "网购退款还要先交“保证金”？\n\n本报记者 高志远\n\n3月13日，小店区的刘女士接到诈骗电话。"
    )
    assert [(a.title, a.byline) for a in segment_file("b.txt", page)] == [
        ("涿州警方破获一起入室盗窃案", None),
        ("迁安：预警劝阻挽损超120万元", "迁安公宣"),
        ("网购退款还要先交“保证金”？", "本报记者 高志远"),
    ]


def test_a_story_broken_off_to_another_column_is_taken_up_again() -> None:
    page = (
        "桐城警方侦破一起盗窃积案\n\n5月3日，桐城市公安局侦破一起15年前的盗窃案。\n"
        "2009年，城关镇一家金店被盗，案件一直未破。\n（下转第三栏）\n\n"
        "怀宁交警查处酒驾12起\n\n5月1日至5日，怀宁县公安局交警大队查处酒驾12起。\n（记者 周文）\n\n"
        "（上接第一栏）\n今年4月，专案组比对发现线索，将犯罪嫌疑人王某抓获。\n（通讯员 梁军）"
    )
    arts = segment_file("p.txt", page)
    assert [a.title for a in arts] == ["桐城警方侦破一起盗窃积案", "怀宁交警查处酒驾12起"]
    assert arts[0].sentences[-1].text == "今年4月，专案组比对发现线索，将犯罪嫌疑人王某抓获。"
    assert (arts[0].byline, arts[1].byline) == ("通讯员 梁军", "记者 周文")
    assert "下转" not in arts[0].text and "上接" not in arts[0].text


def test_a_word_before_a_divisions_full_name_is_no_part_of_the_agency() -> None:
    assert find_agencies("——记阆中市公安局保宁派出所民警张涛") == ["阆中市公安局保宁派出所"]


def test_items_a_column_opens_with_a_mark_or_a_number_stand_apart_without_blank_lines() -> None:
    """■近日，… and 2. 5月15日，… after a finished sentence open briefs of their own; the column's
    label (法治快讯) over them names no story; a numbered step inside a story stays in it."""
    page = (
        "城南交警护航中考\n本报记者 李明\n6月10日，城南交警大队出动警力80人次，\n为全区考生护航。大队采取三项措施：\n"
        "1.加强考点周边巡逻；\n2.设置临时停车区。\n考试期间未发生交通事故。\n法治快讯\n"
        "■近日，东湖派出所民警在巡逻中救助一名走失老人，两小时后\n将其送回家中。\n"
        "■5月30日，西山分局开展防溺水宣传，覆盖学生1.2万余人。\n"
        "3. 北塘县公安局日前破获一起盗窃案，抓获\n嫌疑人2名。\n"
    )
    articles = segment_file("p.txt", page)
    firsts = [a.sentences[0].text for a in articles]
    assert len(articles) == 4, firsts
    assert "设置临时停车区" in articles[0].text and "法治快讯" not in " ".join(a.text + a.title for a in articles)
    assert firsts[1].startswith("近日，东湖派出所") and firsts[2].startswith("5月30日") and firsts[3].startswith("北塘县公安局")


def test_a_bracketed_place_dates_a_brief_and_a_credit_may_end_its_headline_line() -> None:
    """【三亚】7月30日，… files a brief from 三亚 (【提醒】 names no place); a headline with its credit
    at the line's end (…窝点      记者 韦丽萍) is a headline and a byline; a weather box is furniture."""
    page = (
        "警讯\n\n海棠湾警方破获一起酒店盗窃案\n【三亚】7月30日，三亚市公安局海棠分局破获一起盗窃案，抓获嫌疑人1名。\n\n"
        "青秀警方端掉一电诈窝点          记者 韦丽萍\n近日，南宁市公安局青秀分局打掉一个窝点，抓获嫌疑人5名。\n\n"
        "今日天气\n南宁  雷阵雨  25℃~33℃\n"
    )
    first, second = segment_file("p.txt", page)
    assert (first.title, first.place, first.dateline) == ("海棠湾警方破获一起酒店盗窃案", "海棠", "【三亚】")
    assert first.sentences[0].text.startswith("7月30日")
    assert (second.title, second.byline) == ("青秀警方端掉一电诈窝点", "记者 韦丽萍")
    assert "℃" not in second.text


def test_a_headline_may_ask_before_it_answers_and_a_story_may_resume_mid_line() -> None:
    page = (
        "（上接第1版）以“免费体检”为诱饵，吸引老人到店听课。目前，周某等人已被刑事拘留。\n\n"
        "谁动了我的电瓶？民警：蹲守三晚揪出“夜行侠”\n\n记者 彭湘\n\n"
        "10月上旬，岳麓区某小区多名居民报警，称电动车电瓶接连被盗。民警蹲守三晚将嫌疑人抓获。\n"
    )
    resumed, asked = segment_file("p.txt", page)
    assert resumed.sentences[0].text.startswith("以“免费体检”为诱饵")
    assert (asked.title, asked.byline) == ("谁动了我的电瓶？民警：蹲守三晚揪出“夜行侠”", "记者 彭湘")


def test_a_headline_stack_run_under_the_page_furniture_heads_its_story() -> None:
    """No blank line anywhere: the masthead and editors' line, then a kicker longer than most, the
    headline and a deck with figures, over the byline (whether the first line is a kicker or half
    the headline, writers differ; it is no masthead and no text)."""
    page = (
        "某某法治报\n2024年6月4日 星期二\n责任编辑：高建民  校对：王妮\n"
        "以“高额返利”为诱饵骗取老人钱财\n雁塔警方打掉一个非法集资诈骗团伙\n涉案金额3000余万元，抓获嫌疑人16名\n"
        "□ 记者 杨帆\n近日，西安市公安局雁塔分局侦破一起非法吸收公众存款案。目前，案件正在侦办中。\n"
    )
    (story,) = segment_file("p.txt", page)
    assert story.title.endswith("雁塔警方打掉一个非法集资诈骗团伙") and story.byline == "记者 杨帆"
    assert story.sentences[0].text.startswith("近日") and "责任编辑" not in story.title
