"""retry: record the failed attempt, bump the attempt counter (seed and dilation follow it)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit
from agent.state import EditState


def retry(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    n = int(state.get("attempt", 0))
    record = {"n": n, "plan": state.get("plan"), "mask_id": state.get("mask_id"),
              "result_id": state.get("result_id"), "verdict": state.get("verdict"),
              "error": state.get("feedback")}
    emit(runtime, "retry", attempt=n + 1, feedback=state.get("feedback"))
    return {"attempt": n + 1, "attempts": list(state.get("attempts") or []) + [record],
            "plan": None, "mask_id": None, "generated_id": None, "result_id": None, "verdict": None,
            "decision": None}
