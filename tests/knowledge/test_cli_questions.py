"""``python -m knowledge questions …``: the curators' loop from the command line, same rules as Telegram."""

from __future__ import annotations

import json

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy.orm import Session, sessionmaker

from bot.engine import Engine
from knowledge.cli import main
from knowledge.curate import Curator
from knowledge.questionlog import QuestionLog

ALPHA = "阿尔法行动战果如何"


def run(url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--database-url", url, "questions", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def jingmen(curator: Curator) -> int:
    return next(f.id for f in curator.list_facts(query="打掉电信诈骗窝点") if f.value == 33)


def test_teach_list_undo_and_remove(db_url, factory: sessionmaker[Session], capsys, jingmen):
    code, out, _ = run(
        db_url, capsys, "link", str(jingmen), ALPHA, "--reason", "用户常问", "--actor", "cli:alice"
    )
    assert code == 0 and "已链接 #" in out
    code, out, _ = run(db_url, capsys, "link", "--article", "1", "数字化改革那篇")
    assert code == 0 and "摘要" in out
    code, out, _ = run(db_url, capsys, "synonym", "阿尔法窝点", "=", "电信诈骗窝点", "--actor", "cli:alice")
    assert code == 0 and "阿尔法窝点 = 电信诈骗窝点" in out
    engine = Engine(factory)
    assert "33个" in engine.answer(ALPHA).reply.split("\n", 1)[0]
    assert "33个" in engine.answer("荆门打掉多少阿尔法窝点").reply.split("\n", 1)[0]

    code, out, _ = run(db_url, capsys, "links", "--json")
    links = json.loads(out)
    assert code == 0 and {v["phrase"] for v in links} == {ALPHA, "数字化改革那篇"}
    code, out, _ = run(db_url, capsys, "history")
    assert "cli:alice" in out and "用户常问" in out

    code, out, _ = run(db_url, capsys, "undo", "--actor", "cli:alice")
    assert code == 0 and "同义词" in out and "已删除" in out
    code, out, _ = run(db_url, capsys, "synonyms")
    assert "阿尔法窝点" not in out
    code, out, _ = run(db_url, capsys, "unlink", ALPHA)
    assert code == 0 and "已删除链接" in out
    assert "33个" not in engine.answer(ALPHA).reply.split("\n", 1)[0]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["link", "99999999", ALPHA], "找不到编号为 #99999999 的数据"),
        (["link", "{fact}", "？？"], "问句不能为空"),
        (["link", "{fact}", "问" * 10_000], "问句过长"),
        (["synonym", "电诈", "=", "电诈"], "不能作自己的同义词"),
        (["unsynonym", "12345"], "找不到编号为 #12345 的同义词"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(db_url, capsys, jingmen, argv, says):
    code, out, err = run(db_url, capsys, *(a.format(fact=jingmen) for a in argv))
    assert code == 2 and says in err and "Traceback" not in err and len(err.splitlines()) == 1
    code, out, _ = run(db_url, capsys, "history", "--json")
    assert json.loads(out) == []


def test_reports(db_url, factory, capsys):
    log = QuestionLog(factory)
    log.record(ALPHA, "refused", "private")
    log.record("鼓楼派出所抓获了多少嫌疑人", "answered", "private")
    log.vote(5001, "5001:3", -1, ALPHA, "none", [], "抱歉，知识库里没有")
    code, out, _ = run(db_url, capsys, "unanswered")
    assert code == 0 and f"1. {ALPHA}  ×1  refused" in out
    code, out, _ = run(db_url, capsys, "feedback")
    assert f"问：{ALPHA}" in out and "抱歉" in out
    code, out, _ = run(db_url, capsys, "stats", "--days", "2")
    assert "提问 2 次，答出率 50%，拒答 1 次" in out
    code, out, _ = run(db_url, capsys, "stats", "--json", "--days", "1")
    [today] = json.loads(out)
    assert (today["answered"], today["refused"], today["down"]) == (1, 1, 1)
