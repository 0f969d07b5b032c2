"""Judges of an edit's result, and the typed verdict they return.

A judge looks at one result (source, blended result, edit mask, plan, instruction) and returns
`Verdict{ok, problem, reason, by, score}`; `problem` names what is wrong in terms the re-plan
policy (engine.replan) acts on. Judges combine in the order configured (`verify =
"preservation,quality"`): the first rejection is the verdict; when all accept, the score is their
mean. Candidates of one attempt are ranked by (ok, score).

- `preservation`: pixels outside the blend band equal the source bit for bit (catches blend bugs);
- `quality`: seams, smears and flat patches inside the mask against the ring around it
  (engine.quality, no weights): "artifact", or "target_still_present" when the worst is part of
  the object left just outside the mask (the retry grows the mask);
- `detector`: GroundingDINO re-check: a removed target is gone from the mask, an added one is in it;
- `vlm`: before/after + instruction -> a typed verdict in one call (engine.verification_vlm);
- `scripted`: verdicts given in advance, for tests and replays.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Mapping, Protocol, Sequence, get_args

import numpy as np
from pydantic import BaseModel, Field

from engine.errors import BrushEditError
from engine.plan import EditPlan

Problem = Literal["wrong_target", "target_still_present", "target_missing", "artifact", "off_instruction",
                  "background_changed", "none"]
PROBLEMS: tuple[str, ...] = get_args(Problem)


class Verdict(BaseModel):
    """ok: the result is acceptable; problem: what is wrong ("none" when ok); score: 0..1, 1 = best."""

    ok: bool
    problem: Problem = "none"
    reason: str = ""
    by: str = ""
    score: float | None = Field(None, ge=0.0, le=1.0)


@dataclass(frozen=True)
class Case:
    """What a judge sees. Images uint8 RGB [H, W, 3] of the source's size; mask bool [H, W]."""

    source: np.ndarray
    result: np.ndarray
    mask: np.ndarray
    plan: EditPlan
    instruction: str
    blur_kernel: int = 21


class Judge(Protocol):
    name: str

    def judge(self, case: Case) -> Verdict: ...


class PreservationJudge:
    """Every pixel outside the mask's feather band must equal the source."""

    name = "preservation"

    def judge(self, case: Case) -> Verdict:
        from engine.blending import band

        outside = ~band(case.mask, case.blur_kernel)
        changed = np.any(case.result != case.source, axis=2) & outside
        n = int(changed.sum())
        score = 1.0 - n / max(1, int(outside.sum()))
        if n:
            return Verdict(ok=False, problem="background_changed", by=self.name, score=score,
                           reason=f"{n} pixels outside the edited region changed.")
        return Verdict(ok=True, by=self.name, score=1.0, reason="pixels outside the edit are unchanged")


class QualityJudge:
    """Seams, smears and flat patches inside the mask, measured against the ring around it."""

    name = "quality"

    def judge(self, case: Case) -> Verdict:
        from engine.quality import assess  # owner: the offline pixels; no weights

        if case.plan is not None and case.plan.operations:  # a photo adjustment is meant to change texture
            return Verdict(ok=True, problem="none", by=self.name, score=1.0,
                           reason="a photo adjustment, not a fill: nothing for the quality judge to check")
        report = assess(case.source, case.result, case.mask)
        return Verdict(ok=bool(report.ok), problem=report.problem, by=self.name,
                       score=float(min(1.0, max(0.0, report.score))), reason=report.reason)


def _center_inside(mask: np.ndarray, box) -> bool:
    """The detection lies on the edited region: its centre is in the mask, or mask pixels cover 10 % of
    its box (a tight object mask need not hold the box centre: a diagonal spoon's is on the cup)."""
    x0, y0, x1, y1 = box
    cx, cy = int((x0 + x1) / 2), int((y0 + y1) / 2)
    if 0 <= cy < mask.shape[0] and 0 <= cx < mask.shape[1] and mask[cy, cx]:
        return True
    part = mask[max(0, int(y0)) : max(0, int(np.ceil(y1))), max(0, int(x0)) : max(0, int(np.ceil(x1)))]
    return part.size > 0 and float(part.mean()) >= 0.1


class DetectorJudge:
    """Re-runs the detector on the result: removed target gone from the mask, added target inside it."""

    name = "detector"

    def __init__(self, detector, box_threshold: float = 0.3, text_threshold: float = 0.25):
        self.detector, self.box_threshold, self.text_threshold = detector, box_threshold, text_threshold

    def judge(self, case: Case) -> Verdict:
        plan = case.plan
        if self.detector is None or plan.category not in ("remove", "addition") or not plan.target:
            return Verdict(ok=True, by=self.name, reason="not checkable by the detector")
        found = [d for d in self.detector.detect(case.result, plan.target, self.box_threshold, self.text_threshold)
                 if _center_inside(case.mask, d.box)]
        best = max(found, key=lambda d: d.score) if found else None
        if plan.category == "remove" and best is not None:
            return Verdict(ok=False, problem="target_still_present", by=self.name, score=1.0 - float(best.score),
                           reason=f"'{plan.target}' is still visible in the edited region (score {best.score:.2f}).")
        if plan.category == "addition" and best is None:
            return Verdict(ok=False, problem="target_missing", by=self.name, score=0.0,
                           reason=f"No '{plan.target}' is visible in the added region.")
        score = float(best.score) if best is not None else 1.0
        return Verdict(ok=True, by=self.name, score=score, reason="detector re-check passed")


@dataclass
class ScriptedJudge:
    """Returns the given verdicts in order (the last one repeats); records every case it saw."""

    verdicts: Sequence[Verdict | dict]
    name: str = "scripted"
    cases: list[Case] = field(default_factory=list)

    def judge(self, case: Case) -> Verdict:
        self.cases.append(case)
        v = self.verdicts[min(len(self.cases) - 1, len(self.verdicts) - 1)]
        return (v if isinstance(v, Verdict) else Verdict.model_validate(v)).model_copy(update={"by": self.name})


def build_judges(names: Sequence[str], *, detector: Callable[[], object], chat_model: Callable[[], object],
                 settings, given: Mapping[str, Judge] | None = None) -> list[Judge]:
    """Judges for `settings.judges`; `detector` / `chat_model` are called only when a judge needs them.
    `given` replaces judges by name (the scripted judge comes only from there)."""
    given = dict(given or {})
    out: list[Judge] = []
    for name in names:
        if name in given:
            out.append(given[name])
        elif name == "preservation":
            out.append(PreservationJudge())
        elif name == "quality":
            out.append(QualityJudge())
        elif name == "detector":
            out.append(DetectorJudge(detector(), settings.box_threshold, settings.text_threshold))
        elif name == "vlm":
            from engine.verification_vlm import VLMJudge

            out.append(VLMJudge(chat_model(), max_image_side=min(768, settings.vlm_max_image_side)))
        else:
            raise BrushEditError(f"The '{name}' judge has no verdicts to give.",
                                 fix="It is for tests: pass Session(..., judges={'scripted': ScriptedJudge([...])}).")
    return out


def judge_all(judges: Sequence[Judge], case: Case) -> Verdict:
    """Run the judges in order; the first rejection is the verdict, else all accept (mean score)."""
    if not judges:
        return Verdict(ok=True, by="none", reason="verification off")
    passed: list[Verdict] = []
    for judge in judges:
        verdict = judge.judge(case)
        if not verdict.ok:
            if verdict.problem == "none":
                verdict = verdict.model_copy(update={"problem": "off_instruction"})
            return verdict
        passed.append(verdict)
    scores = [v.score for v in passed if v.score is not None]
    return Verdict(ok=True, by="+".join(v.by for v in passed), score=sum(scores) / len(scores) if scores else None,
                   reason="; ".join(v.reason for v in passed if v.reason))


def rank_key(verdict: Verdict | dict) -> tuple[bool, float]:
    v = verdict if isinstance(verdict, Verdict) else Verdict.model_validate(verdict)
    return v.ok, (0.5 if v.score is None else v.score)


def rank(verdicts: Sequence[Verdict | dict]) -> list[int]:
    """Indices best first: accepted before rejected, then by score; ties keep the given order."""
    return sorted(range(len(verdicts)), key=lambda i: rank_key(verdicts[i]), reverse=True)
