"""Rules planner speed, instructions per second, as the planner suite times it (evals/planner_suite.py).

Each measurement is a fresh process that plans every case of a file through `RulesPlanner.plan`, the loop the
suite times (request, plan, scoring of the row): first the cold pass (empty per-word caches: what one
`python -m evals.runner planner --cases FILE` reports), then the best of `--warm` passes. Wall-clock and CPU
time (`time.process_time`) are both given; on a shared machine the wall numbers follow the load.

    python benchmarks/planner_speed.py [--cases evals/cases/planner_holdout2.jsonl] [--rounds 6]
    python benchmarks/planner_speed.py --compare main        # before/after, alternating, one run

`--compare REF` extracts git REF (`git archive`) to a temp dir and measures it and this tree in turn, round
by round, so both see the same load; the medians and bests of the rounds are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(cases_file: str, warm: int) -> dict[str, float]:
    """One process: the cold pass and the best warm pass, wall and CPU (instructions per second)."""
    sys.path.insert(0, os.getcwd())
    from engine.planners.rules import RulesPlanner
    from evals.planner_suite import _predict, load_cases

    cases, planner = load_cases(cases_file), RulesPlanner()

    def timed() -> tuple[float, float]:
        c0, w0 = time.thread_time(), time.perf_counter()
        for case in cases:
            _predict(planner, case)
        return len(cases) / (time.perf_counter() - w0), len(cases) / (time.thread_time() - c0)

    cold = timed()
    best = [max(v) for v in zip(*(timed() for _ in range(warm)))]
    return {"cold_wall": cold[0], "cold_cpu": cold[1], "warm_wall": best[0], "warm_cpu": best[1]}


def _run(tree: Path, cases_file: str, warm: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", "--cases", cases_file,
                          "--warm", str(warm)], cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=str(ROOT / "evals" / "cases" / "planner_holdout2.jsonl"))
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--warm", type=int, default=5)
    ap.add_argument("--compare", default=None, help="git ref to measure alternately with this tree")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(measure(a.cases, a.warm)))
        return
    cases = str(Path(a.cases).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": ROOT}
        if a.compare:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", a.compare, "engine", "evals"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            trees = {a.compare: Path(tmp), **trees}
        rows: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        loads = []
        for _ in range(a.rounds):
            for name, tree in trees.items():
                rows[name].append(_run(tree, cases, a.warm))
            loads.append(os.getloadavg()[0])
    print(f"{Path(cases).name}, {a.rounds} rounds, load average {min(loads):.1f}-{max(loads):.1f} "
          f"(instructions/s: median / best of the rounds)")
    for name, rs in rows.items():
        cells = [f"{k} {statistics.median(r[k] for r in rs):,.0f} / {max(r[k] for r in rs):,.0f}" for k in rs[0]]
        print(f"  {name:>10}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
