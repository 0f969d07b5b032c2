"""inpaint: caption -> generated image (raw, unblended)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.plan import EditPlan
from tools.inpaint import InpaintInput, inpaint as inpaint_tool
from tools.write_caption import WriteCaptionInput, write_caption


def inpaint(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="inpaint")
    ctx = runtime.context.tools
    plan = EditPlan.model_validate(state["plan"])
    caption = write_caption(WriteCaptionInput(plan=plan, instruction=state["instruction"]), ctx)
    seed = int(state.get("seed", 0)) + int(state.get("attempt", 0))
    timings = dict(state.get("timings") or {})
    with timed(timings, "inpaint"):
        res = inpaint_tool(
            InpaintInput(image_id=state["source_id"], mask_id=state["mask_id"], prompt=caption.prompt,
                         negative_prompt=caption.negative_prompt, category=plan.category, seed=seed),
            ctx,
        )
    return {"generated_id": res.image_id, "prompt": caption.prompt, "negative_prompt": caption.negative_prompt,
            "timings": timings, "extra": {**(state.get("extra") or {}), "inpainter": res.inpainter, "seed": seed}}
