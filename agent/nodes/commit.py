"""commit: the accepted attempt becomes a new version, child of the parent (head moves to it)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit
from agent.state import EditState
from agent.versions import Version


def commit(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    ctx = runtime.context
    plan = state["plan"] or {}
    meta = state.get("plan_meta") or {}
    rec = next((a for a in state.get("attempts") or [] if a["id"] == state.get("attempt_id")), {})
    names = ctx.backends.names()
    models = {"planner": meta.get("planner"), **names, "inpainter": meta.get("inpainter") or names.get("inpainter"),
              "method": rec.get("method")}  # what made this result: "adjust" for photo adjustments
    version = Version(
        id="pending", parent=state["parent"], image_id=state["result_id"], mask_id=state["mask_id"],
        instruction=state["instruction"], category=plan.get("category"), plan=plan,
        seed=rec.get("seed", state.get("seed")), models={k: v for k, v in models.items() if v},
        timings=state.get("timings") or {}, attempts=int(state.get("attempt", 0)) + 1,
        prompt_sha256=meta.get("prompt_sha256"), run_id=state.get("run_id"), attempt_id=rec.get("id"),
        step=(state.get("turn_step") or {}).get("mark"),
    )
    ctx.store.flush([i for i in (version.image_id, version.mask_id) if i])  # on disk before a version names them
    if rec:  # the version and its attempt's "committed" mark: one transaction
        version, stored = ctx.versions.commit_attempt(state["session"], version, rec["id"])
        update: dict = {"committed": version.id, "attempts": [stored.model_dump()]}
    else:
        version = ctx.versions.commit(state["session"], version)
        update = {"committed": version.id}
    emit(runtime, "commit", version=version.id, attempt_id=rec.get("id"))
    return update
