"""The planner suite: run a planner over `{instruction, category, target}` cases and score it.

Cases are JSON lines: {"id": str, "instruction": str, "category": one of CATEGORIES,
"target": str ('' when the plan names none), "operations": optional list of adjust operations
written "grayscale", "brightness+", "warmth-" ... ([] = a diffusion edit, no operations; absent =
not scored)}. A plan with several steps is scored on its first step (its top-level fields).
Refusal cases ({"id", "instruction"}) score whether the planner answers NotUnderstoodError.
The reports are plain dicts (JSON-ready).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import BrushEditError, NotUnderstoodError
from engine.plan import CATEGORIES, Category, EditPlan
from engine.protocols import Planner, PlanRequest
from evals.metrics import category_accuracy, target_accuracy, target_match


class PlannerCase(BaseModel):
    id: str = ""
    instruction: str
    category: Category
    target: str = ""
    operations: list[str] | None = None


class RefusalCase(BaseModel):
    id: str = ""
    instruction: str


_SIGNED = ("brightness", "contrast", "saturation", "warmth", "sharpness")


def op_labels(plan: EditPlan) -> list[str]:
    """The plan's operations as sorted labels: 'grayscale', 'brightness+', 'warmth-'."""
    return sorted(o.op + ("+" if o.strength > 0 else "-") if o.op in _SIGNED else o.op for o in plan.operations)


def ops_match(plan: EditPlan, gold: list[str] | None) -> bool:
    return gold is None or op_labels(plan) == sorted(gold)


def _lines(path: Path, model: type[BaseModel], what: str) -> list:
    if not path.is_file():
        raise BrushEditError(
            f"Cases file not found: '{path}'.", fix="Pass e.g. --cases evals/cases/planner_dev.jsonl."
        )
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = model.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise BrushEditError(f"{path}:{n} is not a valid {what} case: {exc}.",
                                 fix=f"Each line must be {what_fields(model)}.") from exc
        out.append(case.model_copy(update={"id": case.id or f"line-{n}"}))
    return out


def what_fields(model: type[BaseModel]) -> str:
    return "{" + ", ".join(f'"{k}": ...' for k in model.model_fields if k != "id") + "}"


def load_refusals(path: str | Path) -> list[RefusalCase]:
    """Read a JSONL file of instructions that are not edits (the planner must refuse them)."""
    return _lines(Path(path), RefusalCase, "refusal")


def run_refusal_suite(planner: Planner, cases: list[RefusalCase]) -> dict[str, Any]:
    """Fraction of not-an-edit instructions answered with NotUnderstoodError (with a hint)."""
    rows = []
    for case in cases:
        try:
            plan = planner.plan(PlanRequest(instruction=case.instruction)).plan
            rows.append({"id": case.id, "instruction": case.instruction, "refused": False,
                         "got": f"{plan.category}/{plan.target!r}"})
        except NotUnderstoodError as exc:
            rows.append({"id": case.id, "instruction": case.instruction, "refused": bool(exc.fix),
                         "got": str(exc)})
    n = len(rows)
    return {"suite": "refusals", "n": n, "refusal_accuracy": sum(r["refused"] for r in rows) / n if n else 0.0,
            "failures": [r for r in rows if not r["refused"]], "rows": rows}


def load_cases(path: str | Path) -> list[PlannerCase]:
    """Read a JSONL file of planner cases; a bad line raises BrushEditError naming its number."""
    return _lines(Path(path), PlannerCase, "planner")


def _predict(planner: Planner, case: PlannerCase) -> dict[str, Any]:
    row: dict[str, Any] = {"id": case.id, "instruction": case.instruction, "gold_category": case.category,
                           "gold_target": case.target}
    start = time.perf_counter()
    try:
        plan = planner.plan(PlanRequest(instruction=case.instruction)).plan
        row.update(category=plan.category, target=plan.target, caption=plan.caption, error=None,
                   operations=op_labels(plan), steps=len(plan.all_steps()), ops_ok=ops_match(plan, case.operations))
    except BrushEditError as exc:
        row.update(category="", target="", caption="", error=str(exc), operations=[], steps=0,
                   ops_ok=case.operations is None)
    row["seconds"] = time.perf_counter() - start
    row["gold_operations"] = case.operations
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
        "operations_accuracy": _ops_accuracy(rows),
        "failures": [r for r in rows if not (r["category_ok"] and r["target_ok"] and r["ops_ok"])],
        "rows": rows,
    }


def _ops_accuracy(rows: list[dict]) -> float | None:
    scored = [r for r in rows if r["gold_operations"] is not None]
    return sum(r["ops_ok"] for r in scored) / len(scored) if scored else None


def format_summary(report: dict[str, Any], max_failures: int = 40) -> str:
    """A readable text summary of a planner report."""
    lines = [
        f"planner '{report['planner']}' on {report['n']} cases: "
        f"category {report['category_accuracy']:.1%}, target {report['target_accuracy']:.1%}, "
        f"{report['instructions_per_second']:.0f} instructions/s"
        + (f", operations {report['operations_accuracy']:.1%}" if report.get("operations_accuracy") is not None
           else ""),
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
        what = "+".join(k for k in ("category", "target", "ops") if not r[f"{k}_ok"])
        lines.append(
            f"  [{what}] {r['instruction']!r}: gold {r['gold_category']}/{r['gold_target']!r}, "
            f"got {r['category'] or 'ERROR'}/{r['target']!r}" + (f" ({r['error']})" if r["error"] else "")
            + (f" ops {r['operations']} vs gold {r['gold_operations']}" if not r["ops_ok"] else "")
        )
    if len(failures) > max_failures:
        lines.append(f"  ... and {len(failures) - max_failures} more (see the JSON report)")
    return "\n".join(lines)
