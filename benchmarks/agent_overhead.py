"""Agent + store overhead per turn (CPU): everything except planning, segmenting and inpainting, with its split.

A scripted planner, an instant segmenter (reads the box's pixels, returns the ellipse inscribed in
it) and an instant inpainter (copies the source, paints the mask grey) stand in for the models, so
what is timed is the graph, checkpointing, the version store, the image store, the grounding around
the segmenter and blending, on a photo-like image (gradients + noise). The reference is ONE Pillow
PNG encode (level 1) of the same image timed in the same run: on a shared machine read the ratio,
not the milliseconds.

Wirings: `as-is` runs the nodes as they are; `recommended` applies the store calls described in
docs/benchmarks.md to the tool/node functions from outside (the raw generation is kept in memory
only, the mask and the blended result are written in the background, commit flushes them first).
Since the third round (docs/benchmarks.md) the tools and nodes make those calls themselves (verify
flushes what its records name), so on this tree both wirings time the same calls.

    python benchmarks/agent_overhead.py [--sizes 1024 2048] [--turns 10] [--wiring both]
    python benchmarks/agent_overhead.py --history 500 --startup 5      # history and CLI start-up too
    python benchmarks/agent_overhead.py --compare main --history 500 --startup 5   # before/after, one run

`--compare REF` extracts git REF (`git archive`) to a temp dir and runs this same script on it and on
this tree, alternating size by size (and interleaving the start-up runs), so both see the same load.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from functools import wraps
from pathlib import Path

import numpy as np

ROOT = Path(os.environ.get("BRUSHEDIT_BENCH_ROOT") or Path(__file__).resolve().parents[1])  # --compare: the ref's tree
sys.path.insert(0, str(ROOT))

from agent.session import Session  # noqa: E402
from agent.versions import Version, VersionStore  # noqa: E402
from engine.backends import Backends  # noqa: E402
from engine.image_store import ImageStore  # noqa: E402
from engine.plan import EditPlan, PlanResult  # noqa: E402
from engine.settings import Settings  # noqa: E402

try:  # the store's own counters (this branch); older stores are timed from outside only
    from engine.store_io import STATS
except ImportError:  # pragma: no cover - the "before" run on main
    STATS = None


class InstantPlanner:
    name = "instant"

    def plan(self, request):
        return PlanResult(plan=EditPlan(category="remove", target="thing", caption="background"), planner=self.name)


class InstantSegmenter:
    """Reads each box's pixels (as a model would), returns the box inset by a fifth on each side (a
    plausible object: 36 % of its box)."""

    name = "instant"

    def segment(self, image, boxes):
        out = []
        for x0, y0, x1, y1 in boxes:
            float(image[int(y0):int(y1), int(x0):int(x1)].mean())
            m = np.zeros(image.shape[:2], bool)
            dx, dy = (x1 - x0) / 5, (y1 - y0) / 5
            m[int(y0 + dy):int(y1 - dy), int(x0 + dx):int(x1 - dx)] = True
            out.append(m)
        return out


class InstantInpainter:
    name = "instant"
    methods = ("instant",)

    def supports(self, category):
        return True

    def inpaint(self, request):
        out = request.image.copy()
        out[request.mask] = 127
        return out


TIMES: dict[str, float] = defaultdict(float)


def timed(owner, attr: str, bucket: str) -> None:
    """Wrap owner.attr so its wall time adds to TIMES[bucket] (outermost call only)."""
    fn, depth = getattr(owner, attr), [0]

    @wraps(fn)
    def wrapper(*a, **kw):
        depth[0] += 1
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                TIMES[bucket] += time.perf_counter() - t0
    setattr(owner, attr, wrapper)


def instrument() -> None:
    import tools.blend

    for name in ("commit", "head", "get", "lineage", "pending", "set_pending", "history", "state", "_tx"):
        if hasattr(VersionStore, name) and name != "_tx":
            timed(VersionStore, name, "version store")
    timed(ImageStore, "put", "image store put")
    for name in ("get_image", "get_mask", "flush"):
        if hasattr(ImageStore, name):
            timed(ImageStore, name, "image store get" if name != "flush" else "image store flush")
    import engine.images

    for name in ("blend_images", "blend_counted"):  # (before / after: the count made while blending)
        if hasattr(tools.blend, name):
            timed(tools.blend, name, "blend (pixels)")
    if hasattr(tools.blend, "changed_fraction"):
        timed(tools.blend, "changed_fraction", "blend: changed fraction")
    import engine.grounding

    timed(engine.images, "resize_image", "ground: resize to working size")
    if hasattr(engine.grounding, "working_image"):  # this branch: grounding's own (cheaper) resample
        timed(engine.grounding, "working_image", "ground: resize to working size")
    timed(InstantInpainter, "inpaint", "inpaint stand-in (copy + paint)")
    timed(InstantSegmenter, "segment", "segment stand-in")
    from langgraph.checkpoint.sqlite import SqliteSaver

    for name in ("put", "put_writes", "get_tuple", "delete_thread"):
        timed(SqliteSaver, name, "  of which checkpointer (SQLite; partly on LangGraph threads)")
    if STATS is None:
        import engine.image_store

        timed(engine.image_store, "to_png_bytes", "  of which encode (PNG)")


class _Calls:
    """The store as the recommended wiring calls it: put() with fixed keywords."""

    def __init__(self, store, **put_kw):
        self._store, self._kw = store, put_kw

    def put(self, array, **kw):
        return self._store.put(array, **{**self._kw, **kw})

    def __getattr__(self, name):
        return getattr(self._store, name)


def recommended_wiring() -> None:
    import agent.graph
    import agent.nodes.blend
    import agent.nodes.ground
    import agent.nodes.inpaint

    def with_store(fn, **put_kw):
        return lambda inp, ctx: fn(inp, dataclasses.replace(ctx, store=_Calls(ctx.store, **put_kw)))
    agent.nodes.ground.ground_edit = with_store(agent.nodes.ground.ground_edit, wait=False)
    agent.nodes.inpaint.inpaint_tool = with_store(agent.nodes.inpaint.inpaint_tool, durable=False, copy=False)
    agent.nodes.blend.blend_tool = with_store(agent.nodes.blend.blend_tool, wait=False, copy=False)
    def flushed(node, keys):
        def run(state, runtime):  # ids become reachable from versions.sqlite in this node: durable first
            ids = [i for k in keys for i in (state.get(k) if isinstance(state.get(k), list) else [state.get(k)])]
            runtime.context.tools.store.flush([i for i in ids if i])
            return node(state, runtime)
        return run
    agent.graph.verify = flushed(agent.graph.verify, ["result_ids", "mask_id"])  # records the attempts
    agent.graph.commit = flushed(agent.graph.commit, ["result_id", "mask_id"])


def photo_like(size: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size]
    base = np.stack([xx * 255 / size, yy * 255 / size, (xx + yy) * 127 / size], -1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def png1_ms(image: np.ndarray, n: int = 3) -> float:
    from PIL import Image

    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        Image.fromarray(image).save(io.BytesIO(), format="PNG", compress_level=1)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def run_turns(size: int, turns: int) -> dict:
    image = photo_like(size)
    ref = []  # one PNG-1 encode before every turn: reference and turns see the same load
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(env={}, data_dir=Path(tmp))
        backends = Backends(settings, planner=InstantPlanner(), inpainter=InstantInpainter(),
                            segmenter=InstantSegmenter())
        s = Session.new("bench", image, settings, backends=backends)
        totals, split = [], defaultdict(list)
        for i in range(turns + 1):
            box = (50 + 20 * i, 60 + 10 * i, size // 4, size // 4)
            ref.append(png1_ms(image, 1))
            TIMES.clear()
            before = STATS.snapshot() if STATS else {}
            t0 = time.perf_counter()
            s.edit(f"remove thing {i}", box=box)
            dt = time.perf_counter() - t0
            if i == 0:
                continue  # the first turn builds the graph and opens the checkpointer
            totals.append(dt)
            for k, v in TIMES.items():
                split[k].append(v)
            for k, v in (STATS.snapshot() if STATS else {}).items():
                split["  of which " + k.removesuffix("_s")].append(v - before[k])
            split["graph+checkpoint+rest"].append(dt - sum(v for k, v in TIMES.items() if not k.startswith(" ")))
        moves = min(5, turns)
        t0 = time.perf_counter()
        for _ in range(moves):
            s.undo()
        for _ in range(moves):
            s.redo()
        head_move = (time.perf_counter() - t0) / (2 * moves)
    return {"size": size, "turn_ms": statistics.median(totals) * 1e3, "png1_ms": statistics.median(ref),
            "split": {k: statistics.median(v) * 1e3 for k, v in split.items()}, "undo_redo_ms": head_move * 1e3}


def history_ms(n: int) -> tuple[float, float]:
    """Session.history() and `brushedit history` (a new process) on a session of n versions."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(env={}, data_dir=Path(tmp))
        s = Session.new("long", np.zeros((8, 8, 3), np.uint8), settings)
        v0 = s.head
        for i in range(n - 1):
            s.versions.commit("long", Version(id="pending", parent=s.head.id, image_id=v0.image_id,
                                              instruction=f"edit {i}", plan={"category": "remove"}))
        t0 = time.perf_counter()
        assert len(s.history()) == n
        inproc = time.perf_counter() - t0
        t0 = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        subprocess.run([sys.executable, "-m", "app.cli", "history", "-s", "long", "--data-dir", tmp],
                       cwd=ROOT, check=True, capture_output=True, env=env)
        return inproc * 1e3, (time.perf_counter() - t0) * 1e3


def startup_ms(repeat: int, roots: dict[str, Path] | None = None) -> dict[str, dict[str, float]]:
    """Median wall time of model-free commands and of a bare `python -c pass`, interleaved (across
    `roots` too: {label: tree}, default this tree)."""
    roots = roots or {"": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        Session.new("s", np.zeros((8, 8, 3), np.uint8), Settings.load(env={}, data_dir=Path(tmp)))
        cmds = {"python -c pass": ["-c", "pass"], "--help": ["-m", "app.cli", "--help"],
                "plan (rules)": ["-m", "app.cli", "plan", "remove the dog", "--json"],
                "history": ["-m", "app.cli", "history", "-s", "s", "--data-dir", tmp]}
        times = defaultdict(lambda: defaultdict(list))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # cwd (each tree) comes first
        for _ in range(repeat):
            for label, root in roots.items():
                for name, args in cmds.items():
                    t0 = time.perf_counter()
                    subprocess.run([sys.executable, *args], cwd=root, check=True, capture_output=True, env=env)
                    times[label][name].append(time.perf_counter() - t0)
    return {label: {k: statistics.median(v) * 1e3 for k, v in t.items()} for label, t in times.items()}


def report(r: dict, wiring: str) -> None:
    print(f"{r['size']}² [{wiring}] per turn, median: {r['turn_ms']:.1f} ms; one Pillow PNG-1 encode of the "
          f"same image: {r['png1_ms']:.1f} ms; ratio {r['turn_ms'] / r['png1_ms']:.2f}; "
          f"undo/redo {r['undo_redo_ms']:.2f} ms")
    stages = sum(v for k, v in r["split"].items() if k.startswith(("ground:", "inpaint stand-in", "segment stand-in")))
    print(f"    without the grounding resize and the stand-ins: {r['turn_ms'] - stages:.1f} ms, "
          f"ratio {(r['turn_ms'] - stages) / r['png1_ms']:.2f}")
    for k, v in sorted(r["split"].items(), key=lambda kv: kv[0].startswith("  ")):
        print(f"    {k:<28} {v:7.1f} ms")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def compare(ref: str, args) -> None:
    """This script on git `ref` and on this tree, alternating, in one run; a before/after table."""
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(here), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        trees = {f"before ({ref})": Path(tmp), "after (this tree)": here}
        results: dict[str, list] = {k: [] for k in trees}
        print(f"load average at start: {load_average()}")
        for size in args.sizes:
            for label, root in trees.items():
                out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--sizes", str(size),
                                      "--turns", str(args.turns), "--wiring", args.wiring, "--json"],
                                     env={**os.environ, "BRUSHEDIT_BENCH_ROOT": str(root)}, cwd=root,
                                     check=True, capture_output=True, text=True).stdout
                results[label] += json.loads(out.splitlines()[-1])["turns"]
        for label, rs in results.items():
            print(f"== {label}")
            for r in rs:
                report(r, r["wiring"])
        if args.history:
            for label, root in trees.items():
                out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--sizes", "--history",
                                      str(args.history), "--json"], env={**os.environ, "BRUSHEDIT_BENCH_ROOT": str(root)},
                                     cwd=root, check=True, capture_output=True, text=True).stdout
                h = json.loads(out.splitlines()[-1])["history"]
                print(f"{label}: history of {args.history} versions: Session.history() {h[0]:.1f} ms; "
                      f"`brushedit history` (new process) {h[1]:.0f} ms")
        if args.startup:
            for label, t in startup_ms(args.startup, trees).items():
                base = t["python -c pass"]
                print(f"{label}: start-up, median of {args.startup} runs (interleaved):",
                      "; ".join(f"{k} {v:.0f} ms ({v / base:.1f}x)" for k, v in t.items()))
        print(f"load average at end: {load_average()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1024, 2048])
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--wiring", choices=["as-is", "recommended", "both"], default="both")
    ap.add_argument("--history", type=int, default=0, help="also time `history` on a session of N versions")
    ap.add_argument("--startup", type=int, default=0, help="also time CLI start-up, N runs each")
    ap.add_argument("--compare", metavar="GIT_REF", help="run on GIT_REF and on this tree, alternating (before/after)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # --compare's child runs
    args = ap.parse_args()
    if args.compare:
        return compare(args.compare, args)
    instrument()
    wirings = ["as-is", "recommended"] if args.wiring == "both" else [args.wiring]
    out: dict = {"turns": []}
    if not args.json:
        print(f"{args.turns} turns per size (CPU); planner, segmenter and inpainter are instant stand-ins; "
              f"load average {load_average()}")
    for wiring in wirings:
        if wiring == "recommended":
            recommended_wiring()  # applies to graphs built from now on
        for size in args.sizes:
            r = {**run_turns(size, args.turns), "wiring": wiring}
            out["turns"].append(r)
            if not args.json:
                report(r, wiring)
    if args.history:
        inproc, cli = out["history"] = history_ms(args.history)
        if not args.json:
            print(f"history of {args.history} versions: Session.history() {inproc:.1f} ms; "
                  f"`brushedit history` (new process) {cli:.0f} ms")
    if args.startup and not args.json:
        t = startup_ms(args.startup)[""]
        base = t["python -c pass"]
        print("start-up, median of", args.startup, "runs:",
              "; ".join(f"{k} {v:.0f} ms ({v / base:.1f}x)" for k, v in t.items()))
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
