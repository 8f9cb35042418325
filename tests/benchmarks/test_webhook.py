"""The webhook benchmark's own parts: stub, load generator and the framework-ceiling worker."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from benchmarks import webhook as wh


def test_poster_and_stub_drive_a_real_ceiling_worker(tmp_path: Path) -> None:
    """A real ``run_webhook`` worker (the ceiling's trivial handler) answers every POSTed update."""

    async def scenario() -> dict:
        stub = wh.BenchStub()
        await stub.serve_async()
        env = wh.child_env("sqlite://", tmp_path / "cache", stub.base_url, "s3cret")
        bench = wh.Bench(
            stub=stub, env=env, logdir=tmp_path, secret="s3cret", live=[], concurrency=4, repeat=1,
            warmup=0, phase_timeout=60, startup_timeout=60, profile=False,
        )  # fmt: skip
        [worker] = wh.start_workers(bench, 1, "ceiling", False, "t")
        url = worker["url"]
        poster = wh.Poster(url, "s3cret")
        try:
            await wh.wait_ready(bench, poster, worker, 77)
            result = await wh.drive([poster], bench.next_updates(40), stub, 4, 60)
            forged = wh.Poster(url, "wrong")
            assert await forged.post(b"{}") == 403
            forged.close()
        finally:
            poster.close()
            await asyncio.to_thread(wh.stop_process, worker["proc"])
            await stub.aclose()
        assert worker["proc"].returncode is not None
        return result

    result = asyncio.run(scenario())
    assert result["replied"] == result["updates"] == 40 and not result["timed_out"]
    assert result["http_status"] == {"200": 40} and result["error_replies"] == 0
    assert result["latency_ms"]["p50"] is not None


def test_median_run_and_cpu_meter() -> None:
    runs = [{"updates_per_s": v} for v in (300.0, 100.0, 200.0)]
    assert wh.median_run(runs)["updates_per_s"] == 200.0
    assert wh.median_run(runs)["all_updates_per_s"] == [300.0, 100.0, 200.0]
    meter = wh.CpuMeter([os.getpid()])
    meter.start()
    sum(i * i for i in range(200_000))
    used = meter.stop(10)
    assert used["worker_cpu_ms_per_update"] is not None and used["worker_cpu_ms_per_update"] >= 0
    assert used["postgres_cpu_ms_per_update"] >= 0
