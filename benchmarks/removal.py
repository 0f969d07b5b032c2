"""Removal with ground truth (evals/removal_suite.py) and photo-adjustment speed, on one CPU core.

Three rows in one run on the synthetic cases of evals/synthetic.py: the box as the mask + Telea
(the old `lite` path), the classical segmenter + Telea, the classical segmenter + the classical
inpainter's default method; then each photo adjustment at 1024x1024. Timings are this process's CPU
seconds with OpenCV on one thread (wall-clock seconds too; on a shared machine they run longer).

    python benchmarks/removal.py [--n 30] [--seed 0] [--out removal.json]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def adjustment_times(side: int = 1024, repeats: int = 3) -> dict[str, float]:
    """CPU milliseconds per operation at side x side (background_blur with a subject in the middle)."""
    import cv2
    import numpy as np

    from engine.adjust import OPERATIONS, apply
    from engine.images import load_image
    from engine.plan import SIGNED_ADJUSTMENTS, AdjustOp

    cv2.setNumThreads(1)
    image = cv2.resize(load_image(ROOT / "app" / "assets" / "coffee.png"), (side, side))
    background = np.ones((side, side), bool)
    background[side // 4 : 3 * side // 4, side // 3 : 2 * side // 3] = False
    out = {}
    for name in OPERATIONS:
        ops = [AdjustOp(op=name, strength=0.5 if name in SIGNED_ADJUSTMENTS else 1.0)]
        mask = background if name == "background_blur" else None
        apply(image, ops, mask)
        start = time.process_time()
        for _ in range(repeats):
            apply(image, ops, mask)
        out[name] = (time.process_time() - start) / repeats * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    from evals.removal_suite import run

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    run(n=args.n, seed=args.seed, out=args.out)
    times = adjustment_times()
    print("\n| adjustment at 1024x1024 | CPU ms |\n|---|---|")
    for name, ms in times.items():
        print(f"| {name} | {ms:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
