"""Removal benchmark with ground truth: `python -m evals.runner removal [--n 30] [--seed 0] [--out FILE]`.

Cases come from evals/synthetic.py (an object pasted on a bundled photo through a known mask, the
clean photo as ground truth). Given the box around the object, each row runs the real code path:
engine.grounding.ground_at_working_size with the row's segmenter, the row's inpainter, then
engine.blending.blend, and measures
- IoU of the segmenter's mask (before dilation) against the paste mask, and the share of the
  object the final edit mask covers;
- PSNR and SSIM (scikit-image) of the result against the clean photo inside the box;
- seconds per edit (grounding + fill + blend), wall clock and CPU time of this process;
- how many results the offline quality judge (engine/quality.py) accepts.
Rows: the box as the mask + Telea (what the `lite` profile did before), the classical segmenter +
Telea, the classical segmenter + the classical inpainter's default method, and + its `membrane`
method with no fade margin (the smooth guess PSNR rewards most).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

ROWS = ("box+telea", "classical+telea", "classical+auto", "classical+membrane")


def _backends(row: str):
    from engine.diffusion.classical import ClassicalInpainter
    from engine.vision.box import BoxSegmenter
    from engine.vision.classical_segmenter import ClassicalSegmenter

    if row == "box+telea":  # the old lite path: the box is the mask, grown by 0, Telea r=7 on the mask only
        return BoxSegmenter(), ClassicalInpainter(grow_px=0, radius=7), "telea", 0
    if row == "classical+telea":
        return ClassicalSegmenter(), ClassicalInpainter(grow_px=0, radius=7), "telea", None
    if row == "classical+membrane":  # the smoothest guess, no fade margin: what PSNR rewards most
        return ClassicalSegmenter(), ClassicalInpainter(grow_px=0), "membrane", None
    return ClassicalSegmenter(), ClassicalInpainter(), None, None


def _edit(case, segmenter, inpainter, method, dilate):
    from engine.blending import blend
    from engine.grounding import ground_at_working_size
    from engine.plan import EditPlan
    from engine.protocols import InpaintRequest

    plan = EditPlan(category="remove", target="object", caption="")
    found = ground_at_working_size(plan, case.image, short_side=640, detector=None, segmenter=segmenter,
                                   user_box=case.box, dilate_px=20 if dilate is None else dilate,
                                   exact_dilate=dilate is not None)
    generated = inpainter.inpaint(InpaintRequest(image=case.image, mask=found.mask, prompt="", category="remove",
                                                 method=method))
    return found, blend(case.image, generated, found.mask, 21)


def run_case(case, row: str) -> dict:
    from skimage.metrics import structural_similarity

    from engine.grounding import ground_at_working_size
    from engine.plan import EditPlan
    from engine.quality import assess
    from evals.metrics import mask_iou, psnr

    segmenter, inpainter, method, dilate = _backends(row)
    raw = ground_at_working_size(EditPlan(category="remove", target="object", caption=""), case.image,
                                 short_side=640, detector=None, segmenter=segmenter, user_box=case.box,
                                 dilate_px=0, exact_dilate=True)
    t0, c0 = time.perf_counter(), time.process_time()
    found, result = _edit(case, segmenter, inpainter, method, dilate)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    x, y, w, h = case.box
    inside, truth = result[y : y + h, x : x + w], case.clean[y : y + h, x : x + w]
    return {
        "id": case.id, "row": row, "iou": mask_iou(raw.mask, case.mask),
        "covered": float((found.mask & case.mask).sum() / case.mask.sum()),
        "psnr": psnr(inside, truth),
        "ssim": float(structural_similarity(inside, truth, channel_axis=2, data_range=255)),
        "seconds": wall, "cpu_seconds": cpu, "judge_ok": assess(case.image, result, found.mask).ok,
        "warnings": found.warnings,
    }


def summarise(results: list[dict]) -> dict:
    rows = {}
    for row in dict.fromkeys(r["row"] for r in results):
        rs = [r for r in results if r["row"] == row]
        rows[row] = {
            "cases": len(rs),
            **{f"{k}_mean": float(np.mean([r[k] for r in rs])) for k in ("iou", "covered", "psnr", "ssim",
                                                                        "seconds", "cpu_seconds")},
            "iou_min": float(min(r["iou"] for r in rs)), "seconds_max": float(max(r["seconds"] for r in rs)),
            "cpu_seconds_max": float(max(r["cpu_seconds"] for r in rs)),
            "judge_ok": int(sum(r["judge_ok"] for r in rs)), "fallbacks": int(sum(bool(r["warnings"]) for r in rs)),
        }
    base = rows.get(ROWS[0], {}).get("psnr_mean")
    for summary in rows.values():
        summary["psnr_gain"] = None if base is None else summary["psnr_mean"] - base
    return rows


def format_table(rows: dict) -> str:
    head = ("| row | cases | mask IoU mean (min) | object covered | PSNR in box (dB) | vs box+Telea | SSIM in box "
            "| s/edit mean (max) | CPU s/edit mean (max) | judge accepts |\n|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for name, r in rows.items():
        gain = "-" if name == ROWS[0] or r["psnr_gain"] is None else f"{r['psnr_gain']:+.2f} dB"
        lines.append(f"| {name} | {r['cases']} | {r['iou_mean']:.3f} ({r['iou_min']:.3f}) | {r['covered_mean']:.3f} "
                     f"| {r['psnr_mean']:.2f} | {gain} | {r['ssim_mean']:.3f} | {r['seconds_mean']:.2f} "
                     f"({r['seconds_max']:.2f}) | {r['cpu_seconds_mean']:.2f} ({r['cpu_seconds_max']:.2f}) "
                     f"| {r['judge_ok']}/{r['cases']} |")
    return "\n".join(lines)


def run(n: int = 30, seed: int = 0, rows: tuple[str, ...] = ROWS, out: str | Path | None = None,
        out_dir: str | Path | None = None, echo=print) -> dict:
    """Run every row on `n` synthetic cases; print the table; return (and optionally write) the report
    (`brushedit eval removal --out DIR` / `python -m evals.runner removal --out DIR` call this with
    `out_dir` and `seed`, through evals/suites.py)."""
    import cv2

    from evals.synthetic import removal_cases

    cv2.setNumThreads(1)  # "on one core"
    cases = removal_cases(n, seed)
    results = [run_case(case, row) for case in cases for row in rows]
    table = summarise(results)
    text = format_table(table)
    report = {"suite": "removal", "n": n, "seed": seed, "table": table,
              "rows": [{"row": name, **summary} for name, summary in table.items()],
              "summary": {f"{name} {k}": v for name, summary in table.items()
                          for k, v in summary.items() if k in ("iou_mean", "psnr_mean", "psnr_gain", "cpu_seconds_mean")},
              "text": text, "cases": results}
    echo(text)
    path = Path(out) if out else (Path(out_dir) / "removal.json" if out_dir else None)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        echo(f"\nreport written to {path}")
    return report
