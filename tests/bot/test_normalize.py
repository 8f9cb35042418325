from __future__ import annotations

import pytest

from bot.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("荊門市公安局破獲多少電信詐騙案件？", "荆门市公安局破获多少电信诈骗案件"),
        ("ＪＩＮＧＭＥＮ　１２３", "jingmen 123"),
        ("  信息化实战警 务  ", "信息化实战警务"),
        ("荆门电炸窝点", "荆门电诈窝点"),
        ("鼓楼派处所", "鼓楼派出所"),
        ("\u200b荆门\ufeff", "荆门"),
        ("老人多大岁数 哪里人", "老人多大岁数，哪里人"),  # a gap after a question ends it
        ("gǔlóu pàichūsuǒ", "gulou paichusuo"),  # pinyin typed with its tones
        ("荆门 发案数 下降了多少", "荆门发案数下降了多少"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_noise_only_message_is_kept_rather_than_emptied() -> None:
    assert normalize("😀😀") == "😀😀"
