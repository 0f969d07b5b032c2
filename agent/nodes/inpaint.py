"""inpaint: caption -> one raw (unblended) result per candidate seed of the attempt."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.plan import EditPlan
from engine.replan import AttemptParams
from tools.inpaint import InpaintInput, inpaint as inpaint_tool
from tools.write_caption import WriteCaptionInput, write_caption


def inpaint(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    params = AttemptParams.model_validate(state["params"])
    emit(runtime, "stage", name="inpaint", candidates=len(params.seeds))
    ctx = runtime.context.tools
    plan = EditPlan.model_validate(state["plan"])
    caption = write_caption(WriteCaptionInput(plan=plan, instruction=state["instruction"]), ctx)
    timings: dict = {}
    with timed(timings, "inpaint"):
        res = inpaint_tool(
            InpaintInput(image_id=state["source_id"], mask_id=state["mask_id"], prompt=caption.prompt,
                         negative_prompt=caption.negative_prompt, category=plan.category, seeds=params.seeds,
                         method=params.method, steps=params.steps),
            ctx,
        )
    return {"generated_ids": res.image_ids, "timings": timings,
            "plan_meta": {**(state.get("plan_meta") or {}), "inpainter": res.inpainter, "batched": res.batched}}
