"""The planner suite: run a planner over `{instruction, category, target}` cases and score it.

Cases are JSON lines: {"id": str, "instruction": str, "category": one of CATEGORIES,
"target": str ('' when the plan names none)}. The report is a plain dict (JSON-ready).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import BrushEditError
from engine.plan import CATEGORIES, Category
from engine.protocols import Planner, PlanRequest
from evals.metrics import category_accuracy, target_accuracy, target_match


class PlannerCase(BaseModel):
    id: str = ""
    instruction: str
    category: Category
    target: str = ""


def load_cases(path: str | Path) -> list[PlannerCase]:
    """Read a JSONL file of planner cases; a bad line raises BrushEditError naming its number."""
    path = Path(path)
    if not path.is_file():
        raise BrushEditError(
            f"Cases file not found: '{path}'.", fix="Pass e.g. --cases evals/cases/planner_dev.jsonl."
        )
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = PlannerCase.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise BrushEditError(
                f"{path}:{n} is not a valid planner case: {exc}.",
                fix='Each line must be {"instruction": ..., "category": ..., "target": ...}.',
            ) from exc
        cases.append(case.model_copy(update={"id": case.id or f"line-{n}"}))
    return cases


def _predict(planner: Planner, case: PlannerCase) -> dict[str, Any]:
    row: dict[str, Any] = {"id": case.id, "instruction": case.instruction, "gold_category": case.category,
                           "gold_target": case.target}
    start = time.perf_counter()
    try:
        plan = planner.plan(PlanRequest(instruction=case.instruction)).plan
        row.update(category=plan.category, target=plan.target, caption=plan.caption, error=None)
    except BrushEditError as exc:
        row.update(category="", target="", caption="", error=str(exc))
    row["seconds"] = time.perf_counter() - start
    row["category_ok"] = row["category"] == case.category
    row["target_ok"] = target_match(row["target"], case.target)
    return row


def run_planner_suite(planner: Planner, cases: list[PlannerCase]) -> dict[str, Any]:
    """Score `planner` on `cases`: accuracies overall and per gold category, confusion, failures."""
    start = time.perf_counter()
    rows = [_predict(planner, c) for c in cases]
    total = time.perf_counter() - start
    per_category = {}
    for cat in CATEGORIES:
        sub = [r for r in rows if r["gold_category"] == cat]
        per_category[cat] = {
            "n": len(sub),
            "category_accuracy": category_accuracy([r["category"] for r in sub], [cat] * len(sub)),
            "target_accuracy": target_accuracy([r["target"] for r in sub], [r["gold_target"] for r in sub]),
        }
    gold_cats = [r["gold_category"] for r in rows]
    confusion = {g: {p: 0 for p in CATEGORIES + ("error",)} for g in CATEGORIES}
    for r in rows:
        confusion[r["gold_category"]][r["category"] or "error"] += 1
    return {
        "suite": "planner",
        "planner": getattr(planner, "name", type(planner).__name__),
        "n": len(rows),
        "category_accuracy": category_accuracy([r["category"] for r in rows], gold_cats),
        "target_accuracy": target_accuracy([r["target"] for r in rows], [r["gold_target"] for r in rows]),
        "per_category": per_category,
        "confusion": confusion,
        "seconds_total": total,
        "instructions_per_second": len(rows) / total if total > 0 else 0.0,
        "failures": [r for r in rows if not (r["category_ok"] and r["target_ok"])],
        "rows": rows,
    }


def format_summary(report: dict[str, Any], max_failures: int = 40) -> str:
    """A readable text summary of a planner report."""
    lines = [
        f"planner '{report['planner']}' on {report['n']} cases: "
        f"category {report['category_accuracy']:.1%}, target {report['target_accuracy']:.1%}, "
        f"{report['instructions_per_second']:.0f} instructions/s",
        "",
        f"{'category':<12}{'n':>5}{'cat acc':>10}{'tgt acc':>10}",
    ]
    for cat, s in report["per_category"].items():
        lines.append(f"{cat:<12}{s['n']:>5}{s['category_accuracy']:>10.1%}{s['target_accuracy']:>10.1%}")
    cols = list(CATEGORIES) + ["error"]
    header = " " * 12 + "".join(f"{c[:9]:>10}" for c in cols)
    lines += ["", "confusion (rows = gold, columns = predicted)", header]
    for gold, preds in report["confusion"].items():
        lines.append(f"{gold:<12}" + "".join(f"{preds[c]:>10}" for c in cols))
    failures = report["failures"]
    lines += ["", f"failures ({len(failures)}):"]
    for r in failures[:max_failures]:
        what = "+".join(k for k in ("category", "target") if not r[f"{k}_ok"])
        lines.append(
            f"  [{what}] {r['instruction']!r}: gold {r['gold_category']}/{r['gold_target']!r}, "
            f"got {r['category'] or 'ERROR'}/{r['target']!r}" + (f" ({r['error']})" if r["error"] else "")
        )
    if len(failures) > max_failures:
        lines.append(f"  ... and {len(failures) - max_failures} more (see the JSON report)")
    return "\n".join(lines)
