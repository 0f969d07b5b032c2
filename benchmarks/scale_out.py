"""Scale-out numbers on CPU with stand-in models (tests/scale/standins.py), on a throw-away PostgreSQL.

1. Throughput: N edits (one per session, all queued at once through one API process) run by 1, then 2
   `brushedit worker` processes whose inpainter sleeps --sleep seconds (the GPU time it models, so what
   two workers share is only the CPU-side work). Edits per minute = N / (first submit -> last done).
2. Per-turn overhead at --size² with instant models: one session, --turns edits one after the other,
   submit -> done, (a) the SQLite path (`brushedit serve` on one machine: LocalJobs threads, SQLite
   version store and checkpoints) and (b) the PostgreSQL path (PgJobs submit, a worker process runs it,
   PostgresSaver checkpoints, events read back through PostgreSQL). Everything but the models is in it:
   graph, stores, PNG encode + sha256, blending, queue; (b) adds the queue and the network round trips.

    python benchmarks/scale_out.py [--jobs 16] [--sleep 2] [--turns 10] [--size 1024] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "scale"), str(ROOT / "tests")]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from cluster import Cluster  # noqa: E402
from pg import PgServer  # noqa: E402

from helpers import PHOTO  # noqa: E402


def throughput(cluster: Cluster, api, workers: int, jobs: int, sleep_s: float) -> float:
    png = PHOTO.read_bytes()
    names = [f"t{workers}-{k}-{time.monotonic_ns()}" for k in range(jobs)]
    for name in names:
        api.create(name, png)
    tag = time.monotonic_ns()
    procs = [cluster.worker(f"tw{workers}-{i}-{tag}", sleep_s) for i in range(workers)]
    t0 = time.perf_counter()
    ids = [api.post(f"/sessions/{n}/edits", json={"instruction": "remove the spoon", "box": [320, 60, 110, 270]}
                    ).json()["id"] for n in names]
    for job_id in ids:
        assert api.wait(job_id, timeout=600)["status"] == "done"
    wall = time.perf_counter() - t0
    for i, _ in enumerate(procs):
        cluster.kill(f"tw{workers}-{i}-{tag}", 15)  # SIGTERM: a clean stop
    return jobs / wall * 60


def photo(size: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size]
    base = np.stack([xx * 255 / size, yy * 255 / size, (xx + yy) * 127 / size], -1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def turn(jobs, session: str, size: int, seed: int) -> tuple[float, float]:
    """One edit: seconds submit -> done, and submit -> a runner started it (queue latency)."""
    box = [size // 4, size // 4, size // 2, size // 2]
    t0 = time.time()
    info = jobs.submit("edit", session, {"instruction": "remove the spoon", "box": box, "seed": seed})
    seen, started = 0, None
    while True:
        events = jobs.events(info.id, seen, 10.0)
        seen += len(events)
        started = started or next((e.at for e in events if e.kind in ("stage", "plan")), None)
        if events and events[-1].kind in ("done", "error"):
            assert events[-1].kind == "done", events[-1]
            return time.time() - t0, (started or time.time()) - t0


def overhead(cluster: Cluster, size: int, n: int) -> dict:
    """Turns alternate between the two paths (SQLite, PostgreSQL, SQLite, ...) so that the load of a shared
    machine weighs on both alike; the first turn of each warms up (graph, pools, caches) and is not counted."""
    import standins
    from agent.session import Session
    from app.jobs import LocalJobs
    from app.jobs_pg import PgJobs
    from engine.settings import Settings

    image = photo(size)
    cluster.worker("ow", 0.0)
    local = Settings.load(env={}, data_dir=cluster.root / "sqlite-path")
    pg = Settings.load(env={}, data_dir=cluster.root / "pg-path", store=cluster.url, images_dir=cluster.images)
    paths = {"sqlite": LocalJobs(local, standins.backends(local)), "pg": PgJobs(pg)}
    Session.new("o", image, local)
    Session.new("o", image, pg)
    times: dict[str, list[tuple[float, float]]] = {"sqlite": [], "pg": []}
    for i in range(n + 1):
        for name, jobs in paths.items():
            t = turn(jobs, "o", size, i)
            if i:
                times[name].append(t)
    paths["sqlite"].close()
    cluster.kill("ow", 15)
    med = statistics.median
    return {f"{k}{part}": med(t[j] for t in v) for k, v in times.items() for j, part in ((0, "_s"), (1, "_queue_s"))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--sleep", type=float, default=2.0)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=2, choices=(1, 2), help="1: one run each; 2: ABBA")
    ap.add_argument("--fast-pg", action="store_true", help="fsync off (default: a durable server, like SQLite)")
    args = ap.parse_args()
    server = PgServer.start(fast=args.fast_pg)
    try:
        url = server.create_database()
        with tempfile.TemporaryDirectory() as tmp:
            import subprocess

            subprocess.run([sys.executable, "-m", "app.cli", "db", "init", "--store", url], cwd=ROOT, check=True,
                           capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            with Cluster(url, Path(tmp)) as cluster:
                api = cluster.api("api")
                rates: dict[int, list[float]] = {1: [], 2: []}
                for workers in (1, 2, 2, 1)[: 2 * args.rounds]:  # ABBA: drift in the machine's load cancels
                    rates[workers].append(throughput(cluster, api, workers, args.jobs, args.sleep))
                one, two = (statistics.mean(rates[w]) for w in (1, 2))
                print(f"throughput ({args.jobs} edits, inpaint sleeps {args.sleep:g} s): 1 worker {one:.1f}/min, "
                      f"2 workers {two:.1f}/min, ratio {two / one:.2f}x (runs: {rates})", flush=True)
                o = overhead(cluster, args.size, args.turns)
        print(f"per turn at {args.size}x{args.size}, instant models, median of {args.turns}: "
              f"SQLite path {o['sqlite_s'] * 1000:.0f} ms (queue {o['sqlite_queue_s'] * 1000:.0f} ms), "
              f"PostgreSQL path {o['pg_s'] * 1000:.0f} ms (queue {o['pg_queue_s'] * 1000:.0f} ms), "
              f"ratio {o['pg_s'] / o['sqlite_s']:.2f}x")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
