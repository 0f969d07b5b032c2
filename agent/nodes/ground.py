"""ground: the category-aware edit mask, then the attempt's re-grounding and mask growth.

A recoverable failure (nothing found, no place to add) becomes a rejection the policy re-plans
from; after the budget, or when nothing could change, the typed error stops the run.
"""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.nodes.replan import proposal
from agent.state import EditState
from engine.errors import RecoverableToolError
from engine.plan import EditPlan
from engine.replan import AttemptParams, NoChange
from engine.verification import Verdict
from tools.ground import GroundEditInput, ground_edit
from tools.mask_ops import EditMaskInput, edit_mask
from tools.segment import SegmentInput, segment


def _mask(state: EditState, params: AttemptParams, ctx) -> tuple[str, dict]:
    res = ground_edit(GroundEditInput(
        image_id=state["source_id"], plan=EditPlan.model_validate(state["plan"]),
        user_mask_id=state.get("user_mask_id"), user_box=state.get("user_box"),
        combine=state.get("combine") or "override", dilate=ctx.settings.mask_dilate), ctx)
    info = res.model_dump(exclude={"mask_id"}, mode="json")
    mask_id = res.mask_id
    if 0 < params.detection < len(res.detections):  # re-ground: the next detection of the target
        mask_id = segment(SegmentInput(image_id=state["source_id"], boxes=[res.detections[params.detection].box]),
                          ctx).mask_id
        info["detection"] = params.detection
    if params.grow_px:
        op = "dilate" if params.grow_px > 0 else "erode"
        grown = edit_mask(EditMaskInput(op=op, image_id=state["source_id"], mask_id=mask_id,
                                        pixels=abs(params.grow_px)), ctx)
        if grown.bbox is not None:
            mask_id, info["grow_px"] = grown.mask_id, params.grow_px
        else:
            info.setdefault("warnings", []).append(f"eroding the mask by {-params.grow_px} px would empty it")
    return mask_id, info


def ground(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="ground")
    ctx = runtime.context
    params = AttemptParams.model_validate(state["params"])
    timings: dict = {}
    try:
        with timed(timings, "ground"):
            mask_id, info = _mask(state, params, ctx.tools)
    except RecoverableToolError as exc:
        rejection = Verdict(ok=False, problem="off_instruction", by="ground", reason=f"{type(exc).__name__}: {exc}")
        after = {**state, "rejections": [*(state.get("rejections") or []), rejection.model_dump()]}
        if params.n >= ctx.settings.retry_budget or isinstance(proposal(after, ctx), NoChange):
            raise
        return {"mask_id": None, "rejections": [rejection.model_dump()], "timings": timings}
    emit(runtime, "mask", mask_id=mask_id, **info)
    return {"mask_id": mask_id, "mask_info": info, "timings": timings}
