"""review: a person accepts or rejects (LangGraph interrupt).

Whether to stop is the edit's input (`review`), or an offer after the judges rejected every
attempt: never the runtime context, so whichever process resumes the run, the resume value decides.
A rejection's reason is parsed into the judges' problem types (rules, then the VLM when configured).
"""
from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.context import AgentContext
from agent.state import EditState
from engine.errors import BrushEditError, ModelNotAvailableError
from engine.verification_reason import classify


def _chat_model(ctx: AgentContext):
    if ctx.settings.backend("planner") == "rules":
        return None
    try:
        return ctx.backends.chat_model
    except ModelNotAvailableError:
        return None


def review(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    if not (state.get("review") or state.get("offered")):
        return {"decision": "accept"}
    answer = interrupt({
        "result_id": state["result_id"], "mask_id": state["mask_id"], "plan": state["plan"],
        "attempt": state.get("attempt", 0), "attempt_id": state.get("attempt_id"), "verdict": state.get("verdict"),
        "offered": bool(state.get("offered")),
    })
    action = (answer or {}).get("action") if isinstance(answer, dict) else answer
    if action == "accept":
        return {"decision": "accept"}
    if action != "reject":
        raise BrushEditError(f"Review answer {answer!r} is not understood.",
                             fix="Resume with {'action': 'accept'} or {'action': 'reject', 'reason': '...'}.")
    ctx = runtime.context
    reason = (answer.get("reason") if isinstance(answer, dict) else None) or "rejected by the user"
    verdict, _ = classify(reason, _chat_model(ctx), state["instruction"])
    update = {"decision": "reject", "rejections": [verdict.model_dump()]}
    if state.get("attempt_id"):
        rec = ctx.versions.update_attempt(state["session"], state["attempt_id"], "rejected",
                                          verdict=verdict.model_dump())
        update["attempts"] = [rec.model_dump()]
    return update
