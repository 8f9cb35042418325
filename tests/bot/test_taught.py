"""bot.taught: synonyms rewrite a message before parsing; links and votes travel in short callback data."""

from __future__ import annotations

from bot import callbacks as cb
from bot.taught import Taught, _resolve


def taught(edges: dict[str, str]) -> Taught:
    import re

    synonyms = {w: _resolve(w, edges) for w in edges}
    words = sorted(set(synonyms) | set(synonyms.values()), key=lambda w: (-len(w), w))
    return Taught("1", {}, synonyms, re.compile("|".join(map(re.escape, words))))


def test_a_taught_word_becomes_the_reports_word_and_chains_resolve() -> None:
    t = taught({"阿尔法窝点": "电信诈骗窝点", "甲": "乙", "乙": "丙"})
    assert t.rewrite("荆门打掉多少阿尔法窝点") == "荆门打掉多少电信诈骗窝点"
    assert t.rewrite("甲和乙") == "丙和丙"


def test_a_target_already_in_the_message_is_left_alone() -> None:
    t = taught({"诈骗": "电信诈骗"})
    assert t.rewrite("电信诈骗窝点") == "电信诈骗窝点"
    assert t.rewrite("诈骗窝点") == "电信诈骗窝点"


def test_nothing_taught_changes_nothing() -> None:
    assert Taught("1").rewrite("荆门打掉多少电诈窝点") == "荆门打掉多少电诈窝点"


def test_vote_and_list_buttons_round_trip_and_refuse_tampering() -> None:
    for value in (cb.Vote(True, 12), cb.Vote(False, 0), cb.ListPage("u", 30, 2), cb.ListPage("s", 0, 0)):
        assert cb.decode(cb.encode(value)) == value
    for data in ("v:2:1", "v:1:01", "v:1:-1", "l:x:1:1", "l:u:1", "v:1:99999999999", "v:1:1\n"):
        assert cb.decode(data) is None
