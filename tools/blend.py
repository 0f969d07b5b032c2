"""blend: paste the generated pixels into the source through a feathered mask."""
from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from engine.blending import blend as blend_images
from tools.context import ToolContext


class BlendInput(BaseModel):
    source_id: str
    generated_id: str
    mask_id: str
    blur_kernel: int | None = Field(None, ge=1, description="odd feather size in pixels (default 21)")


class BlendResult(BaseModel):
    image_id: str
    changed_fraction: float = Field(description="fraction of pixels that differ from the source")


def blend(inp: BlendInput, ctx: ToolContext) -> BlendResult:
    """Blend: outside the mask's feather band the result equals the source bit for bit."""
    source = ctx.image(inp.source_id)
    out = blend_images(source, ctx.image(inp.generated_id), ctx.mask(inp.mask_id),
                       inp.blur_kernel or ctx.settings.blur_kernel)
    changed = float(np.any(out != source, axis=2).mean())
    return BlendResult(image_id=ctx.store.put(out), changed_fraction=changed)
