"""Updates per second through python-telegram-bot's real webhook path, one and several workers.

    python -m benchmarks.webhook [--updates 2000] [--workers 1 2] [--database-url URL]

    load generator ──POST /telegram (secret header), round robin──► N × ``python -m bot run --webhook``
    (plays nginx)                                                        │ sendChatAction, sendMessage
                                                                         ▼
    completion / latency ◄──────────── recorded calls ◄──────────── BotApiStub (thread, this process)

The knowledge base is built once (``python -m knowledge build``) into its own PostgreSQL schema,
shared by every worker, and dropped at the end. Each update is a private message from its own
chat (a question from ``tests/bot/questions.yaml``); an update counts as done when the stub has
recorded the bot's first ``sendMessage`` to that chat. At most ``--concurrency`` updates are
outstanding (POSTed, reply not yet seen): that many users waiting for an answer. The round
robin stands in for the load balancer; a real deployment puts nginx in front (docs/scale-out.md).

Baseline, same run: the same updates fed one after another into ``Application.process_update``
of one in-process application (a child process, no HTTP in; replies still go to the stub) —
the cost of the engine and the Bot API calls alone. PTB's ``Application`` handles updates one
at a time by default (``concurrent_updates=1``), and so does the baseline.

``python -m bot run`` installs ``AIORateLimiter`` (≈30 requests/s per process, as Telegram
allows per bot), which would make this a benchmark of the limiter. So the main figures run the
same command with ``TELEGRAM_RATE_LIMIT=off`` (``--rate-limiter off``); ``--rate-limiter both``
(default) also runs it with the limiter on for ``--limited-updates`` updates, to show its ceiling.

Prints a table and writes ``benchmarks/results/webhook.json``. Every child process is stopped
at the end, on error and on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS_YAML = ROOT / "tests" / "bot" / "questions.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FAKE_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "telegram"


def log(msg: str) -> None:
    print(f"[webhook {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------- updates


def questions() -> list[str]:
    return [str(e["q"]) for e in yaml.safe_load(QUESTIONS_YAML.read_text(encoding="utf-8")) if e.get("q")]


def make_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """A private text message as Telegram delivers it (a command gets its bot_command entity)."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Bench", "language_code": "zh-hans"}
    message: dict[str, Any] = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Bench"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def make_updates(n: int, phase: int) -> list[dict[str, Any]]:
    """``n`` updates cycling through the question set; chat ids are distinct within and across phases."""
    qs = questions()
    base = 10_000_000 * (phase + 1)
    return [make_update(base + i, base + i, qs[i % len(qs)]) for i in range(n)]


# ---------------------------------------------------------------------------------- helpers


def child_env(database_url: str, cache_dir: Path, stub_base_url: str, secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(
        DATABASE_URL=database_url,
        FACTBOT_CACHE_DIR=str(cache_dir),
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        TELEGRAM_BASE_URL=stub_base_url,
        TELEGRAM_WEBHOOK_SECRET=secret,
        PYTHONUNBUFFERED="1",
    )
    env.pop("MODERATOR_IDS", None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def schema_url(base: str, schema: str) -> str:
    parts = urllib.parse.urlsplit(base)
    query = urllib.parse.parse_qsl(parts.query)
    query = [(k, v) for k, v in query if k != "options"] + [("options", f"-csearch_path={schema}")]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def stop_process(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)  # PTB's run_webhook stops cleanly on SIGINT
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# ---------------------------------------------------------------------------------- reply watcher


class Replies:
    """Follows the stub's recorded calls: first ``sendMessage`` per chat → (time, is error)."""

    def __init__(self, stub: Any) -> None:
        from bot import texts

        self.stub = stub
        self.seen = 0
        self.first: dict[int, tuple[float, bool]] = {}
        self.waiters: dict[int, asyncio.Event] = {}
        self._error_text = texts.ERROR

    def scan(self) -> None:
        calls = self.stub.calls
        end = len(calls)
        for call in calls[self.seen : end]:
            if call.method.lower() != "sendmessage":
                continue
            try:
                chat = int(call.params.get("chat_id"))
            except (TypeError, ValueError):
                continue
            if chat in self.first:
                continue
            error = self._error_text in html.unescape(str(call.params.get("text", "")))
            self.first[chat] = (call.at, error)
            event = self.waiters.pop(chat, None)
            if event is not None:
                event.set()
        self.seen = end

    async def run(self, interval: float = 0.005) -> None:
        while True:
            self.scan()
            await asyncio.sleep(interval)

    def waiter(self, chat: int) -> asyncio.Event:
        event = asyncio.Event()
        if chat in self.first:
            event.set()
        else:
            self.waiters[chat] = event
        return event


# ---------------------------------------------------------------------------------- webhook phase


def start_workers(
    n: int, env: dict[str, str], rate_limit: bool, logdir: Path, tag: str, profile: bool = False
) -> list[dict[str, Any]]:
    workers = []
    for i in range(n):
        port = free_port()
        url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
        run = ["run", "--webhook", url, "--listen", "127.0.0.1", "--port", str(port)]
        cmd = [sys.executable, "-m", "bot", *run]  # exactly the shipped command
        if profile and i == 0:  # cProfile sees the event loop thread only, not engine.answer's threads
            cmd[1:1] = ["-m", "cProfile", "-o", str(logdir / f"{tag}.prof")]
        errfile = logdir / f"{tag}-worker{i}.log"
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env if rate_limit else {**env, "TELEGRAM_RATE_LIMIT": "off"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errfile.open("wb"),
            start_new_session=True,  # Ctrl-C reaches us only; we stop them in order
        )
        workers.append({"proc": proc, "port": port, "url": url, "log": errfile})
    return workers


async def wait_ready(
    client: Any, worker: dict[str, Any], secret: str, replies: Replies, chat: int, timeout: float
) -> float:
    """POST a warm-up question until the worker accepts it, then wait for its reply."""
    t0 = time.monotonic()
    update = make_update(chat, chat, "鼓楼派出所抓获了多少嫌疑人")
    event = replies.waiter(chat)
    while True:
        if worker["proc"].poll() is not None:
            tail = worker["log"].read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"worker on port {worker['port']} exited ({worker['proc'].returncode}):\n{tail}"
            )
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"worker on port {worker['port']} not listening after {timeout:.0f}s")
        try:
            r = await client.post(worker["url"], json=update, headers={SECRET_HEADER: secret})
            if r.status_code == 200:
                break
        except Exception:  # connection refused while starting
            pass
        await asyncio.sleep(0.25)
    await asyncio.wait_for(event.wait(), max(1.0, timeout - (time.monotonic() - t0)))
    return time.monotonic() - t0


async def drive(
    targets: list[str],
    updates: list[dict[str, Any]],
    secret: str,
    replies: Replies,
    concurrency: int,
    timeout: float,
) -> dict[str, Any]:
    import httpx

    sem = asyncio.Semaphore(concurrency)
    sent_at: dict[int, float] = {}
    target_of: dict[int, int] = {}
    statuses: dict[int, int] = {}

    async with httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency), timeout=30
    ) as client:

        async def one(i: int, update: dict[str, Any]) -> None:
            chat = update["message"]["chat"]["id"]
            k = i % len(targets)  # round robin: the load balancer's job
            async with sem:
                event = replies.waiter(chat)
                sent_at[chat] = time.time()
                target_of[chat] = k
                try:
                    r = await client.post(targets[k], json=update, headers={SECRET_HEADER: secret})
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                except httpx.HTTPError as exc:
                    statuses[-1] = statuses.get(-1, 0) + 1
                    log(f"POST failed: {type(exc).__name__}")
                    return
                await event.wait()

        t0 = time.time()
        try:
            await asyncio.wait_for(asyncio.gather(*(one(i, u) for i, u in enumerate(updates))), timeout)
            timed_out = False
        except TimeoutError:
            timed_out = True
        replies.scan()
    done = {c: replies.first[c] for c in sent_at if c in replies.first}
    end = max((at for at, _ in done.values()), default=time.time())
    seconds = end - t0
    latencies = [(done[c][0] - sent_at[c]) * 1000 for c in done]
    per_worker = []
    for k in range(len(targets)):
        chats = [c for c, t in target_of.items() if t == k]
        got = [done[c][0] for c in chats if c in done]
        secs = (max(got) - t0) if got else None
        per_worker.append(
            {
                "updates": len(chats),
                "replied": len(got),
                "seconds": secs,
                "updates_per_s": len(got) / secs if secs else None,
            }
        )
    return {
        "updates": len(updates),
        "replied": len(done),
        "error_replies": sum(1 for _, err in done.values() if err),
        "http_status": {str(k): v for k, v in sorted(statuses.items())},
        "timed_out": timed_out,
        "seconds": seconds,
        "updates_per_s": len(done) / seconds if seconds > 0 else None,
        "per_worker": per_worker,
        "latency_ms": {
            "p50": pct(latencies, 0.5),
            "p99": pct(latencies, 0.99),
            "max": max(latencies, default=None),
        },
    }


async def webhook_phase(
    n_workers: int, rate_limit: bool, n_updates: int, phase: int, ctx: dict[str, Any]
) -> dict[str, Any]:
    import httpx

    tag = f"{n_workers}w-{'limited' if rate_limit else 'unlimited'}"
    log(f"{tag}: starting {n_workers} worker(s)")
    profile = ctx["profile"] and n_workers == 1 and not rate_limit
    workers = start_workers(n_workers, ctx["env"], rate_limit, ctx["logdir"], tag, profile)
    ctx["live"].extend(w["proc"] for w in workers)
    replies: Replies = ctx["replies"]
    watcher = asyncio.create_task(replies.run())
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            ready = await asyncio.gather(
                *(
                    wait_ready(
                        client,
                        w,
                        ctx["secret"],
                        replies,
                        900_000_000 + phase * 100 + i,
                        ctx["startup_timeout"],
                    )
                    for i, w in enumerate(workers)
                )
            )
        log(f"{tag}: ready in {max(ready):.1f}s; {n_updates} updates, {ctx['concurrency']} outstanding")
        result = await drive(
            [w["url"] for w in workers],
            make_updates(n_updates, phase),
            ctx["secret"],
            replies,
            ctx["concurrency"],
            ctx["phase_timeout"],
        )
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        for w in workers:
            stop_process(w["proc"])
            ctx["live"].remove(w["proc"])
    result.update(workers=n_workers, rate_limiter=rate_limit, startup_s=max(ready))
    prof = ctx["logdir"] / f"{tag}.prof"
    if profile and prof.exists():
        import io
        import pstats

        buf = io.StringIO()
        pstats.Stats(str(prof), stream=buf).sort_stats("tottime").print_stats(15)
        result["profile_event_loop_tottime"] = buf.getvalue()
        print(f"--- {tag} worker, event-loop thread, top 15 by own time (warm-up and start-up included)")
        print(buf.getvalue().split("\n", 6)[-1] if "ncalls" in buf.getvalue() else buf.getvalue())
    return result


# ---------------------------------------------------------------------------------- baseline


def baseline_phase(n_updates: int, ctx: dict[str, Any]) -> dict[str, Any]:
    updates = make_updates(n_updates, 0)
    path = ctx["logdir"] / "baseline-updates.json"
    path.write_text(json.dumps(updates, ensure_ascii=False), encoding="utf-8")
    log(f"baseline: {n_updates} updates into Application.process_update (child process)")
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.webhook", "_baseline", str(path)],
        cwd=ROOT,
        env=ctx["env"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=(ctx["logdir"] / "baseline.log").open("wb"),
        start_new_session=True,
    )
    ctx["live"].append(proc)
    try:
        out, _ = proc.communicate(timeout=ctx["phase_timeout"] + ctx["startup_timeout"])
    finally:
        stop_process(proc)
        ctx["live"].remove(proc)
    if proc.returncode != 0:
        tail = (ctx["logdir"] / "baseline.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"baseline failed ({proc.returncode}):\n{tail}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    replies: Replies = ctx["replies"]
    replies.scan()
    chats = [u["message"]["chat"]["id"] for u in updates]
    result["replied_seen_by_stub"] = sum(1 for c in chats if c in replies.first)
    result["error_replies"] = sum(1 for c in chats if c in replies.first and replies.first[c][1])
    return result


async def _baseline_child(path: str) -> None:
    from telegram import Update

    from bot.engine import Engine
    from bot.telegram_app import build_application

    updates = json.loads(Path(path).read_text(encoding="utf-8"))
    engine = Engine.open(os.environ["DATABASE_URL"])
    app = build_application(engine, FAKE_TOKEN, base_url=os.environ["TELEGRAM_BASE_URL"], rate_limit=False)
    async with app:
        warm = make_update(999_999_999, 999_999_999, "鼓楼派出所抓获了多少嫌疑人")
        t = time.perf_counter()
        await app.process_update(Update.de_json(warm, app.bot))
        warm_s = time.perf_counter() - t
        latencies = []
        t0 = time.perf_counter()
        for data in updates:
            s = time.perf_counter()
            await app.process_update(Update.de_json(data, app.bot))
            latencies.append((time.perf_counter() - s) * 1000)
        seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "updates": len(updates),
                "seconds": seconds,
                "updates_per_s": len(updates) / seconds,
                "warmup_s": warm_s,
                "latency_ms": {
                    "p50": pct(latencies, 0.5),
                    "p99": pct(latencies, 0.99),
                    "max": max(latencies),
                },
            }
        ),
        flush=True,
    )


# ---------------------------------------------------------------------------------- main


def table(result: dict[str, Any]) -> str:
    base = result["baseline"]
    rows = [
        ("baseline: process_update, in-process", "1", "off", base["updates"], base["seconds"],
         base["updates_per_s"], "", 1.0, base["latency_ms"]["p50"], base["latency_ms"]["p99"],
         base.get("error_replies", 0)),
    ]  # fmt: skip
    for r in result["webhook"]:
        per = " / ".join(f"{w['updates_per_s']:.1f}" if w["updates_per_s"] else "-" for w in r["per_worker"])
        ratio = r["updates_per_s"] / base["updates_per_s"] if r["updates_per_s"] else None
        r["ratio_to_baseline"] = ratio
        rows.append(
            ("webhook (run_webhook, tornado)", str(r["workers"]), "on" if r["rate_limiter"] else "off",
             f"{r['replied']}/{r['updates']}", r["seconds"], r["updates_per_s"], per, ratio,
             r["latency_ms"]["p50"], r["latency_ms"]["p99"], r["error_replies"])
        )  # fmt: skip
    head = ("path", "workers", "rate limiter", "updates", "s", "updates/s", "per worker", "× baseline",
            "p50 ms", "p99 ms", "errors")  # fmt: skip

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.2f}" if v < 100 else f"{v:.0f}"
        return str(v)

    cells = [head, *[tuple(fmt(v) for v in row) for row in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))) for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _terminate(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_baseline"]:
        asyncio.run(_baseline_child(argv[1]))
        return 0

    p = argparse.ArgumentParser(prog="python -m benchmarks.webhook", description=__doc__.split("\n")[0])
    p.add_argument("--updates", type=int, default=2000, help="updates per measurement (default 2000)")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    p.add_argument("--database-url", default=DEFAULT_DB, help=f"PostgreSQL URL (default {DEFAULT_DB})")
    p.add_argument("--schema", default=f"fb_bench_webhook_{os.getpid()}", help="schema created and dropped")
    p.add_argument("--concurrency", type=int, default=32, help="updates outstanding at once (default 32)")
    p.add_argument("--rate-limiter", choices=["off", "on", "both"], default="both")
    p.add_argument(
        "--limited-updates", type=int, default=200, help="updates per rate-limited run (default 200)"
    )
    p.add_argument("--phase-timeout", type=float, default=300.0, help="seconds per measurement (default 300)")
    p.add_argument("--startup-timeout", type=float, default=180.0, help="seconds for a worker to answer")
    p.add_argument("--profile", action="store_true", help="cProfile the 1-worker unlimited run's worker")
    p.add_argument("--out", type=Path, default=RESULTS / "webhook.json")
    args = p.parse_args(argv)
    if args.updates < 1 or args.concurrency < 1 or min(args.workers) < 1 or max(args.workers) > 16:
        p.error("--updates/--concurrency ≥ 1, 1 ≤ workers ≤ 16")
    if not args.schema.isidentifier():
        p.error("--schema must be a plain identifier")

    signal.signal(signal.SIGTERM, _terminate)
    from sqlalchemy import create_engine, text

    from bot.botapi_stub import BotApiStub

    admin = create_engine(args.database_url, future=True)
    tmp = Path(tempfile.mkdtemp(prefix="fb-webhook-"))
    secret = secrets.token_urlsafe(24)
    stub = BotApiStub(FAKE_TOKEN)
    stub.start()
    live: list[subprocess.Popen[Any]] = []
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "loadavg_before": os.getloadavg(),
        "cpus": os.cpu_count(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{args.schema}"'))
        url = schema_url(args.database_url, args.schema)
        ctx: dict[str, Any] = {
            "env": child_env(url, tmp / "cache", stub.base_url, secret),
            "logdir": tmp,
            "secret": secret,
            "replies": Replies(stub),
            "live": live,
            "concurrency": args.concurrency,
            "phase_timeout": args.phase_timeout,
            "startup_timeout": args.startup_timeout,
            "profile": args.profile,
        }
        log(f"building the knowledge base from seeds/ into schema {args.schema}")
        t = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "knowledge", "build"],
            cwd=ROOT, env=ctx["env"], check=True, timeout=600,
            stdout=subprocess.DEVNULL, stderr=(tmp / "build.log").open("wb"),
        )  # fmt: skip
        result["kb_build_s"] = time.monotonic() - t
        result["baseline"] = baseline_phase(args.updates, ctx)
        log(f"baseline: {result['baseline']['updates_per_s']:.1f} updates/s")
        result["webhook"] = []
        modes = {"off": [False], "on": [True], "both": [False, True]}[args.rate_limiter]
        phase = 1
        for rate_limit in modes:
            for n in args.workers:
                count = min(args.updates, args.limited_updates) if rate_limit else args.updates
                r = asyncio.run(webhook_phase(n, rate_limit, count, phase, ctx))
                phase += 1
                result["webhook"].append(r)
                log(
                    f"{n} worker(s), rate limiter {'on' if rate_limit else 'off'}: {r['updates_per_s'] or 0:.1f} updates/s"
                )
        result["loadavg_after"] = os.getloadavg()
        print(table(result))
        print(
            f"load average before/after: {result['loadavg_before'][0]:.2f} / {result['loadavg_after'][0]:.2f}"
            f" on {result['cpus']} CPUs (the stub and the load generator share this process)"
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    finally:
        for proc in list(live):
            stop_process(proc, grace=5)
        stub.stop()
        with contextlib.suppress(Exception), admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
