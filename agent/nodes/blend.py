"""blend: exact paste of the generated pixels through the feathered mask."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from tools.blend import BlendInput, blend as blend_tool


def blend(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="blend")
    timings = dict(state.get("timings") or {})
    with timed(timings, "blend"):
        res = blend_tool(
            BlendInput(source_id=state["source_id"], generated_id=state["generated_id"], mask_id=state["mask_id"]),
            runtime.context.tools,
        )
    return {"result_id": res.image_id, "timings": timings}
