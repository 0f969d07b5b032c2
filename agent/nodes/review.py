"""review: a person accepts or rejects (LangGraph interrupt); non-interactive runs auto-accept."""
from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.context import AgentContext
from agent.state import EditState
from engine.errors import BrushEditError


def review(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    if not runtime.context.interactive:
        return {"decision": "accept"}
    answer = interrupt({
        "result_id": state["result_id"], "mask_id": state["mask_id"], "plan": state["plan"],
        "attempt": state.get("attempt", 0), "verdict": state.get("verdict"),
    })
    action = (answer or {}).get("action") if isinstance(answer, dict) else answer
    if action == "accept":
        return {"decision": "accept"}
    if action == "reject":
        reason = (answer.get("reason") if isinstance(answer, dict) else None) or "rejected by the user"
        return {"decision": "reject", "feedback": f"The user rejected the result: {reason}"}
    raise BrushEditError(f"Review answer {answer!r} is not understood.",
                         fix="Resume with {'action': 'accept'} or {'action': 'reject', 'reason': '...'}.")
