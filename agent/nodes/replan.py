"""replan: the policy's params for the next attempt (engine.replan), computed once per attempt.

The first attempt takes the input's seed and candidates; each later one follows the last
rejection (a judge's or a person's verdict). When the policy can change nothing, the run stops
with its one-line reason in `stop` instead of producing the same image again.
"""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit
from agent.state import EditState
from engine.replan import AttemptParams, NoChange, Options, first_attempt, next_attempt
from engine.verification import Verdict


def policy_options(state: EditState, ctx: AgentContext) -> Options:
    """What can vary under the session's backends and this edit's inputs. A photo adjustment (a plan with
    `operations`: engine.adjust) uses no inpainter: no fill method, seed, prompt or steps to vary."""
    inpainter, planner = ctx.backends.inpainter, ctx.backends.planner
    name = getattr(inpainter, "name", "")
    tool_calling = ctx.settings.planning_mode == "tool-calling"
    adjusting = bool((state.get("plan") or {}).get("operations")) and not tool_calling
    return Options(
        seed=int(state.get("seed", 0)), candidates=int(state.get("candidates") or 1),
        methods=() if adjusting else tuple(getattr(inpainter, "methods", ()) or ()),
        generative=not adjusting and bool(getattr(inpainter, "seeded", not name.startswith("classical"))),
        fill="a photo adjustment" if adjusting else f"the {name or 'classical'} inpainter",
        steps=ctx.settings.steps,
        planner_reads_feedback=tool_calling or bool(getattr(planner, "uses_feedback", planner.name != "rules")),
        regroundable=ctx.backends.detector is not None and not state.get("user_box") and not state.get("user_mask_id"),
        detections=len((state.get("mask_info") or {}).get("detections") or []),
        target=(state.get("plan") or {}).get("target") or "",
    )


def proposal(state: EditState, ctx: AgentContext) -> AttemptParams | NoChange:
    opts = policy_options(state, ctx)
    if not state.get("params"):
        return first_attempt(opts)
    verdict = Verdict.model_validate(state["rejections"][-1])
    return next_attempt(AttemptParams.model_validate(state["params"]), verdict, opts)


def replan(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    params = proposal(state, runtime.context)
    if isinstance(params, NoChange):
        emit(runtime, "retry", attempt=int(state.get("attempt", 0)) + 1, feedback=params.reason, stop=True)
        return {"stop": params.reason}
    if params.n:
        emit(runtime, "retry", attempt=params.n, feedback=state["rejections"][-1].get("reason"), change=params.change)
    return {"attempt": params.n, "params": params.model_dump(), "stop": None, "plan": None, "mask_id": None,
            "generated_ids": [], "result_ids": [], "result_id": None, "verdict": None, "attempt_id": None,
            "decision": None, "offered": False}
