"""Column-order seams on invented pages: repaired where the page shows the order, else flagged.

An OCR'd page loses the rest of a paragraph where a column ends; reading on would splice another
text onto it (警务跟2013年2月…). The cut sentence stays in the article's text, flagged ``cut``,
and the engine's view leaves it out so no answer quotes it.
"""

from __future__ import annotations

from pathlib import Path

from bot.engine import Engine
from knowledge.clean import is_seam
from knowledge.segment import segment_file

HEAD = "城东派出所推行网格化巡逻\n\n本报记者 林晓\n\n"


def _sentences(body: str) -> list[tuple[str, bool]]:
    (article,) = segment_file("page.txt", HEAD + body)
    return [(s.text, s.cut) for s in article.sentences]


def test_a_seam_inside_wrapped_lines_splits_and_flags_the_cut_sentence() -> None:
    body = (
        "今年以来，城东派出所在辖区推行网格化巡逻，民警每天分三班巡查重点\n"
        "区域，提升对突发警情的处置能\n"
        "今年3月，派出所又在商圈设立了两个警务站，群众办事更加方便。\n"
    )
    assert _sentences(body) == [
        (
            "今年以来，城东派出所在辖区推行网格化巡逻，民警每天分三班巡查重点区域，提升对突发警情的处置能",
            True,
        ),
        ("今年3月，派出所又在商圈设立了两个警务站，群众办事更加方便。", False),
    ]


def test_wraps_before_a_time_phrase_are_no_seam() -> None:
    # a subject, a preposition or a verb of saying may stand before a fronted phrase
    assert not is_seam("据统计，县公安局", "今年1-6月，共破获各类案件30起。")
    assert not is_seam("这支队伍成立于", "2013年2月，是全省首支反诈队伍。")
    assert not is_seam("派出所负责人介绍", "今年以来，辖区未发生一起命案。")
    assert not is_seam("全市受理电信网络诈骗案件数", "在4月份达到顶点后，开始呈下降趋势。")
    assert is_seam("最大的特点是项目推进到哪里，警务跟", "2013年2月，通过探索实践，新昌公安提出意见。")
    body = "截至目前，县公安局\n今年1-6月，共破获各类案件30起，抓获嫌疑人12名。\n"
    assert _sentences(body) == [("截至目前，县公安局今年1-6月，共破获各类案件30起，抓获嫌疑人12名。", False)]


def test_a_stray_rest_further_down_is_put_back_where_the_words_join() -> None:
    body = (
        "“项目警官制”最大的特点是项目推进到哪里，警务就跟\n\n"
        "今年以来，全县共办理阻碍重大工程建设案件4起。\n\n"
        "进到哪里，情报信息就延伸到哪里。\n"
    )
    assert _sentences(body) == [
        ("“项目警官制”最大的特点是项目推进到哪里，警务就跟进到哪里，情报信息就延伸到哪里。", False),
        ("今年以来，全县共办理阻碍重大工程建设案件4起。", False),
    ]


def test_a_lost_rest_or_a_stray_start_is_flagged() -> None:
    body = (
        "民警在一辆电瓶车上发现了一张请帖，上面有被邀请人陈先\n\n"
        "完成初步调查后，派出所民警联系到了失主。\n\n"
        "的意见，实行一项目一民警的责任机制。\n"
    )
    assert [cut for _, cut in _sentences(body)] == [True, False, True]


def test_no_answer_quotes_a_flagged_sentence(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = HEAD + (
        "今年以来，城东派出所在辖区推行网格化巡逻，共破获盗窃电动车案件36起，抓获嫌疑人14名。\n\n"
        "派出所还组建了一支由退休职工组成的平安志愿巡逻队，提升对突发警情的处置能\n\n"
        "今年3月，派出所在商圈设立了两个警务站，群众办事更加方便。\n"
    )
    (corpus / "001_page.txt").write_text(page, encoding="utf-8")
    engine = Engine.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}", seeds_dir=corpus)
    for question in (
        "平安志愿巡逻队是谁组成的",
        "城东派出所的处置能力",
        "城东派出所商圈警务站",
        "城东派出所破获盗窃电动车案件多少起",
    ):
        reply = engine.answer(question).reply
        assert "退休职工" not in reply and "警情的处置能" not in reply, (question, reply)
    assert "36起" in engine.answer("城东派出所破获盗窃电动车案件多少起").reply


def test_a_story_read_from_its_second_column_is_put_back_in_order() -> None:
    """It opens mid-sentence and ends mid-word, the two making one word (大|会): its lead is the
    last paragraph opening a story before that end, and the seam is joined."""
    body = (
        "会，部署开展此次活动。各中队随即召开动员会，确保全员参与。\n\n"
        "巡逻中，民警共发现隐患12处，当场整改9处。\n\n"
        "日前，城东派出所结合夏季治安整治，开展为期十天的夜间巡逻活动，取得明显成效。\n\n"
        "活动由所长统一指挥，各警组分片负责。6月1日，派出所召开全所动员大\n"
    )
    (article,) = segment_file("page.txt", HEAD + body)
    assert article.paragraphs[0].startswith("日前，城东派出所")
    assert "召开全所动员大会，部署开展此次活动。" in article.paragraphs[1]
    assert article.paragraphs[-1].startswith("巡逻中")
    assert not any(s.cut for s in article.sentences)


def test_a_story_opening_mid_sentence_without_its_other_end_stays_as_printed() -> None:
    body = (
        "会议，部署开展此次活动。各中队随即召开动员会。\n\n"
        "日前，城东派出所开展为期十天的夜间巡逻活动，取得明显成效。\n\n"
        "活动由所长统一指挥，各警组分片负责，群众纷纷点赞。\n"
    )
    (article,) = segment_file("page.txt", HEAD + body)
    assert article.paragraphs[0].startswith("会议")


def test_the_seed_story_read_out_of_column_order_opens_with_its_lead(seeds: dict[str, str]) -> None:
    name = next(n for n in seeds if "任城分局" in seeds[n])
    story = next(a for a in segment_file(name, seeds[name]) if "纠错整改" in a.title)
    assert story.sentences[0].text.startswith("近期，济宁市公安局任城分局党委")
    assert any("召开全体中层干部会议，部署开展此次活动" in s.text for s in story.sentences)
