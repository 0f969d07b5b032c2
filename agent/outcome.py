"""What an edit turn returns (Session.edit / accept / reject; the JSON result of an edit job)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.versions import Version


class StepOutcome(BaseModel):
    """One step of a turn ("remove the dog and add a cat" has two), in order."""

    n: int  # 1-based
    of: int
    instruction: str  # the step's own words (its clause), or the instruction as typed for a one-step turn
    status: Literal["committed", "pending", "rejected", "refused", "not run"]
    version: str | None = None  # the version it committed
    attempt_id: str | None = None  # the attempt committed / waiting for review / proposed last
    attempt_ids: list[str] = Field(default_factory=list)  # every stored attempt and candidate of the step
    note: str | None = None
    error: dict | None = None  # {error, fix, type}: why a refused step could not be done


class EditOutcome(BaseModel):
    """A turn's result. For a turn of several steps, `status` and `version` describe the whole turn
    (committed when any step committed; `version` = the last one committed) and the other fields the
    step it ended on, or the last committed step when a later one was refused or rejected; `note`
    then names the step that stopped the turn, and `steps` lists every step."""

    status: Literal["committed", "pending", "rejected"]
    version: Version | None = None
    result_id: str | None = None
    mask_id: str | None = None
    plan: dict | None = None
    attempts: int = 1  # attempts made in this turn
    attempt_id: str | None = None  # the stored attempt proposed / committed
    attempt_ids: list[str] = Field(default_factory=list)  # every stored attempt and candidate of the turn
    feedback: list[str] = Field(default_factory=list)  # why earlier attempts were rejected
    warnings: list[str] = Field(default_factory=list)
    verdict: dict | None = None
    note: str | None = None  # one line: why the loop stopped (nothing left to change, budget spent)
    offered: bool = False  # the judges rejected every attempt; this is the best of them
    timings: dict = Field(default_factory=dict)
    steps: list[StepOutcome] = Field(default_factory=list)  # the turn's steps in order ([] in tool-calling mode)
    undid: list[str] = Field(default_factory=list)  # versions the turn took back first ("undo that and ...")
