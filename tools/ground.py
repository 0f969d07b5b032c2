"""ground_edit: the category-aware edit mask for a plan (BrushEdit stage 3) in one call."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from engine.grounding import ground_at_working_size, needs_detector
from engine.plan import EditPlan
from tools.context import ToolContext
from tools.detect_target import DetectedBox


class GroundEditInput(BaseModel):
    image_id: str
    plan: EditPlan
    user_mask_id: str | None = Field(None, description="a mask the user drew (white = edit)")
    user_box: tuple[float, float, float, float] | None = Field(None, description="x, y, w, h of the target")
    combine: Literal["override", "union", "subtract"] = "override"
    dilate: int | None = Field(None, ge=0, description="grow found masks by N px (default: settings, 20; "
                               "a classical mask from a user box grows by 2 + what is asked beyond 20)")


class GroundEditResult(BaseModel):
    mask_id: str
    source: str = Field(description="user-mask | user-box | detector | plan-box | full")
    detections: list[DetectedBox] = Field(default_factory=list)
    threshold: float | None = None
    coverage: float
    warnings: list[str] = Field(default_factory=list)


def ground_edit(inp: GroundEditInput, ctx: ToolContext) -> GroundEditResult:
    """Build the edit mask for the plan: remove/local -> detect+segment+dilate the target;
    addition -> the plan box as an ellipse; background -> everything but the subject; global -> all.
    The mask is written in the background: `ctx.store.flush([mask_id])` before a record names it."""
    s = ctx.settings
    image = ctx.image(inp.image_id)
    dilate = s.mask_dilate if inp.dilate is None else inp.dilate  # engine.grounding.dilation_px adapts it
    search = needs_detector(inp.plan.category, inp.user_box, inp.user_mask_id is not None, inp.combine)
    result = ground_at_working_size(
        inp.plan,
        image,
        short_side=s.working_short_side,
        detector=ctx.backends.detector if search else None,
        segmenter=ctx.backends.segmenter,
        user_mask=ctx.mask(inp.user_mask_id) if inp.user_mask_id else None,
        user_box=inp.user_box,
        combine=inp.combine,
        dilate_px=dilate,
        box_threshold=s.box_threshold,
        text_threshold=s.text_threshold,
    )
    return GroundEditResult(
        mask_id=ctx.store.put(result.mask, copy=False, wait=False), source=result.source,
        detections=[DetectedBox.from_detection(d) for d in result.detections], threshold=result.threshold,
        coverage=result.coverage, warnings=result.warnings,
    )
