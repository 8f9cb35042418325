"""Updates per second through python-telegram-bot's real webhook path, one and several workers.

    python -m benchmarks.webhook [--updates 2000] [--workers 1 2] [--repeat 3] [--database-url URL]

    load generator ──POST /telegram (secret header), round robin──► N × ``python -m bot run --webhook``
    (plays nginx)                                                        │ sendMessage (sendChatAction)
         ▲                                                               ▼
         └──── first sendMessage per chat ◄──── BotApiStub, asyncio front end (this process)

The load generator and the stub share this process's event loop: keep-alive HTTP/1.1 both
ways, no threads, no httpx, so the benchmark itself costs a small fraction of what a worker
spends per update (the CPU columns show it; before, a thread-per-connection stub plus httpx
cost ≈1 ms of this process's CPU per update). The knowledge base is built once (``python -m
knowledge build``) into its own PostgreSQL schema, shared by every worker and dropped at the
end. Each update is a private message from its own chat (a question from
``tests/bot/questions.yaml``); an update counts as done when the stub receives the bot's first
``sendMessage`` to that chat. At most ``--concurrency`` updates are outstanding (POSTed, reply
not yet seen): that many users waiting for an answer. The round robin stands in for the load
balancer; a real deployment puts nginx in front (docs/scale-out.md).

Two baselines, measured in the same run:

* **framework ceiling**: the same webhook path (``run_webhook``, the same builder settings as
  the bot: ``bot.telegram_app.application_builder``) with one trivial handler that replies a
  fixed text: no database, no engine. What PTB + HTTP alone do on this machine; the bot's
  figure is reported as a ratio of it, per worker count.
* **in-process**: the same updates fed one after another into ``Application.process_update``
  of one in-process application (a child process, no HTTP in; replies still go to the stub):
  the cost of handling one update when nothing overlaps.

``python -m bot run`` installs ``AIORateLimiter`` (≈30 requests/s per process, as Telegram
allows per bot), which would make this a benchmark of the limiter. So the main figures run the
same command with ``TELEGRAM_RATE_LIMIT=off`` (``--rate-limiter off``); ``--rate-limiter both``
(default) also runs it with the limiter on for ``--limited-updates`` updates, to show its ceiling.

The stub answers at once: the figures are what the CPU allows. ``--api-latency 50`` makes it
answer every call 50 ms later, as Telegram does from a distant server; then the figures show
how many Bot API round trips a worker keeps in flight.

Every measurement is repeated ``--repeat`` times on the same processes (after a warm-up) and
the median reported. CPU columns are CPU milliseconds per update, read from ``/proc`` (Linux):
the workers, this process (stub + load generator) and every ``postgres`` process on the
machine; "busy" is the share of all cores in use during the measurement. Prints a table and
writes ``benchmarks/results/webhook.json``. Every child process is stopped at the end, on error
and on Ctrl-C / SIGTERM.
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.botapi_stub import BotApiStub

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS_YAML = ROOT / "tests" / "bot" / "questions.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FAKE_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "telegram"
WARM_QUESTION = "鼓楼派出所抓获了多少嫌疑人"
CEILING_REPLY = "<b>收到</b>"
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


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


# ---------------------------------------------------------------------------------- CPU accounting


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process so far; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every process named ``postgres`` (the server and its backends), by pid."""
    used = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if (proc / "comm").read_text().strip() == "postgres":
                    used[int(proc.name)] = process_cpu(int(proc.name))
    return used


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from ``/proc/stat``."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


@dataclass
class CpuMeter:
    """CPU used by the workers, this process and PostgreSQL between ``start`` and ``stop``."""

    pids: list[int]
    start_at: dict[str, float] = field(default_factory=dict)
    postgres_at: dict[int, float] = field(default_factory=dict)

    def _read(self) -> dict[str, float]:
        busy, total = machine_ticks()
        return {
            "workers": sum(process_cpu(p) for p in self.pids),
            "bench": time.process_time(),
            "busy": float(busy),
            "total": float(total),
        }

    def start(self) -> None:
        self.start_at, self.postgres_at = self._read(), postgres_cpu()

    def stop(self, updates: int) -> dict[str, float | None]:
        end, postgres = self._read(), postgres_cpu()
        used = {k: end[k] - self.start_at[k] for k in end}
        # a backend that exited meanwhile is not counted (an undercount, never negative)
        used["postgres"] = sum(cpu - self.postgres_at.get(pid, 0.0) for pid, cpu in postgres.items())
        per = 1000 / updates if updates else 0.0
        return {
            "worker_cpu_ms_per_update": used["workers"] * per,
            "bench_cpu_ms_per_update": used["bench"] * per,
            "postgres_cpu_ms_per_update": used["postgres"] * per,
            "machine_busy": used["busy"] / used["total"] if used["total"] else None,
        }


# ---------------------------------------------------------------------------------- stub and client


class BenchStub(BotApiStub):
    """The Bot API stub on this process's event loop; notes each chat's first ``sendMessage``."""

    def __init__(self) -> None:
        from bot import texts

        super().__init__(FAKE_TOKEN, threaded=False)
        self.first: dict[int, tuple[float, bool]] = {}  # chat → (perf_counter, is the error text)
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._error_text = texts.ERROR

    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        result = super().handle(method, params, files)
        self.calls.clear()  # nothing reads them; keep memory flat over long runs
        if method.lower() == "sendmessage":
            with contextlib.suppress(TypeError, ValueError):
                chat = int(params.get("chat_id"))  # type: ignore[arg-type]
                if chat not in self.first:
                    error = self._error_text in html.unescape(str(params.get("text", "")))
                    self.first[chat] = (time.perf_counter(), error)
                    waiter = self._waiters.pop(chat, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
        return result

    def waiter(self, chat: int) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if chat in self.first:
            fut.set_result(None)
        else:
            self._waiters[chat] = fut
        return fut


class Poster:
    """Keep-alive HTTP/1.1 POSTs of Update JSON to one worker, as Telegram (via nginx) sends them."""

    def __init__(self, url: str, secret: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._head = (
            f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\n{SECRET_HEADER}: {secret}\r\nContent-Length: "
        ).encode()
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, body: bytes) -> int:
        """The HTTP status; raises ``OSError``/``asyncio.IncompleteReadError`` on a broken connection."""
        reader, writer = (
            self._idle.pop() if self._idle else await asyncio.open_connection(self.host, self.port)
        )
        try:
            writer.write(self._head + str(len(body)).encode() + b"\r\n\r\n" + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
            if length:
                await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self._idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


# ---------------------------------------------------------------------------------- drive


async def drive(
    posters: list[Poster], updates: list[dict[str, Any]], stub: BenchStub, concurrency: int, timeout: float
) -> dict[str, Any]:
    """POST every update (round robin), at most ``concurrency`` awaiting their reply at once."""
    bodies = [(u["message"]["chat"]["id"], json.dumps(u, ensure_ascii=False).encode()) for u in updates]
    sent_at: dict[int, float] = {}
    target_of: dict[int, int] = {}
    statuses: dict[int, int] = {}
    jobs: Iterator[tuple[int, tuple[int, bytes]]] = iter(enumerate(bodies))

    async def loop() -> None:
        for i, (chat, body) in jobs:
            k = i % len(posters)  # round robin: the load balancer's job
            reply = stub.waiter(chat)
            sent_at[chat], target_of[chat] = time.perf_counter(), k
            try:
                status = await posters[k].post(body)
            except (OSError, asyncio.IncompleteReadError) as exc:
                statuses[-1] = statuses.get(-1, 0) + 1
                log(f"POST failed: {type(exc).__name__}")
                continue
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                await reply

    t0 = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(loop() for _ in range(concurrency))), timeout)
        timed_out = False
    except TimeoutError:
        timed_out = True
    done = {c: stub.first[c] for c in sent_at if c in stub.first}
    end = max((at for at, _ in done.values()), default=time.perf_counter())
    seconds = end - t0
    latencies = [(done[c][0] - sent_at[c]) * 1000 for c in done]
    per_worker = []
    for k in range(len(posters)):
        got = [done[c][0] for c, t in target_of.items() if t == k and c in done]
        secs = (max(got) - t0) if got else None
        per_worker.append({"replied": len(got), "updates_per_s": len(got) / secs if secs else None})
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


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput (its latencies and CPU figures go with it)."""
    ranked = sorted(runs, key=lambda r: r["updates_per_s"] or 0.0)
    return dict(ranked[(len(ranked) - 1) // 2], all_updates_per_s=[r["updates_per_s"] for r in runs])


# ---------------------------------------------------------------------------------- webhook phases


@dataclass
class Bench:
    """What every phase needs: the stub, the environment and the knobs."""

    stub: BenchStub
    env: dict[str, str]
    logdir: Path
    secret: str
    live: list[subprocess.Popen[Any]]
    concurrency: int
    repeat: int
    warmup: int
    phase_timeout: float
    startup_timeout: float
    profile: bool
    phase: int = 0

    def next_updates(self, n: int) -> list[dict[str, Any]]:
        self.phase += 1
        return make_updates(n, self.phase)


def start_workers(bench: Bench, n: int, kind: str, rate_limit: bool, tag: str) -> list[dict[str, Any]]:
    workers = []
    for i in range(n):
        port = free_port()
        url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
        if kind == "ceiling":
            cmd = [sys.executable, "-m", "benchmarks.webhook", "_ceiling", str(port), url]
        else:
            run = ["run", "--webhook", url, "--listen", "127.0.0.1", "--port", str(port)]
            cmd = [sys.executable, "-m", "bot", *run]  # exactly the shipped command
            if bench.profile and i == 0 and n == 1 and not rate_limit:
                # cProfile sees the event loop thread only, not the engine's worker threads
                cmd[1:1] = ["-m", "cProfile", "-o", str(bench.logdir / f"{tag}.prof")]
        errfile = bench.logdir / f"{tag}-worker{i}.log"
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=bench.env if rate_limit else {**bench.env, "TELEGRAM_RATE_LIMIT": "off"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errfile.open("wb"),
            start_new_session=True,  # Ctrl-C reaches us only; we stop them in order
        )
        bench.live.append(proc)
        workers.append({"proc": proc, "port": port, "url": url, "log": errfile})
    return workers


async def wait_ready(bench: Bench, poster: Poster, worker: dict[str, Any], chat: int) -> float:
    """POST a warm-up question until the worker accepts it, then wait for its reply."""
    t0 = time.monotonic()
    body = json.dumps(make_update(chat, chat, WARM_QUESTION), ensure_ascii=False).encode()
    reply = bench.stub.waiter(chat)
    while True:
        if worker["proc"].poll() is not None:
            tail = worker["log"].read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"worker on port {worker['port']} exited ({worker['proc'].returncode}):\n{tail}"
            )
        if time.monotonic() - t0 > bench.startup_timeout:
            raise TimeoutError(
                f"worker on port {worker['port']} not listening after {bench.startup_timeout:.0f}s"
            )
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):  # refused while starting
            if await poster.post(body) == 200:
                break
        await asyncio.sleep(0.25)
    await asyncio.wait_for(reply, max(1.0, bench.startup_timeout - (time.monotonic() - t0)))
    return time.monotonic() - t0


async def webhook_phase(
    bench: Bench, n_workers: int, kind: str, rate_limit: bool, n_updates: int
) -> dict[str, Any]:
    tag = f"{kind}-{n_workers}w-{'limited' if rate_limit else 'unlimited'}"
    log(f"{tag}: starting {n_workers} worker(s)")
    workers = start_workers(bench, n_workers, kind, rate_limit, tag)
    posters = [Poster(w["url"], bench.secret) for w in workers]
    runs: list[dict[str, Any]] = []
    try:
        ready = await asyncio.gather(
            *(
                wait_ready(bench, p, w, 900_000_000 + bench.phase * 100 + i)
                for i, (p, w) in enumerate(zip(posters, workers, strict=True))
            )
        )
        if bench.warmup and not rate_limit:
            await drive(
                posters, bench.next_updates(bench.warmup), bench.stub, bench.concurrency, bench.phase_timeout
            )
        log(
            f"{tag}: ready in {max(ready):.1f}s; {bench.repeat} × {n_updates} updates, {bench.concurrency} outstanding"
        )
        for _ in range(1 if rate_limit else bench.repeat):
            meter = CpuMeter([w["proc"].pid for w in workers])
            meter.start()
            run = await drive(
                posters, bench.next_updates(n_updates), bench.stub, bench.concurrency, bench.phase_timeout
            )
            run.update(meter.stop(run["replied"]))
            runs.append(run)
    finally:
        for p in posters:
            p.close()
        for w in workers:
            await asyncio.to_thread(stop_process, w["proc"])
            bench.live.remove(w["proc"])
    result = median_run(runs)
    result.update(kind=kind, workers=n_workers, rate_limiter=rate_limit, startup_s=max(ready))
    prof = bench.logdir / f"{tag}.prof"
    if prof.exists():
        import io
        import pstats

        buf = io.StringIO()
        pstats.Stats(str(prof), stream=buf).sort_stats("tottime").print_stats(15)
        result["profile_event_loop_tottime"] = buf.getvalue()
        print(f"--- {tag} worker, event-loop thread, top 15 by own time (warm-up and start-up included)")
        print(buf.getvalue().split("\n", 6)[-1] if "ncalls" in buf.getvalue() else buf.getvalue())
    return result


def _ceiling_child(port: int, url: str) -> None:
    """The framework ceiling: the bot's builder settings, one handler replying a fixed text."""
    from telegram import Update
    from telegram.ext import ContextTypes, MessageHandler, filters

    from bot.telegram_app import application_builder

    app = application_builder(FAKE_TOKEN, base_url=os.environ["TELEGRAM_BASE_URL"], rate_limit=False).build()

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(CEILING_REPLY)

    app.add_handler(MessageHandler(filters.ALL, reply))
    app.run_webhook(
        listen="127.0.0.1",
        port=port,
        url_path=WEBHOOK_PATH,
        webhook_url=url,
        secret_token=os.environ["TELEGRAM_WEBHOOK_SECRET"],
        allowed_updates=Update.ALL_TYPES,
    )


# ---------------------------------------------------------------------------------- in-process baseline


async def baseline_phase(bench: Bench, n_updates: int) -> dict[str, Any]:
    chunks = [bench.next_updates(n_updates) for _ in range(bench.repeat)]
    path = bench.logdir / "baseline-updates.json"
    path.write_text(json.dumps(chunks, ensure_ascii=False), encoding="utf-8")
    log(f"in-process baseline: {bench.repeat} × {n_updates} updates into Application.process_update (child)")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.webhook",
        "_baseline",
        str(path),
        cwd=ROOT,
        env={**bench.env, "TELEGRAM_RATE_LIMIT": "off"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=(bench.logdir / "baseline.log").open("wb"),
        start_new_session=True,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), bench.phase_timeout + bench.startup_timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        tail = (bench.logdir / "baseline.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"baseline failed ({proc.returncode}):\n{tail}")
    runs = json.loads(out.decode().strip().splitlines()[-1])
    for run, chunk in zip(runs, chunks, strict=True):
        chats = [u["message"]["chat"]["id"] for u in chunk]
        run["replied"] = sum(1 for c in chats if c in bench.stub.first)
        run["error_replies"] = sum(1 for c in chats if c in bench.stub.first and bench.stub.first[c][1])
    return dict(median_run(runs), kind="in-process", workers=1, rate_limiter=False)


async def _baseline_child(path: str) -> None:
    from telegram import Update

    from bot.engine import Engine
    from bot.telegram_app import build_application

    chunks = json.loads(Path(path).read_text(encoding="utf-8"))
    engine = Engine.open(os.environ["DATABASE_URL"])
    app = build_application(engine, FAKE_TOKEN, base_url=os.environ["TELEGRAM_BASE_URL"], rate_limit=False)
    runs = []
    async with app:
        warm = make_update(999_999_999, 999_999_999, WARM_QUESTION)
        await app.process_update(Update.de_json(warm, app.bot))
        for updates in chunks:
            latencies = []
            cpu0, t0 = time.process_time(), time.perf_counter()
            for data in updates:
                s = time.perf_counter()
                await app.process_update(Update.de_json(data, app.bot))
                latencies.append((time.perf_counter() - s) * 1000)
            seconds = time.perf_counter() - t0
            runs.append(
                {
                    "updates": len(updates),
                    "seconds": seconds,
                    "updates_per_s": len(updates) / seconds,
                    "worker_cpu_ms_per_update": (time.process_time() - cpu0) * 1000 / len(updates),
                    "latency_ms": {
                        "p50": pct(latencies, 0.5),
                        "p99": pct(latencies, 0.99),
                        "max": max(latencies),
                    },
                }
            )
    print(json.dumps(runs), flush=True)


# ---------------------------------------------------------------------------------- report


def table(result: dict[str, Any]) -> str:
    base = result["in_process"]
    ceilings = {r["workers"]: r for r in result["webhook"] if r["kind"] == "ceiling"}
    head = ("path", "workers", "limiter", "updates", "updates/s", "runs", "per worker", "× ceiling",
            "× in-proc", "p50 ms", "p99 ms", "CPU ms/upd: workers", "bench", "postgres", "busy", "errors")  # fmt: skip
    rows = []
    for r in [base, *result["webhook"]]:
        ceiling = ceilings.get(r["workers"]) if r["kind"] == "factbot" and not r["rate_limiter"] else None
        r["ratio_to_ceiling"] = (
            r["updates_per_s"] / ceiling["updates_per_s"] if ceiling and r["updates_per_s"] else None
        )
        r["ratio_to_in_process"] = r["updates_per_s"] / base["updates_per_s"] if r["updates_per_s"] else None
        per = " / ".join(
            f"{w['updates_per_s']:.0f}" if w["updates_per_s"] else "-" for w in r.get("per_worker", [])
        )
        label = {"in-process": "in-process process_update", "ceiling": "ceiling: trivial handler",
                 "factbot": "factbot: python -m bot run"}[r["kind"]]  # fmt: skip
        rows.append(
            (label, str(r["workers"]), "on" if r["rate_limiter"] else "off",
             f"{r.get('replied', r['updates'])}/{r['updates']}", r["updates_per_s"],
             " ".join(f"{v:.0f}" for v in r.get("all_updates_per_s", []) if v),
             per, r["ratio_to_ceiling"], r["ratio_to_in_process"],
             r["latency_ms"]["p50"], r["latency_ms"]["p99"], r.get("worker_cpu_ms_per_update"),
             r.get("bench_cpu_ms_per_update"), r.get("postgres_cpu_ms_per_update"),
             f"{r['machine_busy']:.0%}" if r.get("machine_busy") is not None else None, r.get("error_replies", 0))
        )  # fmt: skip

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


# ---------------------------------------------------------------------------------- main


async def run(args: argparse.Namespace, result: dict[str, Any]) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(args.database_url, future=True)
    tmp = Path(tempfile.mkdtemp(prefix="fb-webhook-"))
    stub = BenchStub()
    stub.latency = args.api_latency / 1000
    await stub.serve_async()
    live: list[subprocess.Popen[Any]] = []
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{args.schema}"'))
        secret = secrets.token_urlsafe(24)
        url = schema_url(args.database_url, args.schema)
        bench = Bench(
            stub=stub,
            env=child_env(url, tmp / "cache", stub.base_url, secret),
            logdir=tmp,
            secret=secret,
            live=live,
            concurrency=args.concurrency,
            repeat=args.repeat,
            warmup=min(args.warmup, args.updates),
            phase_timeout=args.phase_timeout,
            startup_timeout=args.startup_timeout,
            profile=args.profile,
        )
        log(f"building the knowledge base from seeds/ into schema {args.schema}")
        t = time.monotonic()
        build = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "knowledge", "build",
            cwd=ROOT, env=bench.env, stdout=subprocess.DEVNULL, stderr=(tmp / "build.log").open("wb"),
        )  # fmt: skip
        if await asyncio.wait_for(build.wait(), 600) != 0:
            raise RuntimeError((tmp / "build.log").read_text(errors="replace")[-2000:])
        result["kb_build_s"] = time.monotonic() - t
        result["in_process"] = await baseline_phase(bench, args.updates)
        log(f"in-process baseline: {result['in_process']['updates_per_s']:.1f} updates/s")
        result["webhook"] = []
        modes = {"off": [False], "on": [True], "both": [False, True]}[args.rate_limiter]
        for rate_limit in modes:
            for n in args.workers:
                kinds = ["factbot"] if rate_limit or args.no_ceiling else ["ceiling", "factbot"]
                for kind in kinds:
                    count = min(args.updates, args.limited_updates) if rate_limit else args.updates
                    r = await webhook_phase(bench, n, kind, rate_limit, count)
                    result["webhook"].append(r)
                    log(
                        f"{kind}, {n} worker(s), rate limiter {'on' if rate_limit else 'off'}: "
                        f"{r['updates_per_s'] or 0:.1f} updates/s (runs: "
                        f"{', '.join(f'{v or 0:.0f}' for v in r['all_updates_per_s'])})"
                    )
        result["stub_connections"] = stub.connections
    finally:
        for proc in list(live):
            await asyncio.to_thread(stop_process, proc, 5)
        await stub.aclose()
        with contextlib.suppress(Exception), admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


async def _main_task(args: argparse.Namespace, result: dict[str, Any]) -> None:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await run(args, result)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_baseline"]:
        asyncio.run(_baseline_child(argv[1]))
        return 0
    if argv[:1] == ["_ceiling"]:
        _ceiling_child(int(argv[1]), argv[2])
        return 0

    p = argparse.ArgumentParser(prog="python -m benchmarks.webhook", description=__doc__.split("\n")[0])
    p.add_argument("--updates", type=int, default=2000, help="updates per measurement (default 2000)")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    p.add_argument("--repeat", type=int, default=3, help="measurements per setting; the median is reported")
    p.add_argument("--warmup", type=int, default=200, help="updates sent before measuring (default 200)")
    p.add_argument("--database-url", default=DEFAULT_DB, help=f"PostgreSQL URL (default {DEFAULT_DB})")
    p.add_argument("--schema", default=f"fb_bench_webhook_{os.getpid()}", help="schema created and dropped")
    p.add_argument("--concurrency", type=int, default=32, help="updates outstanding at once (default 32)")
    p.add_argument("--rate-limiter", choices=["off", "on", "both"], default="both")
    p.add_argument(
        "--limited-updates", type=int, default=200, help="updates per rate-limited run (default 200)"
    )
    p.add_argument("--no-ceiling", action="store_true", help="skip the framework-ceiling baseline")
    p.add_argument(
        "--api-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="the stub answers every Bot API call this much later, like a distant Telegram (default 0)",
    )
    p.add_argument("--phase-timeout", type=float, default=300.0, help="seconds per measurement (default 300)")
    p.add_argument("--startup-timeout", type=float, default=180.0, help="seconds for a worker to answer")
    p.add_argument("--profile", action="store_true", help="cProfile the 1-worker unlimited run's worker")
    p.add_argument("--out", type=Path, default=RESULTS / "webhook.json")
    args = p.parse_args(argv)
    if (
        min(args.updates, args.concurrency, args.repeat) < 1
        or min(args.workers) < 1
        or max(args.workers) > 16
    ):
        p.error("--updates/--concurrency/--repeat ≥ 1, 1 ≤ workers ≤ 16")
    if not args.schema.isidentifier():
        p.error("--schema must be a plain identifier")

    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "loadavg_before": os.getloadavg(),
        "cpus": os.cpu_count(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    asyncio.run(_main_task(args, result))
    result["loadavg_after"] = os.getloadavg()
    print(table(result))
    print(
        f"load average before/after: {result['loadavg_before'][0]:.2f} / {result['loadavg_after'][0]:.2f}"
        f" on {result['cpus']} CPUs; {result['stub_connections']} connections to the stub in all"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
