"""The fast paths of list questions give what testing every article gives."""

from __future__ import annotations

import pytest

from bot.engine import Engine


@pytest.mark.parametrize("where", ["浙江", "山东", "济宁", "荆门", "荆门市", "鼓楼", "海曙", "宁波", "上海", "派出所", "公安局"])
def test_the_articles_inside_a_place_are_those_each_test_finds(engine: Engine, where: str) -> None:
    kb = engine.loaded()
    slow = [a for a in kb.snapshot.articles if engine._inside(kb, a.id, where)]
    assert engine._articles_inside(kb, where) == slow


def test_a_side_describing_its_story_takes_the_figure_its_headline_gives(engine) -> None:
    answer = engine.answer("金乡买奶粉被骗的、嘉祥玩游戏被骗的、还有那个开化工店的老板，这几起各涉及多少钱")
    assert answer.intent == "list"
    assert all(x in answer.reply for x in ("1万元", "8万余元", "12万元")), answer.reply
