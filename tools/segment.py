"""segment: boxes -> one merged mask (SAM, or the boxes themselves offline), then dilate."""
from __future__ import annotations

from pydantic import BaseModel, Field

from engine import masks as M
from engine.errors import BadBoxError, EmptyMaskError
from tools.context import ToolContext


class SegmentInput(BaseModel):
    image_id: str
    boxes: list[tuple[float, float, float, float]] = Field(description="x, y, w, h in pixels of the image")
    dilate: int | None = Field(None, ge=0, description="grow the mask by this many pixels (default: settings, 20)")


class SegmentResult(BaseModel):
    mask_id: str
    coverage: float = Field(description="fraction of the image covered by the mask, 0..1")
    bbox: tuple[int, int, int, int] | None
    segmenter: str


def segment(inp: SegmentInput, ctx: ToolContext) -> SegmentResult:
    """Segment the object inside each box and return the union of the masks (white = edit)."""
    if not inp.boxes:
        raise BadBoxError("segment needs at least one box.", fix="Call detect_target first or pass a box.")
    image = ctx.image(inp.image_id)
    for b in inp.boxes:
        M.clip_box(b, image.shape[1], image.shape[0])
    seg = ctx.backends.segmenter
    parts = seg.segment(image, [(x, y, x + w, y + h) for x, y, w, h in inp.boxes])
    mask = M.dilate(M.union(*parts), ctx.settings.mask_dilate if inp.dilate is None else inp.dilate)
    if not mask.any():
        raise EmptyMaskError("The segmenter returned an empty mask.", fix="Try a larger box.")
    return SegmentResult(mask_id=ctx.store.put(mask), coverage=M.coverage(mask), bbox=M.bbox(mask), segmenter=seg.name)
