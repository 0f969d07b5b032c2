"""The edit suite: whole multi-turn sessions through the Session API, scored per turn.

Case (one JSON line): {"id", "image": path (relative to the cases file) or "bundled:coffee",
"turns": [{"instruction", "box"?: [x,y,w,h], "expect_category"?, "expect_error"?: ErrorClassName,
"then"?: "undo" | "redo" | "checkout:vN"}]}.

Per turn: status, plan category (and whether it matches), attempts (self-correction loops),
`outside_unchanged` (fraction of pixels outside the blend band that are bit-identical: must be
1.0), fraction changed inside the mask, mask coverage, seconds; an expected error counts as a
pass when that error type is raised and the head version is unchanged.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
from pydantic import BaseModel, Field

from engine.errors import BrushEditError
from evals.metrics import outside_unchanged

BUNDLED = {"coffee": Path(__file__).resolve().parents[1] / "app" / "assets" / "coffee.png"}


class Turn(BaseModel):
    instruction: str
    box: tuple[float, float, float, float] | None = None
    expect_category: str | None = None
    expect_error: str | None = None
    then: str | None = None


class EditCase(BaseModel):
    id: str
    image: str
    turns: list[Turn] = Field(min_length=1)


def load_edit_cases(path: str | Path) -> list[EditCase]:
    path = Path(path)
    if not path.is_file():
        raise BrushEditError(f"Cases file not found: '{path}'.", fix="Pass e.g. --cases evals/cases/edit_offline.jsonl")
    cases = [EditCase.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]
    for c in cases:
        c.image = str(BUNDLED[c.image[8:]] if c.image.startswith("bundled:") else (path.parent / c.image))
    return cases


def _score_turn(session, turn: Turn, blur: int) -> dict:
    head_before = session.head.id
    t0 = time.perf_counter()
    try:
        out = session.edit(turn.instruction, box=turn.box)
    except BrushEditError as exc:
        ok = type(exc).__name__ == turn.expect_error and session.head.id == head_before
        return {"instruction": turn.instruction, "status": "error", "error": type(exc).__name__,
                "message": exc.message, "pass": ok, "seconds": time.perf_counter() - t0}
    row = {"instruction": turn.instruction, "status": out.status, "attempts": out.attempts,
           "seconds": time.perf_counter() - t0, "category": (out.plan or {}).get("category")}
    if out.status == "committed":
        v = out.version
        before, after = session.image(v.parent), session.image(v.id)
        mask = session.store.get_mask(v.mask_id)
        row["outside_unchanged"] = outside_unchanged(before, after, mask, blur)
        row["changed_in_mask"] = float(np.any(before != after, axis=2)[mask].mean())
        row["mask_coverage"] = float(mask.mean())
    row["pass"] = (turn.expect_error is None and out.status == "committed"
                   and row.get("outside_unchanged") == 1.0
                   and (turn.expect_category is None or row["category"] == turn.expect_category))
    return row


def run_edit_suite(cases: list[EditCase], session_factory: Callable[[str, str], object]) -> dict:
    """session_factory(name, image_path) -> a new agent.session.Session."""
    rows = []
    for case in cases:
        s = session_factory(case.id, case.image)
        for i, turn in enumerate(case.turns):
            row = {"case": case.id, "turn": i, **_score_turn(s, turn, s.settings.blur_kernel)}
            if turn.then:
                row["then"] = (s.checkout(turn.then[9:]) if turn.then.startswith("checkout:")
                               else getattr(s, turn.then)()).id
            rows.append(row)
    passed = sum(r["pass"] for r in rows)
    return {"turns": len(rows), "passed": passed, "rows": rows,
            "mean_attempts": float(np.mean([r.get("attempts", 1) for r in rows])) if rows else 0.0}


def default_factory(settings_overrides: dict) -> Callable[[str, str], object]:
    from agent.session import Session
    from engine.settings import Settings

    home = Path(tempfile.mkdtemp(prefix="brushedit-eval-"))
    settings = Settings.load(**{"data_dir": home, **settings_overrides})
    return lambda name, image: Session.new(name, image, settings)


def format_edit_summary(report: dict) -> str:
    lines = [f"edit suite: {report['passed']}/{report['turns']} turns passed, "
             f"mean attempts {report['mean_attempts']:.2f}"]
    for r in report["rows"]:
        mark = "ok  " if r["pass"] else "FAIL"
        extra = (f"outside_unchanged={r['outside_unchanged']:.4f} changed_in_mask={r['changed_in_mask']:.2f}"
                 if "outside_unchanged" in r else f"{r.get('error', r['status'])}")
        lines.append(f"  {mark} {r['case']}#{r['turn']} {r['instruction']!r}: {extra} ({r['seconds']:.2f}s)")
    return "\n".join(lines)


def dump(report: dict, out: str | Path) -> None:
    Path(out).write_text(json.dumps(report, indent=2) + "\n")
