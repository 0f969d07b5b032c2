"""plan: one planner call -> {category, target, caption, box?} (single-call mode)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from tools.classify_edit import ClassifyEditInput, classify_edit


def plan(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    emit(runtime, "stage", name="plan", attempt=state.get("attempt", 0))
    timings = dict(state.get("timings") or {})
    with timed(timings, "plan"):
        res = classify_edit(
            ClassifyEditInput(
                instruction=state["instruction"], image_id=state["source_id"],
                history=list(state.get("history") or []), feedback=state.get("feedback"),
            ),
            runtime.context.tools,
        )
    meta = {"planner": res.planner, "prompt_sha256": res.prompt_sha256, "requests": res.requests,
            "seconds": res.seconds}
    emit(runtime, "plan", plan=res.plan.model_dump())
    return {"plan": res.plan.model_dump(), "plan_meta": meta, "timings": timings}
