"""The plan schema every planner fills (rules, OpenAI-compatible, local VLMs).

`box` is (x, y, w, h) in pixels of the image the plan refers to (the session's current
image at full resolution); planners that showed the model a downscaled image map the
model's box back before returning the plan.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Category = Literal["addition", "remove", "local", "global", "background"]
CATEGORIES: tuple[str, ...] = ("addition", "remove", "local", "global", "background")


class Box(BaseModel):
    """x, y, w, h in pixels of the referenced image; w and h > 0."""

    model_config = ConfigDict(frozen=True)
    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.w, self.h)


AdjustName = Literal["grayscale", "sepia", "brightness", "contrast", "saturation", "warmth", "sharpness",
                     "vintage", "background_blur"]
SIGNED_ADJUSTMENTS: tuple[str, ...] = ("brightness", "contrast", "saturation", "warmth", "sharpness")


class AdjustOp(BaseModel):
    """One photometric operation. `strength` is -1..1 for the signed ones (brightness, contrast,
    saturation, warmth, sharpness: negative = darker / flatter / duller / cooler / softer) and 0..1
    for the others (grayscale, sepia, vintage, background_blur)."""

    model_config = ConfigDict(frozen=True)
    op: AdjustName
    strength: float = 1.0

    @field_validator("strength")
    @classmethod
    def _range(cls, v: float, info) -> float:
        lo = -1.0 if info.data.get("op") in SIGNED_ADJUSTMENTS else 0.0
        if not (lo <= v <= 1.0):
            raise ValueError(f"strength {v} of '{info.data.get('op')}' must lie in {lo:g}..1")
        return float(v)


class Reference(BaseModel):
    """How one referring phrase of an instruction was resolved ("it" -> "hat", from turn 0)."""

    model_config = ConfigDict(frozen=True)
    phrase: str = Field(description="the words that refer: 'it', 'the other one', 'same for', 'instead', 'bigger'")
    resolved: str = Field(description="what they stand for: an object ('hat'), or the edit repeated / redone")
    kind: Literal["object", "repeat", "same-edit", "alternative", "comparative", "undo"] = "object"
    turn: int | None = Field(None, description="index into PlanRequest.history (0 = oldest); None = this instruction")
    version: str | None = Field(None, description="the version of that turn, when known")


class EditPlan(BaseModel):
    """One edit: what kind, on what, and the caption of the desired result.

    Conversation fields (all default to "nothing special"): `undo` > 0 means "take back that many of the
    latest versions first, then edit" ("undo that and try a hat instead", "make it blue instead");
    `references` says how words pointing at earlier turns were resolved; `clause` is this edit's
    instruction with those references resolved. `steps` holds an ordered list of single edits when the
    instruction asks for several ("remove the dog and add a cat"); the top-level fields are then those
    of the first step, so a reader that ignores `steps` performs the first edit only.
    """

    category: Category
    target: str = Field(description="the object to edit, at most 5 words; '' for global edits")
    caption: str = Field(description="description of the desired output image, used as diffusion prompt")
    box: Box | None = Field(default=None, description="for `addition`: where to add, x,y,w,h pixels")
    reason: str = ""
    negative_prompt: str = ""
    operations: list[AdjustOp] = Field(
        default_factory=list,
        description="photometric adjustments (global) or background_blur (background): when given, the "
        "`adjust` tool performs the edit instead of an inpainter")
    undo: int = Field(0, ge=0, le=20, description="latest versions to take back before this edit")
    references: list[Reference] = Field(default_factory=list)
    clause: str = Field("", description="this edit's instruction with references resolved")
    steps: list["EditPlan"] = Field(default_factory=list, description="several edits, in order (empty = one edit)")

    @field_validator("category", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("target")
    @classmethod
    def _short_target(cls, v: str) -> str:
        return " ".join(v.split()[:5])

    def all_steps(self) -> list["EditPlan"]:
        """The single edits in order: `steps` when there are several, else [self]."""
        return list(self.steps) if self.steps else [self]

    @classmethod
    def from_steps(cls, steps: list["EditPlan"]) -> "EditPlan":
        """One plan for several edits: the first step's fields on top, all steps in `steps`."""
        if len(steps) == 1:
            return steps[0]
        first = steps[0].model_dump(exclude={"steps"})
        return cls(**first, steps=[s.model_copy(update={"steps": []}) for s in steps])


class Turn(BaseModel):
    """One earlier turn of the session (oldest first): what was asked, what was planned, whether it stayed."""

    instruction: str
    plan: EditPlan | None = None
    version: str | None = None  # the version it committed
    accepted: bool = True


class PlanResult(BaseModel):
    """A plan plus how it was produced (recorded in the version history)."""

    plan: EditPlan
    planner: str
    prompt_sha256: str | None = None
    requests: int = 0
    raw: str | None = None
    seconds: float = 0.0
