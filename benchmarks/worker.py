"""Measurements that run in their own process, so memory and timings are not polluted by the runner.

``python -m benchmarks.worker build URL DIR [--progress] [--profile OUT]`` builds and prints a JSON
report; ``python -m benchmarks.worker answer URL QUESTIONS.json [--baseline K] [--profile N]``
loads the engine, answers every question, runs the brute-force baseline on the first K and prints
JSON. ``--profile`` adds the top functions by cumulative time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import time
from pathlib import Path
from typing import Any

TOP_FUNCTIONS = 10


def proc_status() -> dict[str, int]:
    """VmRSS / VmHWM of this process in bytes, from /proc (psutil is not a dependency)."""
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def top_functions(profile: cProfile.Profile, n: int = TOP_FUNCTIONS) -> list[dict[str, Any]]:
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{Path(file).name}:{line}({func})" if line else func,
                "ncalls": ncalls,
                "tottime": round(tottime, 3),
                "cumtime": round(cumtime, 3),
            }
        )
    rows.sort(key=lambda r: -r["cumtime"])
    # skip the profiler's own entry points (they are 100 % by definition)
    return [
        r
        for r in rows
        if "_lsprof" not in r["function"] and "<built-in method builtins.exec>" not in r["function"]
    ][:n]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def run_build(url: str, corpus: Path, progress: bool, profile_out: Path | None) -> dict[str, Any]:
    from knowledge.build import build
    from knowledge.db import get_engine, init_db, session_factory

    engine = get_engine(url)
    init_db(engine)
    factory = session_factory(engine)
    prof = cProfile.Profile() if profile_out else None
    if prof:
        prof.enable()
    report = build(factory, corpus, progress=progress)
    if prof:
        prof.disable()
        prof.dump_stats(str(profile_out))
    result: dict[str, Any] = {
        "seconds": report.seconds,
        "chars": report.chars,
        "files_built": len(report.built),
        "files_skipped": len(report.skipped),
        "articles": report.articles,
        "facts": report.facts,
        "errors": report.errors,
        "chars_per_s": report.chars / report.seconds if report.seconds else 0.0,
        **{k.lower(): v for k, v in proc_status().items()},
    }
    if prof:
        result["profile"] = top_functions(prof)
    return result


def run_answers(url: str, questions: list[dict[str, Any]], baseline_k: int, profile_n: int) -> dict[str, Any]:
    started = time.perf_counter()
    from rapidfuzz import fuzz, process

    from bot.engine import Engine
    from bot.normalize import normalize

    engine = Engine.open(url, build=False)
    kb = engine.loaded()
    load_s = time.perf_counter() - started
    mem_loaded = proc_status()
    engine.answer("你好")  # first answer pays for lazy caches; cold start is measured separately

    latencies: list[float] = []
    hits = checked = 0
    for item in questions:
        t = time.perf_counter()
        answer = engine.answer(item["q"])
        latencies.append(time.perf_counter() - t)
        expect = item.get("contains") or []
        if expect:
            checked += 1
            hits += all(x in answer.reply for x in expect)
    mem_answered = proc_status()

    sentences = [s.text for s in kb.snapshot.sentences]
    base: list[float] = []
    for item in questions[:baseline_k]:
        t = time.perf_counter()
        process.extractOne(normalize(item["q"]), sentences, scorer=fuzz.partial_ratio)
        base.append(time.perf_counter() - t)

    result: dict[str, Any] = {
        "load_s": load_s,
        "articles": len(kb.snapshot.articles),
        "sentences": len(sentences),
        "facts": len(kb.snapshot.facts),
        "index_docs": len(kb.index),
        "questions": len(latencies),
        "p50_ms": 1000 * percentile(latencies, 50),
        "p95_ms": 1000 * percentile(latencies, 95),
        "p99_ms": 1000 * percentile(latencies, 99),
        "max_ms": 1000 * max(latencies),
        "mean_ms": 1000 * sum(latencies) / len(latencies),
        "checked": checked,
        "hits": hits,
        "baseline_questions": len(base),
        "baseline_p50_ms": 1000 * percentile(base, 50) if base else None,
        "baseline_p99_ms": 1000 * percentile(base, 99) if base else None,
        "rss_loaded": mem_loaded.get("VmRSS"),
        "hwm_loaded": mem_loaded.get("VmHWM"),
        "hwm_answered": mem_answered.get("VmHWM"),
        "rss_answered": mem_answered.get("VmRSS"),
    }
    if profile_n:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(profile_n):
            engine.answer(questions[i % len(questions)]["q"])
        prof.disable()
        result["profile"] = top_functions(prof)
        result["profile_answers"] = profile_n
    return result


def run_load(url: str, profile: bool) -> dict[str, Any]:
    """Opening the engine and loading its view: the first time after a build this compiles the
    view file (the peak memory of a worker's life); afterwards it maps it (the cold-start cost)."""
    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    started = time.perf_counter()
    from bot.engine import Engine

    Engine.open(url, build=False).loaded()
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "seconds": seconds,
        # a large corpus is compiled in a child process: its peak is the compile's
        "children_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        **{k.lower(): v for k, v in proc_status().items()},
    }
    if prof:
        prof.disable()
        result["profile"] = top_functions(prof)
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("url")
    b.add_argument("corpus", type=Path)
    b.add_argument("--progress", action="store_true")
    b.add_argument("--profile", type=Path)
    a = sub.add_parser("answer")
    a.add_argument("url")
    a.add_argument("questions", type=Path)
    a.add_argument("--baseline", type=int, default=10**9)
    a.add_argument("--profile", type=int, default=0)
    ld = sub.add_parser("load")
    ld.add_argument("url")
    ld.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "load":
        result = run_load(args.url, args.profile)
    elif args.cmd == "build":
        result = run_build(args.url, args.corpus, args.progress, args.profile)
    else:
        questions = json.loads(args.questions.read_text(encoding="utf-8"))
        result = run_answers(args.url, questions, args.baseline, args.profile)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
