"""Measure requests per edit and the planner's own latency against the scripted local server.

Run: python -m tests.servers.measure_planner_overhead [N]  (prints one JSON object)
The server answers instantly, so the numbers are what the planner adds on top of model time:
image downscale + JPEG/base64, prompt rendering, HTTP round trip on localhost, parsing.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from engine.images import load_image, resize_image
from engine.planners.image_payload import encode_image
from engine.planners.openai_compat import OpenAIPlanner
from engine.planners.parse import parse_plan
from engine.protocols import PlanRequest
from engine.settings import Settings
from engine.prompts import render
from tests.servers.scripted_openai import ScriptedServer

PHOTO = Path(__file__).resolve().parents[2] / "app" / "assets" / "coffee.png"
PLAN = {"category": "addition", "target": "a red ball", "caption": "a red ball on the table",
        "box": [10, 10, 20, 20], "reason": "new object"}
MESSY = "Sure! Here is the plan:\n```json\n" + json.dumps(PLAN)[:-1] + ",}\n```"


def _ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 3)


def measure(n: int = 50) -> dict:
    image = load_image(PHOTO)
    server = ScriptedServer([{"content": json.dumps(PLAN)}]).start()
    try:
        settings = Settings.load(env={}, data_dir=Path(tempfile.mkdtemp()), planner="openai",
                                 openai_base_url=server.base_url, vlm_model="scripted")
        planner = OpenAIPlanner.from_settings(settings)
        planner.plan(PlanRequest("add a red ball", image))  # warm-up (client + connection)
        server.set_script([{"content": json.dumps(PLAN)}])
        plan_ms = _ms(lambda: planner.plan(PlanRequest("add a red ball", image)), n)
        requests_per_edit = len(server.requests) / n
        small, big = image[:64, :64].copy(), resize_image(image, (2400, 1600))
        server.set_script([{"content": json.dumps(PLAN)}])
        small_ms = _ms(lambda: planner.plan(PlanRequest("add a red ball", small)), n)
        big_ms = _ms(lambda: planner.plan(PlanRequest("add a red ball", big)), max(5, n // 5))
    finally:
        server.stop()
    shown = (image.shape[1], image.shape[0])
    return {
        "image": f"{image.shape[1]}x{image.shape[0]}", "vlm_max_image_side": settings.vlm_max_image_side,
        "requests_per_edit_happy_path": requests_per_edit,
        "plan_call_ms_median": plan_ms, "plan_call_64px_image_ms_median": small_ms,
        "plan_call_2400x1600_image_ms_median": big_ms,
        "encode_image_ms": _ms(lambda: encode_image(image, settings.vlm_max_image_side), n),
        "render_prompt_ms": _ms(lambda: render("plan", instruction="add a red ball", width=640, height=480,
                                               history=[], feedback=None), n),
        "parse_clean_ms": _ms(lambda: parse_plan(json.dumps(PLAN), shown, shown), n),
        "parse_messy_ms": _ms(lambda: parse_plan(MESSY, shown, shown), n),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 50), indent=1))
