"""adjust: photometric operations on an image (black and white, sepia, brighter, warmer, background blur …).

No model: engine/adjust.py does the pixels, in both profiles (in `full` it beats regenerating the
whole image with BrushNet for these edits).
"""
from __future__ import annotations

import time

from pydantic import BaseModel, Field

from engine.adjust import apply
from engine.plan import AdjustOp
from tools.context import ToolContext


class AdjustInput(BaseModel):
    image_id: str
    operations: list[AdjustOp] = Field(min_length=1, description="applied in order; strength -1..1 for "
                                       "brightness/contrast/saturation/warmth/sharpness, 0..1 for the others")
    mask_id: str | None = Field(None, description="where to apply (white = adjust; for background_blur the "
                                "background); None = the whole image")


class AdjustResult(BaseModel):
    image_id: str = Field(description="the adjusted image, same size as the input (final: no blend needed)")
    operations: list[AdjustOp]
    seconds: float


def adjust(inp: AdjustInput, ctx: ToolContext) -> AdjustResult:
    """Apply photo adjustments (grayscale, sepia, brightness, contrast, saturation, warmth, sharpness,
    vintage, background_blur) to the image, inside mask_id if given. Units: strengths as in AdjustOp;
    background_blur strength 1 = a Gaussian of 1.2 % of the image's longer side far from the subject."""
    t0 = time.perf_counter()
    out = apply(ctx.image(inp.image_id), inp.operations, ctx.mask(inp.mask_id) if inp.mask_id else None)
    return AdjustResult(image_id=ctx.store.put(out), operations=inp.operations, seconds=time.perf_counter() - t0)
