"""adjust: a plan with `operations` is performed by the adjust tool instead of inpaint + blend.

Global plans adjust the whole image; other categories (background_blur is a `background` edit)
adjust inside the grounded mask, i.e. everything but the subject from the user box or the detector.
The result is final (no blend) and goes to verify as the attempt's one candidate.
"""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.plan import EditPlan
from tools.adjust import AdjustInput, adjust as adjust_tool


def adjust(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="adjust")
    plan = EditPlan.model_validate(state["plan"])
    timings: dict = {}
    with timed(timings, "adjust"):
        res = adjust_tool(
            AdjustInput(image_id=state["source_id"], operations=plan.operations,
                        mask_id=None if plan.category == "global" else state["mask_id"]),
            runtime.context.tools,
        )
    return {"generated_ids": [res.image_id], "result_ids": [res.image_id], "timings": timings,
            "plan_meta": {**(state.get("plan_meta") or {}), "inpainter": "adjust", "batched": False}}
