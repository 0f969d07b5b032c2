"""Agent + store overhead per turn at 1024x1024 (CPU): everything except planning and inpainting.

A scripted planner and an instant inpainter (copies the source, paints the mask grey) stand in for
the models, so what is measured is the graph, checkpointing, the version store, the image store
(PNG encode/decode + sha256) and blending. Prints per-turn seconds and the split.

    python benchmarks/agent_overhead.py [--size 1024] [--turns 10]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.session import Session  # noqa: E402
from engine.backends import Backends  # noqa: E402
from engine.plan import EditPlan, PlanResult  # noqa: E402
from engine.settings import Settings  # noqa: E402


class InstantPlanner:
    name = "instant"

    def plan(self, request):
        return PlanResult(plan=EditPlan(category="remove", target="thing", caption="background"), planner=self.name)


class InstantInpainter:
    name = "instant"

    def supports(self, category):
        return True

    def inpaint(self, request):
        out = request.image.copy()
        out[request.mask] = 127
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--turns", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    # a photo-like image (smooth gradients + noise) so PNG sizes are realistic
    yy, xx = np.mgrid[0 : args.size, 0 : args.size]
    base = np.stack([xx * 255 / args.size, yy * 255 / args.size, (xx + yy) * 127 / args.size], -1)
    image = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(env={}, data_dir=Path(tmp))
        backends = Backends(settings, planner=InstantPlanner(), inpainter=InstantInpainter())
        s = Session.new("bench", image, settings, backends=backends)
        totals, stages = [], {}
        for i in range(args.turns + 1):
            box = (50 + 20 * i, 60 + 10 * i, args.size // 4, args.size // 4)
            t0 = time.perf_counter()
            out = s.edit(f"remove thing {i}", box=box)
            dt = time.perf_counter() - t0
            if i == 0:
                continue  # first turn builds the graph and opens the checkpointer
            totals.append(dt)
            for k, v in out.timings.items():
                stages.setdefault(k, []).append(v)
        t0 = time.perf_counter()
        for _ in range(5):
            s.undo()
        for _ in range(5):
            s.redo()
        head_move = (time.perf_counter() - t0) / 10
    med = statistics.median(totals)
    print(f"size {args.size}x{args.size}, {args.turns} turns (CPU)")
    print(f"per turn, median: {med * 1000:.0f} ms (planner and inpainter are instant stand-ins)")
    for k, v in stages.items():
        print(f"  {k:<8} {statistics.median(v) * 1000:7.1f} ms")
    other = med - sum(statistics.median(v) for v in stages.values())
    print(f"  {'graph+checkpoint+version store':<8} {other * 1000:7.1f} ms")
    print(f"undo/redo head move: {head_move * 1000:.1f} ms")


if __name__ == "__main__":
    main()
