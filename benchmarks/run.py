"""One command for FactBot's performance figures, each next to a baseline measured in the same run.

    python -m benchmarks.run [--articles 10000] [--quick] [--profile]

Prints a table and writes ``benchmarks/results/latest.json``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.corpus import generate, touch_one

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTIONS_YAML = ROOT / "tests" / "bot" / "questions.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
QUICK_ARTICLES = 500
GENERATED_FACT_QUESTIONS = 150
GENERATED_TITLE_QUESTIONS = 50
COLD_QUESTION = "鼓楼派出所抓获了多少嫌疑人"

# issue 6
TARGET_P99_MS = 20.0
TARGET_SPEEDUP = 10.0
TARGET_RSS = 1 << 30
TARGET_INCREMENTAL_S = 2.0
TARGET_COLD_S = 1.0
TARGET_SEEDS_P95_MS = 3.0


_RESULT: dict[str, Any] = {}
_OUT: Path | None = None


def log(msg: str) -> None:
    if _OUT is not None and _RESULT:
        save(_RESULT, _OUT)  # each step logs before it starts: keep what the earlier ones measured
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("DATABASE_URL", None)
    return env


def worker(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run ``benchmarks.worker`` in a fresh interpreter; its stderr (tqdm) goes to ours."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", *args],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_python(code: str, repeat: int) -> list[float]:
    """Wall time of ``python -c code`` in fresh processes."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=_env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - t)
    return times


# ---------------------------------------------------------------- questions


def yaml_questions() -> list[dict[str, Any]]:
    items = yaml.safe_load(QUESTIONS_YAML.read_text(encoding="utf-8")) or []
    return [
        {"q": str(x["q"]), "source": "questions.yaml"} for x in items if isinstance(x, dict) and x.get("q")
    ]


def generated_questions(db_path: Path, seed: int) -> list[dict[str, Any]]:
    """Fact questions ("{place}{subject}多少") with the expected figure, plus headline questions.

    Only a (place, subject) pair that one fact of the whole corpus has makes a fact question: the
    corpus repeats its templates, so at 10,000 articles (≈23 per place) most pairs name several
    articles' figures, and the right reply to such a question is a "您是不是想问" menu, not a figure
    (16 of 150 were answered with the expected one at 10,000 articles, 131 at 500)."""
    con = sqlite3.connect(db_path)
    try:
        facts = con.execute(
            "SELECT a.place, f.subject, min(f.value_text) FROM facts f JOIN articles a ON a.key = f.article_key "
            "WHERE a.place IS NOT NULL AND length(f.subject) BETWEEN 4 AND 16 "
            "GROUP BY a.place, f.subject HAVING count(*) = 1 ORDER BY min(f.id)"
        ).fetchall()
        titles = con.execute("SELECT title FROM articles ORDER BY id").fetchall()
    finally:
        con.close()
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for place, subject, value_text in rng.sample(facts, min(GENERATED_FACT_QUESTIONS, len(facts))):
        out.append({"q": f"{place}{subject}多少", "contains": [value_text], "source": "generated"})
    for (title,) in rng.sample(titles, min(GENERATED_TITLE_QUESTIONS, len(titles))):
        out.append({"q": title, "source": "generated"})
    return out


# ---------------------------------------------------------------- the run


def save(result: dict[str, Any], out: Path) -> None:
    """Write what is measured so far: a run stopped half-way still leaves its figures."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def run(args: argparse.Namespace, result: dict[str, Any]) -> dict[str, Any]:
    n_articles = QUICK_ARTICLES if args.quick else args.articles
    tmp = Path(tempfile.mkdtemp(prefix="factbot-bench-"))
    result |= {
        "articles_requested": n_articles,
        "quick": args.quick,
        "seed": args.seed,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    try:
        corpus = tmp / "corpus"
        os.environ["FACTBOT_CACHE_DIR"] = str(tmp / "cache")  # the engines' view files, this run's own
        t = time.perf_counter()
        paths = generate(corpus, n_articles, args.seed, per_file=args.per_file)
        result["generate_s"] = time.perf_counter() - t
        result["corpus_files"] = len(paths)
        result["corpus_chars"] = sum(len(p.read_text(encoding="utf-8")) for p in paths)
        log(f"generated {n_articles} articles in {len(paths)} files ({result['corpus_chars']:,} chars)")

        seeds_db, gen_db = tmp / "seeds.sqlite3", tmp / "generated.sqlite3"
        seeds_url, gen_url = f"sqlite:///{seeds_db}", f"sqlite:///{gen_db}"

        log("building seeds")
        result["build_seeds"] = worker(["build", seeds_url, str(SEEDS)])
        log("building the generated corpus (full build)")
        try:
            result["build_full"] = worker(
                ["build", gen_url, str(corpus), "--progress"], timeout=args.build_timeout
            )
        except subprocess.TimeoutExpired:
            result["build_full"] = {"timeout_s": args.build_timeout}
            log(f"full build did not finish in {args.build_timeout:.0f} s; stopping here")
            return result
        log(f"full build: {result['build_full']['seconds']:.1f} s")

        log("rebuild with nothing changed")
        result["build_noop"] = worker(["build", gen_url, str(corpus)])
        touch_one(paths[len(paths) // 2], args.seed)
        log("incremental rebuild after one file changed")
        result["build_incremental"] = worker(["build", gen_url, str(corpus)])

        for name, url in (("seeds", seeds_url), ("generated", gen_url)):
            log(f"first engine start on {name}: compiling its view file")
            result[f"view_{name}"] = worker(["load", url])

        questions = yaml_questions() + generated_questions(gen_db, args.seed)
        qfile = tmp / "questions.json"
        qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        result["question_count"] = len(questions)
        for name, url in (("seeds", seeds_url), ("generated", gen_url)):
            log(f"answering {len(questions)} questions on {name}")
            extra = ["--profile", str(args.profile_answers)] if args.profile and name == "generated" else []
            result[f"answer_{name}"] = worker(
                ["answer", url, str(qfile), "--baseline", str(args.baseline_questions), *extra]
            )

        log("cold starts")
        code = "from bot.engine import Engine; e=Engine.open({url!r}); e.answer({q!r})"
        result["cold_baseline"] = timed_python("import jieba; jieba.initialize()", args.cold_repeat)
        result["cold_seeds"] = timed_python(code.format(url=seeds_url, q=COLD_QUESTION), args.cold_repeat)
        result["cold_generated"] = timed_python(
            code.format(url=gen_url, q=COLD_QUESTION), args.cold_repeat_generated
        )

        if args.profile:
            log(f"profiling a {QUICK_ARTICLES}-article build")
            small = tmp / "small"
            generate(small, QUICK_ARTICLES, args.seed)
            result["profile_build"] = worker(
                [
                    "build",
                    f"sqlite:///{tmp / 'small.sqlite3'}",
                    str(small),
                    "--profile",
                    str(tmp / "build.prof"),
                ]
            )
            log(f"profiling the engine load on {QUICK_ARTICLES} articles")
            result["profile_load"] = worker(["load", f"sqlite:///{tmp / 'small.sqlite3'}", "--profile"])
        return result
    finally:
        result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- report


def _ratio(a: float | None, b: float | None) -> str:
    if not (a and b):
        return "–"
    return f"{a / b:.1f}×" if a / b >= 1 else f"{a / b:.2f}×"


def _ok(passed: bool | None) -> str:
    return "–" if passed is None else ("PASS" if passed else "FAIL")


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, value, baseline, ratio, target) rows for the table."""
    out: list[tuple[str, str, str, str, str]] = []
    for name in ("seeds", "generated"):
        a = r.get(f"answer_{name}")
        if not a:
            continue
        label = f"{name} ({a['articles']} art., {a['facts']} facts)"
        big = name == "generated"
        out.append(
            (
                f"answer p50 · {label}",
                f"{a['p50_ms']:.1f} ms",
                f"{a['baseline_p50_ms']:.1f} ms",
                _ratio(a["baseline_p50_ms"], a["p50_ms"]) + " faster",
                "",
            )
        )
        if not big and "p95_ms" in a:
            out.append(
                (
                    f"answer p95 · {label}",
                    f"{a['p95_ms']:.1f} ms",
                    "",
                    "",
                    f"≤{TARGET_SEEDS_P95_MS:.0f} ms {_ok(a['p95_ms'] <= TARGET_SEEDS_P95_MS)}",
                )
            )
        out.append(
            (
                f"answer p99 · {label}",
                f"{a['p99_ms']:.1f} ms",
                f"{a['baseline_p99_ms']:.1f} ms",
                _ratio(a["baseline_p99_ms"], a["p99_ms"]) + " faster",
                f"≤{TARGET_P99_MS:.0f} ms & ≥{TARGET_SPEEDUP:.0f}× "
                + (
                    _ok(a["p99_ms"] <= TARGET_P99_MS and a["baseline_p99_ms"] / a["p99_ms"] >= TARGET_SPEEDUP)
                    if big
                    else "(n/a)"
                ),
            )
        )
        out.append(
            (
                f"RSS after load (VmRSS, view file mapped) · {name}",
                f"{a['rss_loaded'] / 2**20:.0f} MiB",
                "",
                "",
                f"≤1 GiB {_ok(a['rss_loaded'] <= TARGET_RSS)}",
            )
        )
        out.append((f"RSS after the questions · {name}", f"{a['rss_answered'] / 2**20:.0f} MiB", "", "", ""))
        out.append((f"engine open + view load · {name}", f"{a['load_s']:.2f} s", "", "", ""))
        view = r.get(f"view_{name}")
        if view:
            out.append(
                (
                    f"view compile, first start after a build · {name}",
                    f"{view['seconds']:.1f} s, peak {max(view['vmhwm'], view.get('children_maxrss', 0)) / 2**20:.0f} MiB",
                    "",
                    "",
                    "",
                )
            )
        if a.get("checked"):
            out.append(
                (
                    f"generated fact questions answered right · {name}",
                    f"{a['hits']}/{a['checked']}",
                    "",
                    "",
                    "",
                )
            )
    full, inc = r.get("build_full"), r.get("build_incremental")
    if full and "seconds" in full:
        out.append(
            (
                f"full build · {full['files_built']} files, {full['facts']} facts",
                f"{full['seconds']:.1f} s",
                "",
                "",
                "",
            )
        )
        seeds = r.get("build_seeds") or {}
        out.append(
            (
                "build throughput · generated",
                f"{full['chars_per_s']:,.0f} chars/s",
                f"{seeds.get('chars_per_s', 0):,.0f} (seeds)",
                _ratio(full["chars_per_s"], seeds.get("chars_per_s")),
                "",
            )
        )
    elif full:
        out.append(("full build", f"> {full['timeout_s']:.0f} s (stopped)", "", "", ""))
    if r.get("build_noop"):
        out.append(("rebuild, nothing changed", f"{r['build_noop']['seconds']:.2f} s", "", "", ""))
    if inc and full and "seconds" in full:
        out.append(
            (
                "incremental rebuild (1 file changed)",
                f"{inc['seconds']:.2f} s",
                f"{full['seconds']:.1f} s (full)",
                f"{inc['seconds'] / full['seconds']:.3f}",
                f"≤{TARGET_INCREMENTAL_S:.0f} s {_ok(inc['seconds'] <= TARGET_INCREMENTAL_S)}",
            )
        )
    base = r.get("cold_baseline")
    for name in ("seeds", "generated"):
        cold = r.get(f"cold_{name}")
        if cold and base:
            c, b = statistics.median(cold), statistics.median(base)
            out.append(
                (
                    f"cold start to first answer · {name}",
                    f"{c:.2f} s",
                    f"{b:.2f} s (jieba init)",
                    f"{c / b:.1f}",
                    f"≤{TARGET_COLD_S} s {_ok(c <= TARGET_COLD_S)}",
                )
            )
    return out


def table(r: dict[str, Any]) -> str:
    header = ("figure", "value", "baseline", "ratio", "target")
    body = rows(r)
    widths = [max(_width(x[i]) for x in [header, *body]) for i in range(5)]
    lines = [" | ".join(_pad(c, widths[i]) for i, c in enumerate(row)) for row in [header, *body]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def profiles(r: dict[str, Any]) -> str:
    out = []
    titles = (
        ("profile_build", f"build of {QUICK_ARTICLES} articles"),
        ("profile_load", f"engine open + load, {QUICK_ARTICLES} articles"),
        ("answer_generated", "answers on the generated corpus"),
    )
    for key, title in titles:
        prof = (r.get(key) or {}).get("profile")
        if not prof:
            continue
        out.append(f"\ncProfile top {len(prof)} by cumulative time · {title}")
        out += [f"  {p['cumtime']:8.2f} s  {p['ncalls']:>9}  {p['function']}" for p in prof]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="FactBot benchmarks (see benchmarks/README.md)")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-file", type=int, default=1, help="articles per generated file (1: 10,000 files)")
    ap.add_argument(
        "--baseline-questions", type=int, default=60, help="questions the brute-force baseline answers"
    )
    ap.add_argument("--cold-repeat", type=int, default=3, help="cold starts on the seeds and of the baseline")
    ap.add_argument(
        "--cold-repeat-generated", type=int, default=1, help="cold starts on the generated corpus (slow)"
    )
    ap.add_argument(
        "--build-timeout", type=float, default=3600.0, help="give up on the full build after this"
    )
    ap.add_argument("--profile", action="store_true", help="cProfile a 500-article build and N answers")
    ap.add_argument("--profile-answers", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="keep the temp corpus and databases")
    ap.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = ap.parse_args(argv)
    global _OUT
    _OUT = args.out
    started = time.perf_counter()
    result = run(args, _RESULT)
    result["total_s"] = time.perf_counter() - started
    save(result, args.out)
    print(table(result))
    print(profiles(result))
    print(f"\ntotal {result['total_s']:.0f} s; JSON → {args.out}")


if __name__ == "__main__":
    main()
