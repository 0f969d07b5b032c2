"""Aggregate case records into the report's tables: counts per category and suite, metric means,
agent metrics, and the paper protocols' columns (PIE-Bench, MagicBrush) with the paper's scales."""
from __future__ import annotations

import math
import statistics
from collections import defaultdict

# BrushEdit's PIE-Bench row as quoted in issue 11 (paper scales: LPIPS ×1e3, MSE ×1e4, SSIM ×1e2)
PAPER_PIE = {"unedited_psnr": 32.16, "unedited_lpips": 17.22, "unedited_mse": 8.43, "unedited_ssim": 97.08,
             "clip_whole": 22.44}
PIE_COLUMNS = [("unedited_psnr", "PSNR", 1), ("unedited_lpips", "LPIPS ×10³", 1e3), ("unedited_mse", "MSE ×10⁴", 1e4),
               ("unedited_ssim", "SSIM ×10²", 1e2), ("clip_whole", "CLIP whole", 1), ("clip_edited", "CLIP edited", 1)]
MB_COLUMNS = [("gt_l1", "L1", 1), ("gt_l2", "L2", 1), ("clip_i", "CLIP-I", 1), ("dino", "DINO", 1),
              ("clip_t", "CLIP-T", 1)]
GROUP_METRICS = ("mask_iou", "gt_psnr_gain", "gt_psnr_region", "gt_ssim_region", "gt_psnr_whole", "quality_score", "unedited_psnr",
                 "outside_unchanged")


def _num(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def mean_of(values) -> dict:
    """{mean, n, inf, missing}: the mean of the finite numbers; strings (e.g. 'model not present') counted apart."""
    nums = [_num(v) for v in values]
    finite = [v for v in nums if v is not None and math.isfinite(v)]
    return {"mean": statistics.fmean(finite) if finite else None, "n": len(finite),
            "inf": sum(1 for v in values if v == "inf" or (isinstance(v, float) and math.isinf(v))),
            "missing": sorted({v for v in values if isinstance(v, str) and v not in ("inf", "nan")})}


def _edits(records):
    for r in records:
        for t in r.get("turns", []):
            if t["kind"] == "edit":
                yield r, t


def _counts(records) -> dict:
    out = {k: sum(1 for r in records if r["status"] == k) for k in ("passed", "failed", "refused")}
    out["n"] = len(records)
    out["pass_rate"] = out["passed"] / len(records) if records else None
    return out


def groups(records, key: str) -> dict:
    by = defaultdict(list)
    for r in records:
        by[r[key]].append(r)
    table = {}
    for name in sorted(by):
        rows = by[name]
        metrics = {m: mean_of([t.get("metrics", {}).get(m) for _, t in _edits(rows) if m in t.get("metrics", {})])
                   for m in GROUP_METRICS}
        table[name] = {**_counts(rows), "metrics": {m: v for m, v in metrics.items() if v["n"] or v["missing"]}}
    return table


def agent_metrics(records) -> dict:
    turns = [t for _, t in _edits(records)]
    with_cat = [t for t in turns if t.get("plan") and any(c["name"] == "category" for c in t["checks"])]
    with_tgt = [t for t in turns if t.get("plan") and any(c["name"] == "target" for c in t["checks"])]

    def rate(ts, name):
        return sum(all(c["ok"] for c in t["checks"] if c["name"] == name) for t in ts) / len(ts) if ts else None

    timed = [t for t in turns if t.get("status") == "committed"]
    stages = defaultdict(list)
    for t in timed:
        for k, v in (t.get("timings") or {}).items():
            stages[k].append(v)
    wanted = [t for t in turns if not any(c["name"] == "error" for c in t["checks"])]
    return {
        "edit_turns": len(turns),
        "category_accuracy": rate(with_cat, "category"), "category_n": len(with_cat),
        "target_accuracy": rate(with_tgt, "target"), "target_n": len(with_tgt),
        "seconds_per_edit": mean_of([t.get("seconds") for t in timed]),
        "seconds_per_edit_median": statistics.median([t["seconds"] for t in timed]) if timed else None,
        "seconds_per_stage": {k: statistics.fmean(v) for k, v in sorted(stages.items())},
        "planner_calls_per_edit": mean_of([t.get("planner_calls") for t in turns]),
        "vlm_calls_per_edit": mean_of([t.get("vlm_calls") for t in turns]),
        "attempts_per_turn": mean_of([t.get("attempts") for t in turns if "attempts" in t]),
        "acceptance_rate": (sum(t.get("status") == "committed" for t in wanted) / len(wanted)) if wanted else None,
        "acceptance_n": len(wanted),
    }


def protocol_table(records, columns, turns: str = "all") -> dict:
    """Means of `columns` over committed turns (turns='final': the last turn of each case only)."""
    rows = []
    for r in records:
        ts = [t for t in r.get("turns", []) if t["kind"] == "edit"]
        rows += ts[-1:] if turns == "final" else ts
    scored = [t for t in rows if t.get("status") == "committed"]
    table = {"turns": len(rows), "scored": len(scored),
             "not_scored": {k: sum(1 for t in rows if t.get("outcome") == k and t.get("status") != "committed")
                            for k in ("refused", "failed")}}
    for key, label, scale in columns:
        m = mean_of([t.get("metrics", {}).get(key) for t in scored])
        shown = ("inf" if m["inf"] else None) if m["mean"] is None or m["inf"] else m["mean"] * scale
        table[key] = {**m, "label": label, "scale": scale, "shown": shown}
    return table


def summarize(records: list[dict], protocol: str) -> dict:
    out = {"counts": _counts(records), "by_category": groups(records, "category"),
           "by_suite": groups(records, "suite"), "agent": agent_metrics(records),
           "turns": {k: sum(1 for _, t in _edits(records) if t["outcome"] == k) for k in ("passed", "failed", "refused")}}
    if protocol == "pie-bench":
        out["pie_bench"] = protocol_table(records, PIE_COLUMNS)
        out["pie_bench"]["paper"] = PAPER_PIE
    if protocol == "magicbrush":
        out["magicbrush"] = {"final_turn": protocol_table(records, MB_COLUMNS, "final"),
                             "all_turns": protocol_table(records, MB_COLUMNS)}
    return out
