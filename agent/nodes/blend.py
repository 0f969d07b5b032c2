"""blend: exact paste of each candidate's generated pixels through the feathered mask."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from tools.blend import BlendInput, blend as blend_tool


def blend(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="blend")
    timings: dict = {}
    with timed(timings, "blend"):
        ids = [blend_tool(BlendInput(source_id=state["source_id"], generated_id=g, mask_id=state["mask_id"]),
                          runtime.context.tools).image_id for g in state["generated_ids"]]
    return {"result_ids": ids, "timings": timings}
