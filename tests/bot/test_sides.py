"""Splitting list and comparison questions into the questions they are made of."""

from __future__ import annotations

from bot.sides import split_asks, split_sides

PLACES = {"荆门": "荆门", "新昌": "新昌", "新昌县": "新昌", "鼓楼派出所": "鼓楼派出所"}


def entity_of(run: list[str]) -> str | None:
    return next((PLACES[t] for t in run if t in PLACES), None)


def meaningful(token: str) -> bool:
    return token not in {"的", "了", "is", "和"} and (len(token) > 1 or not token.isascii())


def test_two_places_share_the_predicate() -> None:
    tokens = ["鼓楼派出所", "和", "新昌县", "的", "刑事案件", "降幅"]
    sides = split_sides(tokens, entity_of, meaningful)
    assert [s.entity for s in sides] == ["鼓楼派出所", "新昌"]
    assert sides[0].text == "鼓楼派出所的刑事案件降幅"
    assert sides[1].text == "新昌县的刑事案件降幅"


def test_words_before_the_first_place_belong_to_every_side() -> None:
    tokens = ["扫黑", "除恶", "，", "鼓楼派出所", "和", "荆门", "战果"]
    sides = split_sides(tokens, entity_of, meaningful)
    assert all(s.text.startswith("扫黑除恶") for s in sides)
    assert sides[1].text.endswith("荆门战果")


def test_one_place_two_subjects_share_the_tail() -> None:
    tokens = ["新昌", "刑事案件", "和", "侵财", "案件", "分别", "下降", "多少"]
    sides = split_sides(tokens, entity_of, meaningful)
    assert [s.text for s in sides] == ["新昌刑事案件分别下降多少", "新昌侵财案件分别下降多少"]


def test_a_side_telling_only_its_subject_is_asked_what_the_last_is_asked() -> None:
    tokens = ["荆门", "视频", "巡逻", "和", "新昌", "社区", "民警", "各", "抓", "了", "多少", "人"]
    sides = split_sides(tokens, entity_of, meaningful)
    assert [s.text for s in sides] == ["荆门视频巡逻各抓了多少人", "新昌社区民警各抓了多少人"]
    tokens = ["荆门", "窝点", "和", "新昌", "案件", "破获", "了", "几", "起"]
    assert split_sides(tokens, entity_of, meaningful)[0].text == "荆门窝点破获了几起"


def test_each_side_is_labelled_by_what_tells_it_apart() -> None:
    places = split_sides(["鼓楼派出所", "和", "荆门", "的", "战果"], entity_of, meaningful)
    assert [s.label for s in places] == ["鼓楼派出所", "荆门"]
    subjects = split_sides(["“", "云剑", "”", "行动", "和", "专业队", "分别", "是", "哪里", "的"], entity_of, meaningful)
    assert [s.label for s in subjects] == ["云剑行动", "专业队"]


def test_an_entity_named_last_is_not_pushed_back() -> None:
    tokens = ["教育", "整顿", "成果", "和", "荆门", "行动", "战果"]
    sides = split_sides(tokens, entity_of, meaningful)
    assert sides[0].entity is None and "荆门" not in sides[0].text


def test_one_sided_questions_and_stray_words_give_no_sides() -> None:
    assert split_sides(["荆门", "打掉", "窝点", "多少"], entity_of, meaningful) == []
    assert split_sides(["荆门", "窝点", "和", "is"], entity_of, meaningful) == []


def test_two_questions_in_one_message_are_asked_in_turn() -> None:
    asks = split_asks("金乡那个被骗的，骗了多少钱、民警多久追回来的")
    assert [a.text for a in asks] == ["金乡那个被骗的骗了多少钱", "金乡那个被骗的骗了民警多久追回来的"]
    assert [a.text for a in split_asks("荆门打掉多少窝点，抓了多少人")] == ["荆门打掉多少窝点", "荆门打掉抓了多少人"]
    assert split_asks("鼓楼和新昌的破案数分别是多少") == []
    assert split_asks("荆门，打掉了多少窝点") == []
    assert [a.text for a in split_asks("那个老人多大岁数，打哪来的")] == ["那个老人多大岁数", "那个老人打哪来的"]


def test_a_question_naming_its_own_place_borrows_nothing() -> None:
    places = {"东湖": "东湖", "西山": "西山"}

    def entity_of(clause: str) -> str | None:
        return next((p for p in places if p in clause), None)

    asks = split_asks("东湖去年装了多少探头，西山建了多少警务站", entity_of)
    assert [(a.text, a.entity) for a in asks] == [("东湖去年装了多少探头", "东湖"), ("西山建了多少警务站", "西山")]
    # a clause about nothing of its own still borrows what the first is about
    assert [a.text for a in split_asks("东湖去年装了多少探头，花了多少钱", entity_of)][1] == "东湖去年装了花了多少钱"


def test_a_last_side_telling_its_own_subject_lends_only_what_is_asked() -> None:
    places = {"东湖", "西山"}
    tokens = ["东湖", "、", "西山", "还有", "王女士", "那", "几起", "案子", "，", "分别", "涉及", "多少", "钱"]
    sides = split_sides(
        tokens, lambda run: next((t for t in run if t in places), None), lambda t: t not in {"那", "的"}
    )
    assert [(s.entity, s.label) for s in sides] == [("东湖", "东湖"), ("西山", "西山"), (None, "王女士")]
    assert "王女士" not in sides[0].text and sides[0].text.endswith("多少钱")


def test_questions_asked_one_after_another_with_question_marks() -> None:
    asks = split_asks("嘉祥那个打游戏被骗的,一共被骗多少?嫌疑人几号抓到的")
    assert [a.text for a in asks] == ["嘉祥那个打游戏被骗的一共被骗多少", "嘉祥那个打游戏被骗的一共被骗嫌疑人几号抓到的"]


def test_a_side_naming_a_person_is_not_the_place_before_it() -> None:
    tokens = ["荆门", "那个", "游戏", "玩家", "、", "周先生", "各", "被骗", "多少"]
    sides = split_sides(tokens, entity_of, meaningful)
    assert [s.entity for s in sides] == ["荆门", None]
    assert not sides[1].text.startswith("荆门")


def test_a_place_before_the_first_unit_is_that_sides_own() -> None:
    places = {**PLACES, "海曙": "海曙"}
    tokens = ["海曙", "鼓楼派出所", "、", "新昌", "的", "发案", "降幅"]
    sides = split_sides(tokens, lambda run: next((places[t] for t in run if t in places), None), meaningful)
    assert not sides[1].text.startswith("海曙")


def test_a_person_is_looked_for_by_surname_with_any_title() -> None:
    from bot.sides import person_forms

    assert "周先生" in person_forms("周老板") and "周老板" in person_forms("周老板")


def test_a_story_described_then_asked_of_parts_into_description_and_question() -> None:
    from bot.sides import asked_clause

    assert asked_clause("湾头大桥那次抓偷电动车的，视频小队前后忙了多久") == ("湾头大桥那次抓偷电动车的", "视频小队前后忙了多久")
    assert asked_clause("视频小队忙了多久") is None  # one clause
    assert asked_clause("被骗多少钱，民警多久追回来的") is None  # two asks: split_asks' job


def test_an_indefinite_what_describes_and_an_ellipsis_ends_a_clause() -> None:
    from bot.sides import asked_clause

    assert asked_clause("好像有个什么大桥那儿抓了个偷车的…是早上几点") == ("好像有个什么大桥那儿抓了个偷车的", "是早上几点")


def test_a_bare_how_many_asks_of_the_clause_before_it() -> None:
    from bot.sides import asked_clause

    assert asked_clause("化工店周老板被假采购员骗了，钱追回来没，多少") == ("化工店周老板被假采购员骗了", "钱追回来没多少")
