"""``python -m bot eval``: a question file through the engine in-process, judged like the shared scorer.

Two formats: the shared JSONL (``{"id", "kind", "text", "expect": {"all", "any"}}``, one object a
line) and the project's YAML list (``{q, intent, contains}``). A question passes as in
``shared/eval/score.py``: a ``none`` question when the intent is ``none``; any other when the intent
is not ``none`` and the reply holds every ``all`` string and one ``any`` string (NFKC, no spaces).
``--calibrate`` replays the file under a grid of bands and prints accuracy against answer rate.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.engine import Bands, Engine

__all__ = ["Question", "Result", "calibrate", "load_questions", "run", "table"]

KINDS = ("fact", "summary", "excerpt", "list", "none")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # fact | summary | excerpt | list | none (help counts as its own kind)
    text: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    question: Question
    intent: str
    reply: str
    passed: bool
    why: str = ""


@dataclass
class Summary:
    passed: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    answered: int = 0  # questions given an answer (intent not none)

    @property
    def overall(self) -> float:
        return sum(self.passed.values()) / max(1, sum(self.total.values()))

    def rate(self, kind: str) -> float:
        return self.passed[kind] / self.total[kind] if self.total[kind] else 1.0


def _squash(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def load_questions(path: Path) -> list[Question]:
    """Questions from a shared-format JSONL file or a project YAML question list."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in {".yaml", ".yml"}:
        out = []
        for i, item in enumerate(yaml.safe_load(text) or [], 1):
            intent = item["intent"] if isinstance(item["intent"], str) else item["intent"][0]
            out.append(Question(f"q{i:03d}", intent, item["q"] or "", tuple(item.get("contains", []))))
        return out
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            expect = item.get("expect") or {}
            out.append(
                Question(
                    str(item.get("id", n)),
                    item["kind"],
                    item["text"],
                    tuple(expect.get("all", [])),
                    tuple(expect.get("any", [])),
                    tuple(item.get("tags", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: 不是有效的问题行（{exc}）") from None
    return out


def judge(question: Question, intent: str, reply: str) -> tuple[bool, str]:
    if question.kind == "none":
        return intent == "none", "" if intent == "none" else f"intent {intent!r}: should be refused"
    if intent == "none":
        return False, "intent 'none': no answer given"
    if question.kind != "help" and intent == "help":
        return False, "intent 'help'"
    flat = _squash(reply)
    missing = [s for s in question.all if _squash(s) not in flat]
    if missing:
        return False, f"missing {missing}"
    if question.any and not any(_squash(s) in flat for s in question.any):
        return False, f"none of {list(question.any)}"
    return True, ""


def run(engine: Engine, questions: Iterable[Question]) -> tuple[list[Result], Summary]:
    results, summary = [], Summary()
    for q in questions:
        answer = engine.answer(q.text)
        ok, why = judge(q, answer.intent, answer.reply)
        results.append(Result(q, answer.intent, answer.reply, ok, why))
        summary.total[q.kind] += 1
        summary.passed[q.kind] += ok
        summary.answered += answer.intent != "none"
    return results, summary


def table(summary: Summary) -> str:
    lines = []
    for kind in [k for k in (*KINDS, "help") if summary.total[k]]:
        lines.append(
            f"  {kind:<8} {summary.passed[kind]}/{summary.total[kind]} = {100 * summary.rate(kind):.1f}%"
        )
    total = sum(summary.total.values())
    lines.append(f"  overall  {sum(summary.passed.values())}/{total} = {100 * summary.overall:.1f}%")
    return "\n".join(lines)


def calibrate(engine: Engine, questions: list[Question]) -> list[tuple[Bands, Summary]]:
    """Every band setting of a small grid with its scores, best overall first."""
    base = engine.bands
    rows = []
    try:
        for low in (24.0, 27.0, 30.0, 33.0, 36.0):
            for high in (40.0, 45.0, 50.0, 58.0):
                for sole in sorted({low + 4, low + 8}):
                    engine.bands = replace(base, low=low, high=high, sole=min(sole, high))
                    rows.append((engine.bands, run(engine, questions)[1]))
    finally:
        engine.bands = base
    rows.sort(key=lambda row: (-row[1].overall, row[0] != base))
    return rows


def calibration_table(rows: list[tuple[Bands, Summary]], current: Bands, total: int, limit: int = 15) -> str:
    """Accuracy (share passed) against answer rate (share given an answer), per band setting."""
    lines = ["  low  high  sole   answered  passed  none-ok  " + "  ".join(f"{k:>7}" for k in KINDS[:4])]
    shown = rows[:limit] + [r for r in rows if r[0] == current and r not in rows[:limit]]
    for bands, s in shown:
        mark = "  ← 当前" if bands == current else ""
        kinds = "  ".join(f"{100 * s.rate(k):6.1f}%" for k in KINDS[:4])
        lines.append(
            f"  {bands.low:4.0f} {bands.high:5.0f} {bands.sole:5.0f}   {100 * s.answered / total:6.1f}%  "
            f"{100 * s.overall:5.1f}%  {100 * s.rate('none'):6.1f}%  {kinds}{mark}"
        )
    return "\n".join(lines)


def main(args: Any) -> int:
    """The ``eval`` command: exit 1 when a ``--floor`` is not reached."""
    engine = Engine.open(args.database_url)
    code = 0
    for name in args.questions:
        path = Path(name)
        try:
            questions = load_questions(path)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            print(f"无法读取问题文件 {path}：{exc}")
            return 2
        results, summary = run(engine, questions)
        print(f"{path.name}: {len(questions)} questions")
        print(table(summary))
        if args.verbose:
            failures = [r for r in results if not r.passed]
            print(f"\nfailures ({len(failures)}):")
            for r in failures:
                print(f"  {r.question.id} [{r.question.kind}] {r.question.text}\n      why:   {r.why}")
                print("      reply: " + r.reply.replace("\n", " / ")[:200])
        if args.calibrate:
            print("\ncalibration (accuracy against answer rate, best first):")
            rows = calibrate(engine, questions)
            print(calibration_table(rows, engine.bands, len(questions)))
        if args.floor is not None and 100 * summary.overall < args.floor:
            print(f"低于下限：{100 * summary.overall:.1f}% < {args.floor:.1f}%")
            code = 1
    return code
