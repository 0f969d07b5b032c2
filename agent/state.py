"""The graph's state: plain data, checkpointed after every node. Images are store ids.

One graph run = one edit instruction on one session (thread). The durable version DAG lives
in agent.versions.VersionStore; the state carries what the run needs and what it produced.
"""
from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class Attempt(TypedDict, total=False):
    n: int
    plan: dict
    mask_id: str
    result_id: str
    seed: int
    verdict: dict  # {ok, reason, by}
    error: str


class EditState(TypedDict, total=False):
    # conversation across turns (add_messages appends / replaces by id)
    messages: Annotated[list[AnyMessage], add_messages]
    # inputs of this edit
    session: str
    instruction: str
    parent: str  # version id the edit starts from
    source_id: str  # image id of the parent version
    history: list[dict]  # earlier turns along the parent's lineage (engine.plan.Turn as dicts)
    user_mask_id: str | None
    user_box: tuple[float, float, float, float] | None
    combine: str
    seed: int
    # the attempt in flight
    attempt: int
    feedback: str | None
    plan: dict | None
    plan_meta: dict
    mask_id: str | None
    mask_info: dict
    prompt: str
    negative_prompt: str
    generated_id: str | None
    result_id: str | None
    verdict: dict | None
    timings: dict[str, float]  # seconds per stage (nodes add to a copy; reset by each edit's input)
    attempts: list[Attempt]  # failed attempts of this edit (reset by each edit's input)
    # outcome
    decision: str | None  # accept | reject | None
    committed: str | None  # version id
    error: str | None
    extra: dict[str, Any]
