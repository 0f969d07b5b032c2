"""blend: paste the generated pixels into the source through a feathered mask."""
from __future__ import annotations

from pydantic import BaseModel, Field

from engine.blending import blend_counted
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
    """Blend: outside the mask's feather band the result equals the source bit for bit. The result is
    written in the background: `ctx.store.flush([image_id])` before a record names it."""
    source, mask = ctx.image(inp.source_id), ctx.mask(inp.mask_id)
    kernel = inp.blur_kernel or ctx.settings.blur_kernel
    out, changed = blend_counted(source, ctx.image(inp.generated_id), mask, kernel)  # counted while blending
    return BlendResult(image_id=ctx.store.put(out, copy=False, wait=False), changed_fraction=changed)  # `out` is ours
