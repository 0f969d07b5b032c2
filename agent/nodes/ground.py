"""ground: the category-aware edit mask. A recoverable failure (nothing found) becomes feedback."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.errors import RecoverableToolError
from engine.plan import EditPlan
from tools.ground import GroundEditInput, ground_edit


def ground(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="ground")
    timings = dict(state.get("timings") or {})
    plan = EditPlan.model_validate(state["plan"])
    if not plan.operations:  # can this profile do the edit at all? say so before any grounding advice
        runtime.context.tools.backends.check_supports(plan.category)
    extra_dilate = 10 * state.get("attempt", 0) if (state.get("feedback") and not state.get("user_mask_id")) else 0
    try:
        with timed(timings, "ground"):
            res = ground_edit(
                GroundEditInput(
                    image_id=state["source_id"], plan=plan,
                    user_mask_id=state.get("user_mask_id"), user_box=state.get("user_box"),
                    combine=state.get("combine") or "override",
                    dilate=runtime.context.settings.mask_dilate + extra_dilate,
                ),
                runtime.context.tools,
            )
    except RecoverableToolError as exc:
        if state.get("attempt", 0) >= runtime.context.settings.retry_budget:
            raise
        return {"mask_id": None, "feedback": f"{type(exc).__name__}: {exc}", "timings": timings}
    info = res.model_dump(exclude={"mask_id"})
    emit(runtime, "mask", mask_id=res.mask_id, **info)
    return {"mask_id": res.mask_id, "mask_info": info, "timings": timings}
