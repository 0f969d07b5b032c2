"""inpaint: generate new content inside the mask (BrushNet, SD-inpaint, or classical offline)."""
from __future__ import annotations

import time

from pydantic import BaseModel, Field

from engine.errors import UnsupportedEditError
from engine.plan import Category
from engine.protocols import InpaintRequest
from tools.context import ToolContext


class InpaintInput(BaseModel):
    image_id: str
    mask_id: str = Field(description="white = generate")
    prompt: str
    negative_prompt: str = ""
    category: Category = "local"
    seed: int = 0
    steps: int | None = Field(None, ge=1, le=1000)
    guidance_scale: float | None = Field(None, ge=0)
    conditioning_scale: float | None = Field(None, ge=0, description="BrushNet preservation strength (1.0)")


class InpaintResult(BaseModel):
    image_id: str = Field(description="the raw generated image, same size as the input, NOT blended")
    inpainter: str
    seconds: float


def inpaint(inp: InpaintInput, ctx: ToolContext) -> InpaintResult:
    """Inpaint the masked region of the image from the prompt. Call `blend` afterwards."""
    s = ctx.settings
    inpainter = ctx.backends.inpainter
    if not inpainter.supports(inp.category):
        raise UnsupportedEditError(
            f"The '{inpainter.name}' inpainter cannot do {'an' if inp.category[0] in 'aeiou' else 'a'} "
            f"'{inp.category}' edit: it needs a diffusion "
            "inpainter (offline classical inpainting can only remove objects).",
            fix="Use --profile full (BrushNet on SD1.5, weights TencentARC/BrushEdit) or --inpainter sd-inpaint.",
        )
    t0 = time.perf_counter()
    out = inpainter.inpaint(
        InpaintRequest(
            image=ctx.image(inp.image_id), mask=ctx.mask(inp.mask_id), prompt=inp.prompt,
            negative_prompt=inp.negative_prompt, category=inp.category, seed=inp.seed,
            steps=inp.steps or s.steps,
            guidance_scale=s.guidance_scale if inp.guidance_scale is None else inp.guidance_scale,
            conditioning_scale=s.conditioning_scale if inp.conditioning_scale is None else inp.conditioning_scale,
        )
    )
    return InpaintResult(image_id=ctx.store.put(out), inpainter=inpainter.name, seconds=time.perf_counter() - t0)
