"""edit_mask: deterministic mask operations (box, ellipse, dilate, erode, invert, union, subtract,
move, from a user's mask file). Masks are store ids; white = edit."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from engine import masks as M
from engine.errors import BadMaskError
from engine.images import load_mask
from tools.context import ToolContext

Op = Literal["box", "ellipse", "dilate", "erode", "invert", "union", "subtract", "move", "from_file"]


class EditMaskInput(BaseModel):
    op: Op
    image_id: str = Field(description="the image the mask belongs to (gives its size)")
    mask_id: str | None = Field(None, description="the mask to operate on (dilate/erode/invert/move/union/subtract)")
    other_mask_id: str | None = Field(None, description="second mask for union/subtract")
    box: tuple[float, float, float, float] | None = Field(None, description="x, y, w, h in pixels (box/ellipse)")
    pixels: int = Field(0, ge=0, description="dilate/erode amount in pixels")
    dx: int = 0
    dy: int = 0
    path: str | None = Field(None, description="a mask image file (from_file); same size as the image")


class EditMaskResult(BaseModel):
    mask_id: str
    coverage: float
    bbox: tuple[int, int, int, int] | None = Field(description="x, y, w, h of the mask, None if empty")


def _need(value, what: str, op: str):
    if value is None:
        raise BadMaskError(f"edit_mask op '{op}' needs `{what}`.")
    return value


def edit_mask(inp: EditMaskInput, ctx: ToolContext) -> EditMaskResult:
    """Create or transform a mask. box/ellipse need `box`; dilate/erode need `mask_id` and `pixels`;
    union/subtract need `mask_id` and `other_mask_id`; move needs `mask_id`, `dx`, `dy`. The mask is
    written in the background: `ctx.store.flush([mask_id])` before a record names it."""
    h, w = ctx.image(inp.image_id).shape[:2]
    op = inp.op
    if op in ("box", "ellipse"):
        fn = M.box_mask if op == "box" else M.ellipse_mask
        mask = fn((h, w), _need(inp.box, "box", op))
    elif op == "from_file":
        mask = load_mask(Path(_need(inp.path, "path", op)), size=(w, h))
    else:
        base = ctx.mask(_need(inp.mask_id, "mask_id", op))
        if base.shape != (h, w):
            raise BadMaskError(f"Mask is {base.shape[1]}x{base.shape[0]}, image is {w}x{h}.")
        if op == "dilate":
            mask = M.dilate(base, inp.pixels)
        elif op == "erode":
            mask = M.erode(base, inp.pixels)
        elif op == "invert":
            mask = M.invert(base)
        elif op == "move":
            mask = M.move(base, inp.dx, inp.dy)
        else:
            other = ctx.mask(_need(inp.other_mask_id, "other_mask_id", op))
            mask = M.union(base, other) if op == "union" else M.subtract(base, other)
    return EditMaskResult(mask_id=ctx.store.put(mask, copy=False, wait=False), coverage=M.coverage(mask), bbox=M.bbox(mask))
