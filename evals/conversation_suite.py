"""The conversation suite: references to earlier turns and compound instructions.

Reference cases (JSONL): {"id", "turns": [{"instruction", "plan"?}], "instruction", "gold": {"category",
"target", "operations"? (labels as in planner_suite), "undo": versions taken back first, "refers": does
the instruction point at an earlier turn}}. The earlier turns are planned one after the other by the
planner under test (each seeing the turns before it), unless a turn gives its "plan"; then the last
instruction is planned against them. A case is resolved when category, target, undo, operations and
"refers" (the plan lists references or not) all match.

Compound cases: {"id", "instruction", "steps": [{"category", "target", "operations"?}, ...]}; a case is
split right when the plan has exactly those steps in that order. Refusal cases ({"id", "instruction"}: not
edits) score NotUnderstoodError answers (planner_suite). `run(...)` returns the report dict.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from engine.errors import BrushEditError
from engine.plan import Category, EditPlan, Turn
from engine.protocols import Planner, PlanRequest
from evals.metrics import target_match
from evals.planner_suite import _lines, load_refusals, op_labels, ops_match, run_refusal_suite

CASES = Path(__file__).resolve().parent / "cases"


class Gold(BaseModel):
    category: Category
    target: str = ""
    operations: list[str] | None = None
    undo: int = 0
    refers: bool = True


class GivenTurn(BaseModel):
    instruction: str
    plan: EditPlan | None = None


class ReferenceCase(BaseModel):
    id: str = ""
    turns: list[GivenTurn] = Field(min_length=1)
    instruction: str
    gold: Gold


class CompoundCase(BaseModel):
    id: str = ""
    instruction: str
    steps: list[Gold] = Field(min_length=1)


def _plan(planner: Planner, text: str, history: list[Turn]) -> tuple[EditPlan | None, str | None]:
    try:
        return planner.plan(PlanRequest(instruction=text, history=tuple(history))).plan, None
    except BrushEditError as exc:
        return None, str(exc)


def _step_ok(plan: EditPlan, gold: Gold) -> bool:
    return plan.category == gold.category and target_match(plan.target, gold.target) and ops_match(plan, gold.operations)


def _describe(plan: EditPlan | None) -> str:
    if plan is None:
        return "ERROR"
    return " | ".join(f"{s.category}/{s.target!r}{op_labels(s) or ''}" for s in plan.all_steps())


def run_reference(planner: Planner, cases: list[ReferenceCase]) -> dict[str, Any]:
    rows = []
    for case in cases:
        history: list[Turn] = []
        for k, turn in enumerate(case.turns):
            plan = turn.plan or _plan(planner, turn.instruction, history)[0]
            history.append(Turn(instruction=turn.instruction, plan=plan, version=f"v{k + 1}"))
        plan, error = _plan(planner, case.instruction, history)
        g = case.gold
        ok = plan is not None and _step_ok(plan, g) and plan.undo == g.undo and bool(plan.references) == g.refers
        rows.append({"id": case.id, "turns": [t.instruction for t in case.turns], "instruction": case.instruction,
                     "ok": ok, "got": _describe(plan), "undo": plan.undo if plan else None,
                     "references": [r.model_dump() for r in plan.references] if plan else [], "error": error,
                     "gold": g.model_dump()})
    return _summary("reference", rows)


def run_compound(planner: Planner, cases: list[CompoundCase]) -> dict[str, Any]:
    rows = []
    for case in cases:
        plan, error = _plan(planner, case.instruction, [])
        steps = plan.all_steps() if plan else []
        ok = len(steps) == len(case.steps) and all(_step_ok(s, g) for s, g in zip(steps, case.steps))
        rows.append({"id": case.id, "instruction": case.instruction, "ok": ok, "got": _describe(plan),
                     "error": error, "gold": [g.model_dump() for g in case.steps]})
    report = _summary("compound", rows)
    multi = [r for r in rows if len(r["gold"]) > 1]
    report["multi_step_n"] = len(multi)
    report["multi_step_accuracy"] = sum(r["ok"] for r in multi) / len(multi) if multi else None
    return report


def _summary(kind: str, rows: list[dict]) -> dict[str, Any]:
    n = len(rows)
    return {"n": n, "accuracy": sum(r["ok"] for r in rows) / n if n else 0.0,
            "failures": [r for r in rows if not r["ok"]], "rows": rows}


def _kind(path: Path) -> str:
    """'reference', 'compound' or 'refusals', from the first case of the file."""
    first = next((line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()), "{}")
    try:
        row = json.loads(first)
    except json.JSONDecodeError as exc:
        raise BrushEditError(f"{path}:1 is not JSON: {exc}.", fix="Give a JSONL file of conversation cases.") from exc
    return "reference" if "turns" in row else "compound" if "steps" in row else "refusals"


def run(planner: Planner, cases: str | None = None,
        reference: str | Path | None = CASES / "conversation_reference_dev.jsonl",
        compound: str | Path | None = CASES / "conversation_compound_dev.jsonl",
        refusals: str | Path | None = CASES / "planner_refusals_dev.jsonl") -> dict[str, Any]:
    """Score `planner` on a reference, a compound and a refusal file (each may be None); a plain dict.
    `cases` (the eval runner's --cases): comma-separated files that replace all three, each read as the
    kind its first case shows."""
    if cases:
        files = {"reference": None, "compound": None, "refusals": None}
        for name in str(cases).split(","):
            path = Path(name.strip())
            if not path.is_file():
                raise BrushEditError(f"Cases file not found: '{path}'.",
                                     fix="Pass e.g. --cases evals/cases/conversation_reference_holdout.jsonl.")
            files[_kind(path)] = path
        reference, compound, refusals = files["reference"], files["compound"], files["refusals"]
    start = time.perf_counter()
    report: dict[str, Any] = {"suite": "conversation", "planner": getattr(planner, "name", type(planner).__name__)}
    if reference:
        report["reference"] = run_reference(planner, _lines(Path(reference), ReferenceCase, "reference"))
        report["reference"]["cases_file"] = str(reference)
    if compound:
        report["compound"] = run_compound(planner, _lines(Path(compound), CompoundCase, "compound"))
        report["compound"]["cases_file"] = str(compound)
    if refusals:
        report["refusals"] = run_refusal_suite(planner, load_refusals(refusals))
        report["refusals"]["cases_file"] = str(refusals)
    report["seconds_total"] = time.perf_counter() - start
    report["summary"] = {f"{k}_accuracy": report[k]["accuracy"] for k in ("reference", "compound") if k in report}
    if "refusals" in report:
        report["summary"]["refusal_accuracy"] = report["refusals"]["refusal_accuracy"]
    return report


def format_summary(report: dict[str, Any], max_failures: int = 40) -> str:
    lines = [f"conversation suite, planner '{report['planner']}'"]
    for kind in ("reference", "compound"):
        part = report.get(kind)
        if not part:
            continue
        extra = (f", several-step cases {part['multi_step_accuracy']:.1%} of {part['multi_step_n']}"
                 if kind == "compound" and part.get("multi_step_accuracy") is not None else "")
        lines.append(f"{kind}: {part['accuracy']:.1%} of {part['n']} cases{extra}")
        for r in part["failures"][:max_failures]:
            gold = r["gold"] if kind == "compound" else [r["gold"]]
            want = " | ".join(f"{g['category']}/{g['target']!r}{g.get('operations') or ''}" for g in gold)
            before = f"{r['turns']} -> " if kind == "reference" else ""
            more = f" undo {r['undo']} (gold {r['gold']['undo']})" if kind == "reference" else ""
            lines.append(f"  {before}{r['instruction']!r}: want {want}, got {r['got']}{more}"
                         + (f" ({r['error']})" if r["error"] else ""))
    part = report.get("refusals")
    if part:
        lines.append(f"not an edit, refused with a hint: {part['refusal_accuracy']:.1%} of {part['n']} cases")
        lines += [f"  {r['instruction']!r}: got {r['got']}" for r in part["failures"][:max_failures]]
    return "\n".join(lines)


def dump(report: dict[str, Any], path: str | Path) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
