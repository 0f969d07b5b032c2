"""verify: judge the result; a rejection routes back to plan with the reason as feedback.

- `detector`: re-run the detector on the result: a removed target must be gone from the mask,
  an added target must be found inside it;
- `vlm`: ask the planning VLM yes/no with a reason (engine.planners.verifier);
- `none`: accept.
"""
from __future__ import annotations

import numpy as np
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.plan import EditPlan


def _inside(mask: np.ndarray, box) -> bool:
    """The detection lies on the edited region: mask pixels cover 10 % of its box or more (a tight object
    mask need not contain the box centre: a diagonal spoon's bbox centre is on the cup)."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    part = mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    return part.size > 0 and float(part.mean()) >= 0.1


def detector_verdict(plan: EditPlan, result: np.ndarray, mask: np.ndarray, detector, settings) -> dict:
    if detector is None or plan.category not in ("remove", "addition") or not plan.target:
        return {"ok": True, "reason": "not checkable by the detector", "by": "detector"}
    found = [d for d in detector.detect(result, plan.target, settings.box_threshold, settings.text_threshold)
             if _inside(mask, d.box)]
    if plan.category == "remove" and found:
        best = max(found, key=lambda d: d.score)
        return {"ok": False, "by": "detector",
                "reason": f"'{plan.target}' is still visible in the edited region (score {best.score:.2f})."}
    if plan.category == "addition" and not found:
        return {"ok": False, "by": "detector", "reason": f"No '{plan.target}' is visible in the added region."}
    return {"ok": True, "reason": "detector re-check passed", "by": "detector"}


def verify(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    ctx = runtime.context
    mode = ctx.settings.verify
    if mode == "none":
        return {"verdict": {"ok": True, "reason": "verification off", "by": "none"}}
    emit(runtime, "stage", name="verify")
    plan = EditPlan.model_validate(state["plan"])
    result = ctx.store.get_image(state["result_id"])
    timings = dict(state.get("timings") or {})
    with timed(timings, "verify"):
        if mode == "detector":
            verdict = detector_verdict(plan, result, ctx.store.get_mask(state["mask_id"]),
                                       ctx.tools.backends.detector, ctx.settings)
        else:
            from engine.planners.verifier import VLMVerifier

            ok, reason = VLMVerifier(ctx.tools.backends.chat_model).verify(
                ctx.store.get_image(state["source_id"]), result, state["instruction"], plan)
            verdict = {"ok": ok, "reason": reason, "by": "vlm"}
    emit(runtime, "verdict", **verdict)
    update = {"verdict": verdict, "timings": timings}
    if not verdict["ok"]:
        update["feedback"] = f"Verifier rejected the result: {verdict['reason']}"
    return update
