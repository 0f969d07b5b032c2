"""plan: the attempt's plan {category, target, caption, box?} (single-call mode), with the attempt's
changes applied (a refined target, a removal caption: engine.replan.apply_to_plan).

A turn's step planned before the run (`turn_step`, agent/steps.py) is taken as it is on the first
attempt: the planner is asked once per turn. A re-plan (after a rejection) asks the planner again,
with the run's instruction (the step's clause) and the rejection as feedback; of a plan of several
steps only the first is performed here (agent/steps.py runs the others).
"""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.plan import EditPlan
from engine.replan import AttemptParams, apply_to_plan
from tools.classify_edit import ClassifyEditInput, classify_edit


def plan(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    params = AttemptParams.model_validate(state["params"])
    given = state.get("turn_step")
    timings: dict = {}
    if given and params.n == 0:
        step, meta = EditPlan.model_validate(given["plan"]), dict(given.get("meta") or {})
        timings["plan"] = float(meta.get("seconds") or 0.0)  # the turn's planning call, counted on its first step
    else:
        emit(runtime, "stage", name="plan", attempt=params.n)
        with timed(timings, "plan"):
            res = classify_edit(
                ClassifyEditInput(instruction=state["instruction"], image_id=state["source_id"],
                                  history=list(state.get("history") or []), feedback=params.feedback),
                runtime.context.tools,
            )
        step = res.plan.all_steps()[0]
        meta = {"planner": res.planner, "prompt_sha256": res.prompt_sha256, "requests": res.requests,
                "seconds": res.seconds}
    planned = apply_to_plan(step, params).model_dump()
    emit(runtime, "plan", plan=planned)
    return {"plan": planned, "plan_meta": meta, "timings": timings}
