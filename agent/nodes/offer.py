"""offer: the judges rejected every attempt (budget spent, or nothing left to change).

The best stored attempt of the turn (by the judges' ranking, candidates included) is offered:
for review (`budget_exhausted = "review"`, the default) or committed (`"commit"`). After a
person's rejection nothing is offered again: the run ends, every attempt stays pickable.
"""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit
from agent.state import EditState
from engine.verification import rank_key


def offer(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    rejections = state.get("rejections") or []
    stored = [a for a in state.get("attempts") or [] if a.get("result_id") and a.get("verdict")]
    if not stored or (rejections and rejections[-1].get("by") == "person"):
        return {"decision": "reject"}
    best = max(stored, key=lambda a: rank_key(a["verdict"]))  # the first of equals: the earliest
    ctx = runtime.context
    if ctx.settings.budget_exhausted == "review":
        best = ctx.versions.update_attempt(state["session"], best["id"], "pending").model_dump()
    emit(runtime, "offer", attempt_id=best["id"], verdict=best["verdict"], reason=state.get("stop"))
    return {"offered": True, "decision": None, "result_id": best["result_id"], "mask_id": best["mask_id"],
            "plan": best["plan"], "verdict": best["verdict"], "attempt_id": best["id"], "attempts": [best]}
