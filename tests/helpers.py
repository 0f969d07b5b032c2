"""Shared test helpers: scripted planners/models and a real photo."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from engine.plan import EditPlan, PlanResult
from engine.protocols import Detection, PlanRequest

ROOT = Path(__file__).resolve().parents[1]
PHOTO = ROOT / "app" / "assets" / "coffee.png"
SPOON_BOX = (320, 60, 110, 270)


class ScriptedPlanner:
    """Returns the given plans in order (the last one repeats); records every request."""

    name = "scripted"

    def __init__(self, *plans: dict):
        self.plans = [EditPlan.model_validate(p) for p in plans]
        self.requests: list[PlanRequest] = []

    def plan(self, request: PlanRequest) -> PlanResult:
        self.requests.append(request)
        plan = self.plans[min(len(self.requests) - 1, len(self.plans) - 1)]
        return PlanResult(plan=plan, planner=self.name, requests=1, seconds=0.0)


class FakeDetector:
    """Finds `label` at a fixed box (x0, y0, x1, y1 in pixels of the 600x400 photo, scaled to the
    size of the image it is given)."""

    name = "fake-detector"

    def __init__(self, box=(320, 60, 430, 330), label="spoon", score=0.8):
        self.box, self.label, self.score, self.calls = box, label, score, 0

    def detect(self, image, text, box_threshold=0.3, text_threshold=0.25):
        self.calls += 1
        if self.label not in text:
            return []
        sx, sy = image.shape[1] / 600, image.shape[0] / 400
        x0, y0, x1, y1 = self.box
        return [Detection((x0 * sx, y0 * sy, x1 * sx, y1 * sy), self.score, self.label)]


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def changed_outside(a: np.ndarray, b: np.ndarray, allowed: np.ndarray) -> int:
    """Number of pixels that differ outside `allowed` (bool)."""
    return int(np.any(a != b, axis=2)[~allowed].sum())


def stepping_inpainter(n: int = 4, delay: float = 0.0):
    """The offline classical fill that reports `n` denoise steps through engine.progress (and takes
    `delay` s per step), like a diffusion inpainter: for progress and busy-session tests."""
    from engine import progress
    from engine.diffusion.classical import ClassicalInpainter

    class SteppingInpainter(ClassicalInpainter):
        def inpaint(self, request):
            for k in range(1, n + 1):
                time.sleep(delay)
                progress.step(k, n)
            return super().inpaint(request)

    return SteppingInpainter()
