"""``python -m bot eval``: question files judged like the shared scorer, with quality floors.

The floors sit 2 points under what the engine reached when they were set: an answer change that
costs more than that on the dev set or on the project's own questions fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluate import Question, judge, load_questions, run

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
OWN_SET = ROOT / "tests" / "bot" / "questions.yaml"
DATA = ROOT / "tests" / "bot" / "data"
# Written from the seed pages alone by someone who saw no code and no dev question, in the shared
# format: how the engine does on questions nobody tuned it to.
INDEPENDENT_SET = DATA / "independent_questions.jsonl"
# Two more such sets: one weighted to lists, comparisons and excerpts, one of summaries of an
# article or of an event in one.
HELD_OUT_SET = DATA / "heldout_questions.jsonl"
SUMMARY_SET = DATA / "summary_questions.jsonl"
# Two more, written this way on 2026-12-02 (88.3 % and 82.5 % when they arrived, before any change
# they prompted).
HELD_OUT_2_SET = DATA / "heldout2_questions.jsonl"
HELD_OUT_3_SET = DATA / "heldout3_questions.jsonl"
# One more, written on 2026-12-02 in a later session (90.8 % when it arrived).
HELD_OUT_4_SET = DATA / "heldout4_questions.jsonl"
# And a fifth (100 questions), written at the end of that session: 93.0 % when it arrived.
HELD_OUT_5_SET = DATA / "heldout5_questions.jsonl"
HELD_OUT_5_FLOORS = {"overall": 91.0, "fact": 98.0, "summary": 78.0, "excerpt": 98.0, "list": 82.6, "none": 84.6}
# The later sets (100 each), by number, each with what the engine reached on it minus 2: heldout6
# and 7 were written on 2026-12-03 by helpers who saw only the seeds (86.0 % and 81.0 % when they
# arrived), heldout8 after most of that session's changes (85.0 %); heldout9–12 in a later session
# (88.0, 84.0, 93.0 and 79.0 %, the last two after some of its changes), heldout13 and 14 at its end
# after most of them (90.0 and 91.0 %).
LATER_FLOORS = {
    6: {"overall": 96.0, "fact": 96.0, "summary": 98.0, "excerpt": 89.7, "list": 98.0, "none": 98.0},
    7: {"overall": 91.0, "fact": 91.3, "summary": 84.7, "excerpt": 89.7, "list": 91.3, "none": 98.0},
    8: {"overall": 88.0, "fact": 91.8, "summary": 83.7, "excerpt": 81.3, "list": 90.3, "none": 82.6},
    9: {"overall": 93.0, "fact": 96.0, "summary": 90.9, "excerpt": 98.0, "list": 73.0, "none": 98.0},
    10: {"overall": 88.0, "fact": 95.8, "summary": 71.3, "excerpt": 90.3, "list": 84.7, "none": 81.3},
    11: {"overall": 94.0, "fact": 95.9, "summary": 90.9, "excerpt": 98.0, "list": 90.9, "none": 89.7},
    12: {"overall": 81.0, "fact": 91.3, "summary": 66.8, "excerpt": 81.3, "list": 71.3, "none": 73.0},
    13: {"overall": 94.0, "fact": 95.9, "summary": 98.0, "excerpt": 98.0, "list": 83.7, "none": 89.7},
    14: {"overall": 91.0, "fact": 93.7, "summary": 78.0, "excerpt": 98.0, "list": 84.7, "none": 98.0},
    # written 2026-12-03 evening, arrived at 87 / 83 / 88
    15: {"overall": 93.0, "fact": 95.8, "summary": 83.7, "excerpt": 98.0, "list": 83.7, "none": 98.0},
    16: {"overall": 93.0, "fact": 95.5, "summary": 84.7, "excerpt": 98.0, "list": 91.3, "none": 91.3},
    17: {"overall": 92.0, "fact": 95.8, "summary": 98.0, "excerpt": 98.0, "list": 78.0, "none": 84.7},
    # written later that evening, arrived at 85 / 88
    18: {"overall": 89.0, "fact": 93.6, "summary": 83.7, "excerpt": 98.0, "list": 76.6, "none": 83.7},
    19: {"overall": 88.0, "fact": 86.9, "summary": 98.0, "excerpt": 90.3, "list": 76.6, "none": 90.9},
}
# What each set reached, minus 2 points.
DEV_FLOORS = {"overall": 94.7, "fact": 96.9, "summary": 94.0, "excerpt": 93.0, "list": 88.0, "none": 94.0}
INDEPENDENT_FLOORS = {"overall": 94.0, "fact": 96.0, "summary": 90.0, "excerpt": 90.0, "list": 95.1, "none": 98.0}
HELD_OUT_FLOORS = {"overall": 89.7, "fact": 94.0, "summary": 88.0, "excerpt": 98.0, "list": 75.1, "none": 98.0}
SUMMARY_FLOORS = {"overall": 88.0, "summary": 88.0}
HELD_OUT_2_FLOORS = {"overall": 93.8, "fact": 95.8, "summary": 88.0, "excerpt": 93.0, "list": 93.0, "none": 98.0}
HELD_OUT_4_FLOORS = {"overall": 92.2, "fact": 92.0, "summary": 98.0, "excerpt": 98.0, "list": 71.3, "none": 98.0}
HELD_OUT_3_FLOORS = {"overall": 92.2, "fact": 89.1, "summary": 93.0, "excerpt": 93.0, "list": 93.0, "none": 98.0}


def test_judging_follows_the_shared_scorer() -> None:
    q = Question("x", "fact", "荆门窝点几个", ("33个",))
    assert judge(q, "fact", "打掉 电信诈骗窝点３３个")[0]  # NFKC and spaces do not matter
    assert not judge(q, "none", "33个")[0]  # a refusal is no answer
    assert not judge(q, "fact", "30个")[0]
    assert judge(Question("y", "none", "北京呢"), "none", "抱歉")[0]
    assert not judge(Question("z", "fact", "q", (), ("a", "b")), "fact", "c")[0]


def test_both_formats_load(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps(
            {"id": "a1", "kind": "fact", "text": "荆门窝点几个", "expect": {"all": ["33个"], "any": []}}
        )
        + "\n",
        encoding="utf-8",
    )
    assert load_questions(path) == [Question("a1", "fact", "荆门窝点几个", ("33个",))]
    own = load_questions(OWN_SET)
    assert len(own) >= 60 and {q.kind for q in own} >= {"fact", "summary", "excerpt", "list", "none"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_questions(bad)


def test_own_questions_floor(engine: Engine) -> None:
    _, summary = run(engine, load_questions(OWN_SET))
    assert 100 * summary.overall >= 98.0


def _assert_floors(engine: Engine, path: Path, floors: dict[str, float]) -> None:
    results, summary = run(engine, load_questions(path))
    rates = {"overall": 100 * summary.overall} | {k: 100 * summary.rate(k) for k in floors if k != "overall"}
    failures = "\n".join(f"{r.question.id} {r.question.text}: {r.why}" for r in results if not r.passed)
    below = {k: round(v, 1) for k, v in rates.items() if v < floors[k]}
    assert not below, f"below the floors {floors}: {below}\n{failures}"


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"no shared dev set at {DEV_SET}")
def test_dev_set_floors(engine: Engine) -> None:
    _assert_floors(engine, DEV_SET, DEV_FLOORS)


def test_independent_set_floors(engine: Engine) -> None:
    _assert_floors(engine, INDEPENDENT_SET, INDEPENDENT_FLOORS)


def test_held_out_set_floors(engine: Engine) -> None:
    _assert_floors(engine, HELD_OUT_SET, HELD_OUT_FLOORS)


def test_summary_set_floors(engine: Engine) -> None:
    _assert_floors(engine, SUMMARY_SET, SUMMARY_FLOORS)


def test_second_held_out_set_floors(engine: Engine) -> None:
    _assert_floors(engine, HELD_OUT_2_SET, HELD_OUT_2_FLOORS)


def test_third_held_out_set_floors(engine: Engine) -> None:
    _assert_floors(engine, HELD_OUT_3_SET, HELD_OUT_3_FLOORS)


def test_fourth_held_out_set_floors(engine: Engine) -> None:
    _assert_floors(engine, HELD_OUT_4_SET, HELD_OUT_4_FLOORS)


def test_fifth_held_out_set_floors(engine: Engine) -> None:
    _assert_floors(engine, HELD_OUT_5_SET, HELD_OUT_5_FLOORS)


@pytest.mark.parametrize("number", sorted(LATER_FLOORS))
def test_later_held_out_sets_floors(engine: Engine, number: int) -> None:
    _assert_floors(engine, DATA / f"heldout{number}_questions.jsonl", LATER_FLOORS[number])


def test_eval_command_prints_the_table_and_fails_under_a_floor(kb_url: str, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    lines = [
        {
            "id": "a",
            "kind": "fact",
            "text": "荆门打掉了多少个电信诈骗窝点",
            "expect": {"all": ["33个"], "any": []},
        },
        {"id": "b", "kind": "none", "text": "今天天气怎么样", "expect": {"all": [], "any": []}},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    cmd = [sys.executable, "-m", "bot", "--database-url", kb_url, "eval", "--questions", str(path), "-v"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "overall  2/2 = 100.0%" in done.stdout
    failing = subprocess.run([*cmd, "--floor", "101"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert failing.returncode == 1 and "低于下限" in failing.stdout
