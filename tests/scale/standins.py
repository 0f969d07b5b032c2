"""Stand-in models for worker processes that tests and benchmarks start:

    BRUSHEDIT_BACKENDS=standins:backends brushedit worker --store postgresql://…   (tests/scale on PYTHONPATH)

The lite profile's real rules planner, the box itself as the segment (engine.vision.box: the
edited region is known exactly, so cross-talk shows), and an inpainter that
sleeps BRUSHEDIT_STANDIN_SLEEP_S seconds (the GPU time it models; 0 = instant), then copies the
source and paints the mask grey (benchmarks/agent_overhead.py's InstantInpainter).
"""
from __future__ import annotations

import os
import time

from benchmarks.agent_overhead import InstantInpainter
from engine.backends import Backends
from engine.vision.box import BoxSegmenter


class SleepInpainter(InstantInpainter):
    name = "sleep-standin"
    methods = ("grey",)

    def __init__(self, seconds: float):
        self.seconds = seconds

    def inpaint(self, request):
        time.sleep(self.seconds)
        return super().inpaint(request)


def backends(settings) -> Backends:
    return Backends(settings, inpainter=SleepInpainter(float(os.environ.get("BRUSHEDIT_STANDIN_SLEEP_S") or 0)),
                    segmenter=BoxSegmenter())
