"""The graph's state: plain data, checkpointed after every node. Images are store ids.

One graph run = one edit (one step of a turn: an instruction on one session), on its own thread, so
every run starts from its input alone: `EditInput` is all a caller gives (the graph's input schema);
the rest is written by the nodes. A turn of several steps (agent/steps.py) is one run per step, each
given its step's plan (`turn_step`): the planner is asked once per turn, again only to re-plan a
rejected step. Per attempt: the policy's params (engine.replan.AttemptParams as a dict), the plan,
the mask, the candidates' results and verdicts. `timings` add up over the attempts, `attempts`
mirror the records stored in the version store (merged by id), `rejections` collect the verdicts
that made the policy re-plan.
"""
from __future__ import annotations

import operator
from typing import Annotated

from typing_extensions import TypedDict  # pydantic reads its schema on Python < 3.12 too


def add_timings(old: dict[str, float] | None, new: dict[str, float] | None) -> dict[str, float]:
    """Seconds per stage, summed over the attempts."""
    out = dict(old or {})
    for key, seconds in (new or {}).items():
        out[key] = out.get(key, 0.0) + seconds
    return out


def merge_attempts(old: list[dict] | None, new: list[dict] | None) -> list[dict]:
    """Attempt records by id: a record with a known id replaces the old one (a status change)."""
    out = {r["id"]: r for r in old or []}
    for rec in new or []:
        out[rec["id"]] = rec
    return list(out.values())


class EditInput(TypedDict, total=False):
    session: str
    run_id: str  # this turn's graph run (its thread id; makes commit idempotent)
    instruction: str
    parent: str  # version id the edit starts from
    source_id: str  # image id of the parent version
    history: list[dict]  # earlier turns along the parent's lineage (engine.plan.Turn as dicts)
    user_mask_id: str | None
    user_box: tuple[float, float, float, float] | None
    combine: str
    seed: int
    candidates: int  # results per attempt
    review: bool  # stop for a person's accept / reject before committing
    turn_step: dict | None  # the step this run performs, planned before the run (agent/steps.py):
    # {plan: EditPlan dict, meta: how it was planned, mark: agent.versions.StepMark dict | None}


class EditState(EditInput, total=False):
    attempt: int  # 0-based attempt number
    params: dict  # engine.replan.AttemptParams of this attempt
    plan: dict | None
    plan_meta: dict
    mask_id: str | None
    mask_info: dict  # what grounding found (source, detections, coverage, warnings)
    generated_ids: list[str]  # raw inpainter outputs, one per candidate
    result_ids: list[str]  # blended results, one per candidate
    result_id: str | None  # the proposed (best) result
    verdict: dict | None  # engine.verification.Verdict of the proposed result
    attempt_id: str | None  # stored record of the proposed result
    rejections: Annotated[list[dict], operator.add]
    stop: str | None  # the policy can change nothing more: why, in one line
    offered: bool  # the best attempt is offered after the judges rejected every attempt
    decision: str | None  # accept | reject
    committed: str | None  # version id
    timings: Annotated[dict[str, float], add_timings]
    attempts: Annotated[list[dict], merge_attempts]
