"""plan: one planner call -> {category, target, caption, box?} (single-call mode), with the
attempt's changes applied (a refined target, a removal caption: engine.replan.apply_to_plan)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.replan import AttemptParams, apply_to_plan
from tools.classify_edit import ClassifyEditInput, classify_edit


def plan(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    params = AttemptParams.model_validate(state["params"])
    emit(runtime, "stage", name="plan", attempt=params.n)
    timings: dict = {}
    with timed(timings, "plan"):
        res = classify_edit(
            ClassifyEditInput(instruction=state["instruction"], image_id=state["source_id"],
                              history=list(state.get("history") or []), feedback=params.feedback),
            runtime.context.tools,
        )
    planned = apply_to_plan(res.plan, params).model_dump()
    meta = {"planner": res.planner, "prompt_sha256": res.prompt_sha256, "requests": res.requests,
            "seconds": res.seconds}
    emit(runtime, "plan", plan=planned)
    return {"plan": planned, "plan_meta": meta, "timings": timings}
