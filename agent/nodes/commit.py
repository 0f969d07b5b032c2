"""commit: the accepted result becomes a new version, child of the parent (head moves to it)."""
from __future__ import annotations

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit
from agent.state import EditState
from agent.versions import Version


def commit(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    ctx = runtime.context
    plan = state["plan"] or {}
    meta = state.get("plan_meta") or {}
    extra = state.get("extra") or {}
    models = {"planner": meta.get("planner"), "inpainter": extra.get("inpainter"),
              **ctx.tools.backends.names()}
    version = ctx.versions.commit(state["session"], Version(
        id="pending", parent=state["parent"], image_id=state["result_id"], mask_id=state["mask_id"],
        instruction=state["instruction"], category=plan.get("category"), plan=plan,
        seed=extra.get("seed", state.get("seed")), models={k: v for k, v in models.items() if v},
        timings=state.get("timings") or {}, attempts=int(state.get("attempt", 0)) + 1,
        prompt_sha256=meta.get("prompt_sha256"), run_id=extra.get("run_id"),
    ))
    emit(runtime, "commit", version=version.id)
    text = f"{version.id}: {plan.get('category')} '{plan.get('target')}' — {plan.get('caption')}"
    return {"committed": version.id, "messages": [AIMessage(content=text)]}
