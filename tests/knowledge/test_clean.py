"""Cleaning rules, each on a literal example, plus invariants on the real seeds."""

from __future__ import annotations

import pytest

from knowledge.clean import (
    clean_body,
    clean_heading,
    clean_lines,
    clean_text,
    convert_ascii_punct,
    is_byline,
    repair_doubled,
)


def kinds(raw: str) -> list[tuple[str, str]]:
    return [(ln.kind, ln.text) for ln in clean_lines(raw)]


def test_wrapped_lines_join_without_space() -> None:
    raw = "清晨6点，一辆面包车开到江北湾头大桥附\n近的路口等红灯。"
    assert clean_text(raw) == "清晨6点，一辆面包车开到江北湾头大桥附近的路口等红灯。"


def test_blank_line_is_paragraph_break_after_sentence_end() -> None:
    raw = "第一段结束了，真的结束了。\n\n第二段开始了，继续说下去。"
    assert clean_text(raw) == "第一段结束了，真的结束了。\n\n第二段开始了，继续说下去。"


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("扫黑除恶专项斗争开始后，鼓楼派出所调派专门\n\n警力，排摸出恒隆中心。", "调派专门警力，排摸出"),
        ("“饿了么”员工。”唐海钢说，专案组为此制定了具体的\n\n侦查措施，采取线上追踪。", "具体的侦查措施"),
        (
            "讲清讲透政策，持续释放“主动查与被动查不一样”\n\n“部分交代与全部交代不一样”的信号。",
            "不一样”“部分交代",
        ),
        ("截至目前，全县已经安装视频监控10474只，今明两\n\n年将新增4000只。", "今明两年将新增"),
    ],
)
def test_mid_sentence_blank_line_is_joined(raw: str, joined: str) -> None:
    text = clean_text(raw)
    assert joined in text
    assert "\n" not in text


def test_sentence_opener_after_truncated_paragraph_is_not_joined() -> None:
    raw = "信息化实战中心打破警种壁垒，提升对案件的攻坚能\n\n今年1月，县公安局澄潭派出所民警赶到现场。"
    assert clean_text(raw).count("\n\n") == 1


def test_spaces_next_to_cjk_are_removed_in_body() -> None:
    body = clean_body("信息化实战警 务 2016 年 1-10 月份,受理刑事案件 1336 起,同比下降 28.78%")
    assert body == "信息化实战警务2016年1-10月份，受理刑事案件1336起，同比下降28.78%"


def test_latin_words_keep_their_space() -> None:
    assert clean_body("使用 New York 模式") == "使用New York模式"


def test_heading_keeps_inner_space() -> None:
    assert clean_heading("一个反诈电话  挽回12万元") == "一个反诈电话 挽回12万元"


def test_fullwidth_digits_normalized_chinese_punct_kept() -> None:
    assert (
        clean_text("今年抓获１２名嫌疑人，破案３起（含２起积案）。")
        == "今年抓获12名嫌疑人，破案3起（含2起积案）。"
    )


def test_ascii_punct_between_cjk_becomes_chinese() -> None:
    assert convert_ascii_punct("近日,刘生(化名)称:如何处置?好!") == "近日，刘生（化名）称：如何处置？好！"


def test_ascii_punct_between_digits_is_kept() -> None:
    assert convert_ascii_punct("共1,336起，时间10:30") == "共1,336起，时间10:30"


def test_straight_quotes_become_curly() -> None:
    assert clean_body('这就是"信息化实战警务"战略。') == "这就是“信息化实战警务”战略。"


def test_heading_with_lost_opening_quote_is_repaired() -> None:
    assert clean_heading('信息化实战警务"成果丰硕') == "“信息化实战警务”成果丰硕"


def test_markdown_marks_are_not_text() -> None:
    raw = "# 标题在这里\n\n□ 记者 尹彤\n\n**本报金乡讯** 7月22日中午，派出所接警。"
    assert kinds(raw) == [
        ("heading", "标题在这里"),
        ("byline", "记者 尹彤"),
        ("dateline", "本报金乡讯"),
        ("paragraph", "7月22日中午，派出所接警。"),
    ]


def test_inline_dateline_with_byline() -> None:
    raw = "本报讯(通讯员 应晨悦)近日,店主周先生接到电话。"
    assert kinds(raw) == [
        ("dateline", "本报讯"),
        ("byline", "通讯员 应晨悦"),
        ("paragraph", "近日，店主周先生接到电话。"),
    ]


def test_editor_credit_and_inline_editor_note_are_furniture() -> None:
    raw = "责编: 吕建刚 联系电话: 13967586970 校对: 俞伟波\n\n抓获逃犯1名。(本文编辑:董园园)"
    assert clean_text(raw) == "抓获逃犯1名。"


def test_a_public_notice_listing_what_it_asks_is_a_story_of_its_own() -> None:
    raw = (
        "县公安局推出新举措，效果明显。\n\n\n关爱生命 文明出行\n\n"
        '"讲文明 树新风"公益广告\n\n倡导"六大文明交通行为"\n\n'
        "机动车礼让斑马线 机动车有序停放 行人/非机动车各行其道 机动车按序排队通行 文明使用车灯"
    )
    assert kinds(raw)[1:] == [
        ("heading", "倡导“六大文明交通行为”"),
        ("paragraph", "机动车礼让斑马线、机动车有序停放、行人/非机动车各行其道、机动车按序排队通行、文明使用车灯。"),
    ]  # its slogans (公益广告) left out


def test_an_ad_with_nothing_after_it_is_dropped() -> None:
    raw = "县公安局推出新举措，效果明显。\n\n\n关爱生命 文明出行\n\n“讲文明 树新风”公益广告"
    assert clean_text(raw) == "县公安局推出新举措，效果明显。"


def test_page_label_before_heading_is_furniture() -> None:
    raw = "正文一句话说完了。\n\n今日新昌\n\n加强精细化管理 全面深化队伍正规建设\n\n正文。"
    assert "今日新昌" not in clean_text(raw)


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        ("数字化数字化改革改革", "数字化改革"),
        ("平安平安建设建设", "平安建设"),
        ("天天向上", None),
        ("一点一点", None),
    ],
)
def test_doubled_header_repair(line: str, repaired: str | None) -> None:
    assert repair_doubled(line) == repaired


def test_marked_byline_is_flagged_as_opening() -> None:
    assert clean_lines("□ 记者 尹彤")[0].level == 1


def test_doubled_header_becomes_kicker() -> None:
    assert kinds(" 数字化数字化改革改革\n\n正文开始了。")[0] == ("kicker", "数字化改革")


def test_replacement_characters_dropped() -> None:
    assert clean_text("民警\ufffd迅速赶到。") == "民警迅速赶到。"


@pytest.mark.parametrize(
    "line",
    [
        "记者 张贻富",
        "通讯员 段晓鹏 董小燕",
        "通讯员 吕倍思 邵佳铭 摄",
        "荆门市公安局政治部 杨奎",
        "本报记者 美国乐 尹彤",
    ],
)
def test_bylines_detected(line: str) -> None:
    assert is_byline(line)


@pytest.mark.parametrize("line", ["第三次夏夜 治安巡查", "群众暴走健身 公安规范指导", "“延时服务” 受青睐"])
def test_headlines_are_not_bylines(line: str) -> None:
    assert not is_byline(line)


def test_short_standalone_sentence_is_caption() -> None:
    raw = "民警赶到了现场，处置完毕。\n\n\n\n荆门市公安局大数据实战应用中心。\n\n中心运行良好，成效明显。"
    assert ("caption", "荆门市公安局大数据实战应用中心。") in kinds(raw)


# ---------------------------------------------------------------- real seeds


def test_seeds_have_no_markup_or_furniture(seeds: dict[str, str]) -> None:
    for name, raw in seeds.items():
        text = clean_text(raw)
        for bad in ("#", "□", "**", "责编", "\ufffd", "公益广告", "本文编辑"):
            assert bad not in text, (name, bad)


def test_seed_paragraphs_are_single_lines(seeds: dict[str, str]) -> None:
    for raw in seeds.values():
        assert all(part and "\n" not in part for part in clean_text(raw).split("\n\n"))


def test_seed_003_repairs(seed_by_prefix) -> None:
    _, raw = seed_by_prefix("003")
    text = clean_text(raw)
    assert "信息化实战警务" in text
    assert "“信息化实战警务”成果丰硕" in text
    assert "同比下降28.78%" in text
    assert "今日新昌" not in text


def test_seed_000_joins_split_paragraphs(seed_by_prefix) -> None:
    _, raw = seed_by_prefix("000")
    text = clean_text(raw)
    assert "鼓楼派出所调派专门警力" in text
    assert "制定了具体的侦查措施" in text
    assert "数字化改革" in text and "数字化数字化" not in text


def test_seed_002_keeps_chinese_punctuation(seed_by_prefix) -> None:
    _, raw = seed_by_prefix("002")
    text = clean_text(raw)
    assert "近日，市公安局" in text
    assert "刘生（化名）" in text
    assert "," not in text.replace("1,", "")


@pytest.mark.parametrize(
    "line",
    [
        "上饶日报社出版  新闻热线：0793-8221110",
        "天水日报社出版 国内统一连续出版物号：CN62-0016",
        "法治导报网 www.fzdb.com.cn",
        "高原都市报数字版epaper.gydsb.cn",
        "BAOTOU DAILY",
    ],
)
def test_a_page_imprint_is_furniture(line: str) -> None:
    assert kinds(f"抓获嫌疑人5名。\n\n{line}") == [("paragraph", "抓获嫌疑人5名。")]  # furniture is left out


@pytest.mark.parametrize("line", ["▲高唐县公安局民警在社区开展反诈宣传。", "亚布力派出所民警上门为卧床老人办理身份证。（资料图）"])
def test_marked_captions_are_captions(line: str) -> None:
    assert kinds(f"抓获嫌疑人5名。\n\n{line}")[1] == ("caption", line)


def test_a_credit_signing_off_keeps_its_spaced_names() -> None:
    assert kinds("警方提醒，切勿轻信。（记者 周宁）") == [("paragraph", "警方提醒，切勿轻信。"), ("byline", "记者 周宁")]


def test_an_outlet_in_latin_letters_glued_to_its_name_is_part_of_a_byline() -> None:
    assert is_byline("看看新闻Knews 记者 沈佳")
    assert not is_byline("看看新闻Knews 沈佳说")


def test_boxes_jump_marks_and_run_in_headlines() -> None:
    assert kinds("╔════════╗\n警方在线\n╚════════╝\n\n┌────┐\n热线：0577-88123456\n└────┘") == [("heading", "警方在线")]
    assert kinds("抓获嫌疑人5名。\n\n（下转第三栏）") == [("paragraph", "抓获嫌疑人5名。"), ("jump", "（下转第三栏）")]
    assert kinds("（上接第一栏）\n抓获嫌疑人5名。")[0] == ("jump", "（上接第一栏）")
    assert clean_text("抓获嫌疑人5名。\n\n（下转第三栏）") == "抓获嫌疑人5名。"  # no part of the text
    assert kinds("■泾县破获一起非法捕捞案　8月9日，泾县公安局接到群众举报。") == [
        ("heading", "泾县破获一起非法捕捞案"),
        ("paragraph", "8月9日，泾县公安局接到群众举报。"),
    ]


def test_a_headline_over_its_dashed_subtitle_and_a_dated_credit() -> None:
    got = kinds("藏毒“快递”刚到驿站就被截\n——于都警方破获一起贩毒案\n\n本报保山6月3日电（记者 段雪梅）保山市公安局破获一案。")
    assert got[:2] == [("heading", "藏毒“快递”刚到驿站就被截"), ("deck", "——于都警方破获一起贩毒案")]
    assert ("byline", "记者 段雪梅") in got and ("paragraph", "保山市公安局破获一案。") in got
    assert is_byline("记者 杨帆 通讯 员 张磊")


def test_a_headline_wrapped_over_the_first_line_of_its_story_stands_apart() -> None:
    page = "桐城警方侦破一起\n15年前盗窃积案\n5月3日，随着犯罪嫌疑人王某落网，\n桐城市公安局侦破一起积案。"
    assert kinds(page) == [
        ("heading", "桐城警方侦破一起15年前盗窃积案"),
        ("paragraph", "5月3日，随着犯罪嫌疑人王某落网，桐城市公安局侦破一起积案。"),
    ]
    # lines that fill the column are a paragraph's, whatever line follows
    assert kinds("民警连续走访辖区商户和沿街的店铺\n截至目前共走访辖区企业和商户\n5月3日，又新增10户。")[0][0] == "paragraph"
    stack = "为群众办实事\n平罗户籍窗口推出“跨省通办”\n群众办事平均少跑2次\n记者 马静 通讯员 杨军\n今年以来，平罗县公安局推行户籍业务通办。"
    assert kinds(stack)[:3] == [("kicker", "为群众办实事"), ("heading", "平罗户籍窗口推出“跨省通办”"), ("deck", "群众办事平均少跑2次")]


def test_a_long_kicker_with_a_comma_over_a_headline_that_a_story_follows() -> None:
    page = "开学第一周，“护学岗”每天早晚两次上岗\n城关交警查处违停车辆46辆\n\n9月1日至7日，城关交警大队在校园周边查处违停车辆46辆。"
    assert kinds(page)[:2] == [("kicker", "开学第一周，“护学岗”每天早晚两次上岗"), ("heading", "城关交警查处违停车辆46辆")]


def test_a_masthead_is_measured_without_the_gaps_between_its_parts() -> None:
    head = "皖西日报·社会" + " " * 40 + "2025年3月4日  星期二"
    assert kinds(f"{head}\n\n抓获嫌疑人5名。") == [("paragraph", "抓获嫌疑人5名。")]


def test_a_headline_set_upright_a_character_a_line_is_a_headline() -> None:
    page = "抓获嫌疑人5名。\n\n\n雪\n夜\n寻\n人\n记\n\n——3名游客获救\n文/图 本报通讯员 和建新\n\n10月30日，特警大队接到指令。"
    assert kinds(page)[1:4] == [("heading", "雪夜寻人记"), ("deck", "——3名游客获救"), ("byline", "文/图 本报通讯员 和建新")]


def test_a_credit_boxed_with_a_black_square_is_a_byline() -> None:
    page = "一份DNA比对报告\n揭开13年前的命案真相\n■本报记者 杨丽 通讯员 段刚\n\n10月28日，刑侦大队侦破一起命案。"
    assert ("byline", "本报记者 杨丽 通讯员 段刚") in kinds(page)


def test_a_brief_headline_in_brackets_run_in_before_its_text() -> None:
    assert kinds("【户籍窗口推出“周末不打烊”服务】为方便群众，户政大队推出周末服务。")[:2] == [
        ("heading", "户籍窗口推出“周末不打烊”服务"),
        ("paragraph", "为方便群众，户政大队推出周末服务。"),
    ]


@pytest.mark.parametrize("head", ["“断卡”行动满一年，\n顺庆警方打掉涉卡团伙23个", "古城里的“5分钟”：\n平遥警方让游客求助更快"])
def test_a_headline_broken_at_its_comma_or_colon_is_one_headline(head: str) -> None:
    assert kinds(f"{head}\n\n通讯员 侯建斌\n\n4月8日，民警抓获嫌疑人5名。")[0] == ("heading", head.replace("\n", ""))


def test_photographer_after_writer_is_a_byline() -> None:
    assert is_byline("文/梁宇 图/农志刚")
    assert is_byline("文/吴昊 图/桐梓县公安局")


def test_a_masthead_over_five_short_lines_is_furniture() -> None:
    page = "8\n邢襄晚报\n2024年10月15日 星期二\n平安邢台\n责任编辑：郝立群  美编：张璐\n\n“反诈回访”守住群众钱袋子\n记者 郝立群\n\n10月12日，宁晋县公安局劝阻群众8700余人次。"
    assert kinds(page)[0][0] != "paragraph" and "邢襄晚报" not in clean_text(page)


def test_headline_lines_over_a_dateline_stand_apart() -> None:
    page = "新生儿落户“一件事”联办\n晋源户政窗口最快20分钟办结\n本报讯 4月起，晋源分局推行新生儿落户联办。"
    assert [k for k, _ in kinds(page)][:2] in (["kicker", "heading"], ["heading", "deck"], ["heading", "dateline"])
    assert kinds(page)[-1] == ("paragraph", "4月起，晋源分局推行新生儿落户联办。")


def test_a_page_without_blank_lines_starts_a_story_at_a_headline_over_its_opening() -> None:
    page = (
        "专案组在天津、江西等地\n开展集中收网，抓获嫌疑\n人42名。目前，案件正在\n进一步侦办中。\n"
        "滨海新区\n身份证办理\n实现“全城通办”\n记者昨天从天津市公安局\n滨海分局获悉，群众可就\n近办理身份证。"
    )
    got = kinds(page)
    assert got[0] == ("paragraph", "专案组在天津、江西等地开展集中收网，抓获嫌疑人42名。目前，案件正在进一步侦办中。")
    assert ("heading", "身份证办理") in got and got[-1] == ("paragraph", "记者昨天从天津市公安局滨海分局获悉，群众可就近办理身份证。")


def test_markdown_pictures_reporters_credits_and_short_datelines() -> None:
    assert kinds("抓获嫌疑人5名。\n\n![](images/p4_01.jpg)") == [("paragraph", "抓获嫌疑人5名。")]
    assert kinds("晚报讯（记者 邢宇）5月18日凌晨，民警抓获一名男子。")[:2] == [("dateline", "晚报讯"), ("byline", "记者 邢宇")]
    assert kinds("本报通讯员 吴燕 记者 孙杰")[0][0] == "byline"  # 本报通讯员 is no 本报X讯


@pytest.mark.parametrize("label", ["〓警界风采〓", "〖民生警务〗", "《反诈课堂》"])
def test_a_column_label_in_brackets_on_a_line_of_its_own_is_a_kicker(label: str) -> None:
    page = f"{label}\n“海上110”陈依水\n\n本报记者 陈敏\n\n近日，民警救起落水渔民。"
    assert kinds(page)[0] == ("kicker", label[1:-1])


def test_a_kicker_a_headline_on_two_lines_and_its_subtitle() -> None:
    page = "▍以案为鉴\n\n以“免费体检”为诱饵\n九龙坡警方打掉一个\n养老诈骗团伙\n——抓获嫌疑人19名\n\n记者9月13日从九龙坡区公安分局获悉。"
    assert kinds(page)[:3] == [
        ("kicker", "以“免费体检”为诱饵"),
        ("heading", "九龙坡警方打掉一个养老诈骗团伙"),
        ("deck", "——抓获嫌疑人19名"),
    ]  # ▍以案为鉴: a column's name, left out
