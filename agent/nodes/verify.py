"""verify: the configured judges (engine.verification) on every candidate; rank; store the attempt.

Only wiring: the judges live in engine/. The best candidate is proposed; every candidate is
stored with the turn at once (agent.attempt_store), so none is lost whatever happens next; the
images a record names are flushed to disk before it is (the tools write them in the background).
A result identical to an earlier attempt's is not proposed again: the run stops and says so.
"""
from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from agent.versions import AttemptRecord
from engine.plan import EditPlan
from engine.replan import AttemptParams
from engine.verification import Case, Verdict, build_judges, judge_all, rank


def _verdicts(state: EditState, ctx: AgentContext) -> list[Verdict]:
    judges = build_judges(ctx.settings.judges, detector=lambda: ctx.backends.detector,
                          chat_model=lambda: ctx.backends.chat_model, settings=ctx.settings, given=ctx.judges)
    source, mask = ctx.store.get_image(state["source_id"]), ctx.store.get_mask(state["mask_id"])
    plan = EditPlan.model_validate(state["plan"])
    return [judge_all(judges, Case(source=source, result=ctx.store.get_image(rid), mask=mask, plan=plan,
                                   instruction=state["instruction"], blur_kernel=ctx.settings.blur_kernel))
            for rid in state["result_ids"]]


def _durable(state: EditState, ctx: AgentContext) -> set[str]:
    """The ids the attempt's records will name, durably on disk first (the tools write in the background).
    A raw generation counts only when it is stored (settings.store_raw_generations) or is the result
    (an adjustment); else it stays in memory and no record names it."""
    results = state["result_ids"]
    raw = [g for g in state.get("generated_ids") or [] if g in results or ctx.settings.store_raw_generations]
    ids = [i for i in (state.get("mask_id"), *results, *raw) if i]
    ctx.store.flush(ids)
    return set(ids)


def _records(state: EditState, verdicts: list[Verdict], best: int, timings: dict,
             repeat: bool = False, durable: set[str] | None = None) -> list[AttemptRecord]:
    """The attempt's records; the best is `pending` (proposed) when the judges accept it and it is not a
    repeat of an earlier attempt's image (the run stops there: nothing is proposed), else `rejected`.
    A raw generation is named only when it is in `durable` (all are when None)."""
    params = AttemptParams.model_validate(state["params"])
    generated = [g if durable is None or g in durable else None for g in state.get("generated_ids") or []]
    filled = (state.get("plan_meta") or {}).get("inpainter") != "adjust"  # an adjustment uses no seed or fill method
    out = []
    for k, (rid, verdict) in enumerate(zip(state["result_ids"], verdicts)):
        status = ("pending" if verdict.ok and not repeat else "rejected") if k == best else "candidate"
        out.append(AttemptRecord(
            run_id=state["run_id"], turn_parent=state["parent"], instruction=state["instruction"], n=params.n,
            candidate=k, plan=state["plan"], mask_id=state["mask_id"], result_id=rid,
            generated_id=generated[k] if k < len(generated) else None, verdict=verdict.model_dump(),
            seed=params.seeds[k] if filled and k < len(params.seeds) else None,
            method=params.method if filled else None, change=params.change,
            timings=timings, status=status))
    return out


def _repeat(state: EditState, result_id: str) -> str | None:
    earlier = [a for a in state.get("attempts") or [] if a.get("result_id") == result_id]
    if not earlier:
        return None
    change = AttemptParams.model_validate(state["params"]).change
    return (f"Attempt {int(state.get('attempt', 0)) + 1} ({change}) gave the same image as attempt "
            f"{earlier[0]['n'] + 1} ({earlier[0]['id']}): that change does not affect this result.")


def verify(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    ctx = runtime.context
    if ctx.settings.judges:
        emit(runtime, "stage", name="verify")
    timings: dict = {}
    with timed(timings, "verify"):
        verdicts = _verdicts(state, ctx)
    order = rank(verdicts)
    best = order[0]
    repeat = _repeat(state, state["result_ids"][best])
    durable = _durable(state, ctx)
    records = ctx.versions.add_attempts(state["session"], _records(state, verdicts, best, {
        **(state.get("timings") or {}), **timings}, repeat=repeat is not None, durable=durable))
    verdict = verdicts[best]
    emit(runtime, "verdict", **verdict.model_dump(), candidate=best, attempt_id=records[best].id,
         ranking=[records[i].id for i in order])
    update = {"result_id": state["result_ids"][best], "verdict": verdict.model_dump(), "attempt_id": records[best].id,
              "attempts": [r.model_dump() for r in records], "timings": timings, "stop": repeat}
    if not verdict.ok:
        update["rejections"] = [verdict.model_dump()]
    return update
