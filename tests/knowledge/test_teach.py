"""knowledge.teach: links and synonyms keep the guarantees of fact edits, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy.orm import Session, sessionmaker

from bot.engine import Engine
from knowledge.build import build
from knowledge.curate import CurationError, Curator
from knowledge.store import current_revision
from knowledge.teach import Teacher, question_key, word_key

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ALPHA = "阿尔法行动战果如何"


@pytest.fixture
def teacher(factory: sessionmaker[Session]) -> Teacher:
    return Teacher(factory)


@pytest.fixture
def jingmen(curator: Curator) -> int:
    return next(f.id for f in curator.list_facts(query="打掉电信诈骗窝点") if f.value == 33)


def revision(factory: sessionmaker[Session]) -> str:
    with factory() as session:
        return current_revision(session)


def test_keys_ignore_width_script_case_spaces_and_punctuation() -> None:
    assert question_key("阿尔法 行动，戰果如何？！") == question_key(ALPHA) == ALPHA
    assert question_key("ＡＢＣ 电诈") == "abc电诈"
    assert word_key(" 電詐 ") == "电诈"


def test_a_link_is_a_revision_with_who_when_why_and_bumps_the_revision(teacher, factory, jingmen):
    before = revision(factory)
    link = teacher.link("tg:1", f"{ALPHA}？", fact_id=jingmen, reason="用户常问")
    assert (link.phrase, link.key, link.fact_id, link.active, link.by) == (
        f"{ALPHA}？",
        ALPHA,
        jingmen,
        True,
        "tg:1",
    )
    [rev] = teacher.history()
    assert (rev.item, rev.item_id, rev.action, rev.actor, rev.reason) == (
        "link",
        link.id,
        "add",
        "tg:1",
        "用户常问",
    )
    assert rev.at is not None and ALPHA in rev.detail
    assert int(revision(factory)) == int(before) + 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t, f: t.link("m", ALPHA, fact_id=99_999_999), "找不到编号为 #99999999 的数据"),
        (lambda t, f: t.link("m", ALPHA, fact_id="abc"), "不是数字"),
        (lambda t, f: t.link("m", "", fact_id=f), "问句不能为空"),
        (lambda t, f: t.link("m", " ？！ ", fact_id=f), "问句不能为空"),
        (lambda t, f: t.link("m", "问" * 10_000, fact_id=f), "问句过长（10000 字，最多 100 字）"),
        (lambda t, f: t.link("m", ALPHA, article="无此文章"), "找不到文章"),
        (lambda t, f: t.link("m", ALPHA), "请指定"),
        (lambda t, f: t.synonym("m", "电诈", "电诈"), "不能作自己的同义词"),
        (lambda t, f: t.synonym("m", "電詐", " 电诈"), "不能作自己的同义词"),
        (lambda t, f: t.synonym("m", "", "电信诈骗"), "不能为空"),
        (lambda t, f: t.synonym("m", "词" * 10_000, "电信诈骗"), "过长（10000 字"),
        (lambda t, f: t.synonym("m", "a=b", "c"), "不能有“=”"),
        (lambda t, f: t.unlink("m", 4242), "找不到编号为 #4242 的链接"),
        (lambda t, f: t.unsynonym("m", "没有的词"), "找不到“没有的词”的同义词"),
        (lambda t, f: t.undo("nobody"), "没有可撤销的修改"),
    ],
)
def test_bad_input_is_refused_with_one_sentence_and_nothing_written(teacher, factory, jingmen, call, message):
    before = revision(factory)
    with pytest.raises(CurationError, match=message) as refused:
        call(teacher, jingmen)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 120
    assert teacher.links(True) == [] and teacher.synonyms(True) == [] and teacher.history() == []
    assert revision(factory) == before


def test_a_retired_fact_cannot_be_linked(teacher, curator, jingmen):
    fact = curator.show(jingmen)
    curator.retire("m", jingmen, fact.version, "测试")
    with pytest.raises(CurationError, match="已停用"):
        teacher.link("m", ALPHA, fact_id=jingmen)


def test_a_linked_phrase_is_refused_until_unlinked_then_the_row_is_reused(teacher, jingmen):
    first = teacher.link("m", ALPHA, fact_id=jingmen)
    with pytest.raises(CurationError, match=f"已经链接过了（链接 #{first.id}）"):
        teacher.link("m", f"{ALPHA}？", fact_id=jingmen)
    teacher.unlink("m", ALPHA)  # by its phrase as well as by its number
    again = teacher.link("m", f"{ALPHA}?", article="1")
    assert again.id == first.id and again.target == "article" and again.article_key


def test_cycles_are_refused_however_long(teacher, factory):
    teacher.synonym("m", "甲", "乙")
    teacher.synonym("m", "乙", "丙")
    before = revision(factory)
    with pytest.raises(CurationError, match="循环（丙 → 甲 → 乙 → 丙）"):
        teacher.synonym("m", "丙", "甲")
    with pytest.raises(CurationError, match="已经有同义词了"):
        teacher.synonym("m", "甲", "丁")
    assert revision(factory) == before


def test_undo_takes_back_the_actors_own_last_change_and_twice_redoes(teacher, jingmen):
    link = teacher.link("alice", ALPHA, fact_id=jingmen)
    teacher.synonym("bob", "阿尔法窝点", "电信诈骗窝点")
    done = teacher.undo("alice")  # alice's last change, not bob's later one
    assert (done.item, done.item_id, done.action, done.actor) == ("link", link.id, "remove", "alice")
    assert teacher.links() == [] and len(teacher.synonyms()) == 1
    teacher.undo("alice")
    assert [v.id for v in teacher.links()] == [link.id]
    teacher.unsynonym("alice", "阿尔法窝点")
    with pytest.raises(CurationError, match="之后又被改过"):
        teacher.undo("bob")  # bob's synonym was removed by alice since
    undo_of_cycle = teacher.synonym("carol", "甲", "乙")
    teacher.undo("carol")
    teacher.synonym("dave", "乙", "甲")
    with pytest.raises(CurationError, match="循环"):
        teacher.undo("carol")  # restoring 甲 = 乙 now would make a cycle
    assert undo_of_cycle.id not in [v.id for v in teacher.synonyms()]


def _at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each result or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_moderators_at_once_lose_nothing(teacher, factory, jingmen):
    before = int(revision(factory))
    phrases = [f"第{i}种问法战果如何" for i in range(6)]
    results = _at_once(*(lambda p=p: teacher.link(f"m{p}", p, fact_id=jingmen) for p in phrases))
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(v.phrase for v in teacher.links()) == sorted(phrases)
    assert len(teacher.history()) == 6 and int(revision(factory)) == before + 6


def test_the_same_phrase_twice_at_once_is_kept_once_and_the_other_told(teacher, jingmen):
    results = _at_once(
        lambda: teacher.link("a", ALPHA, fact_id=jingmen), lambda: teacher.link("b", ALPHA, article="1")
    )
    errors = [r for r in results if isinstance(r, CurationError)]
    assert len(errors) == 1 and "已经链接过了" in str(errors[0])
    assert len(teacher.links()) == 1 and len(teacher.history()) == 1


def test_a_cycle_made_by_two_moderators_at_once_is_refused_to_one(teacher):
    results = _at_once(lambda: teacher.synonym("a", "甲", "乙"), lambda: teacher.synonym("b", "乙", "甲"))
    errors = [r for r in results if isinstance(r, CurationError)]
    assert len(errors) == 1 and "循环" in str(errors[0])
    assert len(teacher.synonyms()) == 1


def test_a_rebuild_keeps_links_and_synonyms(teacher, factory, jingmen, tmp_path):
    gulou = next(a for a in Engine(factory).snapshot.articles if "鼓楼派出所" in a.title)
    teacher.link("m", ALPHA, fact_id=jingmen)
    teacher.link("m", "数字化改革那篇", article=str(gulou.id))
    teacher.synonym("m", "阿尔法窝点", "电信诈骗窝点")
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for path in seeds.glob("*.txt"):  # every file changed: every article row is made anew
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = build(factory, seeds)
    assert len(report.built) == len(list(seeds.glob("*.txt")))
    assert len(teacher.links()) == 2 and len(teacher.synonyms()) == 1
    engine = Engine(factory)
    assert "33个" in engine.answer(ALPHA).reply.split("\n", 1)[0]
    assert "33个" in engine.answer("荆门打掉多少阿尔法窝点").reply.split("\n", 1)[0]
    summary = engine.answer("数字化改革那篇")
    assert summary.intent == "summary" and gulou.title in summary.reply
