"""The division list tells city names ending in 州 from the 州 of a prefecture, and resolves short forms."""

from __future__ import annotations

import pytest

from knowledge import gazetteer


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("湘西土家族苗族自治州", "湘西"),
        ("广西壮族自治区", "广西"),
        ("本溪满族自治县", "本溪"),
        ("海曙区", "海曙"),
        ("广州市", "广州"),
        ("赵县", "赵县"),  # one character is no name
        ("锡林郭勒盟", "锡林郭勒"),
    ],
)
def test_short_name(name: str, short: str) -> None:
    assert gazetteer.short_name(name) == short


@pytest.mark.parametrize(
    ("text", "names", "place"),
    [
        ("广州", ["广州市"], "广州"),
        ("郑州市", ["郑州市"], "郑州"),
        ("湘西州", ["湘西土家族苗族自治州"], "湘西"),
        ("济宁市市中", ["济宁市", "市中区"], "济宁市中"),
        ("市中", ["市中区"], None),  # which 市中区 is it? only the city can say
        ("杭州市西湖", ["杭州市", "西湖区"], "西湖"),
        ("九州", [], None),
    ],
)
def test_chain_and_place(text: str, names: list[str], place: str | None) -> None:
    chain = gazetteer.chain_of(text)
    assert [d.name for d in chain] == names
    assert gazetteer.place_name(chain) == place


def test_ambiguous_district_resolved_inside_its_city() -> None:
    zaozhuang, shizhong = gazetteer.chain_of("枣庄市市中")
    assert shizhong.code.startswith(zaozhuang.code[:4])


def test_mentions_in_running_text() -> None:
    text = "近日，徐州市公安局在湘西州和杭州市西湖区开展工作，神州大地"
    assert [d.short for d in gazetteer.mentions(text)] == ["徐州", "湘西", "杭州", "西湖"]


def test_every_level_is_present() -> None:
    levels = {d.level for d in gazetteer.divisions()}
    assert levels == {0, 1, 2}
    assert len(gazetteer.divisions()) > 3000
