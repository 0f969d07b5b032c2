"""inpaint: generate new content inside the mask (BrushNet, SD-inpaint, or classical offline).

With several `seeds` it returns one candidate per seed: a batch-capable inpainter (BrushNet,
SD-inpaint) makes them in ONE batched diffusion call; any other runs once per seed.
"""
from __future__ import annotations

import time
from dataclasses import replace

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
    seeds: list[int] | None = Field(None, min_length=1, max_length=8,
                                    description="one candidate per seed (overrides `seed`), at most 8")
    method: str | None = Field(None, description="one of the inpainter's methods; default: its first")
    steps: int | None = Field(None, ge=1, le=1000)
    guidance_scale: float | None = Field(None, ge=0)
    conditioning_scale: float | None = Field(None, ge=0, description="BrushNet preservation strength (1.0)")


class InpaintResult(BaseModel):
    image_id: str = Field(description="the raw generated image, same size as the input, NOT blended; kept in "
                          "this process's memory only unless settings.store_raw_generations")
    image_ids: list[str] = Field(default_factory=list, description="every candidate, in the order of the seeds")
    seeds: list[int] = Field(default_factory=list)
    inpainter: str
    method: str | None = None
    batched: bool = Field(False, description="all candidates came from one batched call")
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
    methods = tuple(getattr(inpainter, "methods", ()) or ())
    if inp.method is not None and methods and inp.method not in methods:
        raise UnsupportedEditError(f"The '{inpainter.name}' inpainter has no method '{inp.method}'.",
                                   fix=f"Use one of: {', '.join(methods)}.")
    seeds = tuple(inp.seeds or (inp.seed,))
    t0 = time.perf_counter()
    request = InpaintRequest(
        image=ctx.image(inp.image_id), mask=ctx.mask(inp.mask_id), prompt=inp.prompt,
        negative_prompt=inp.negative_prompt, category=inp.category, seed=seeds[0], seeds=seeds,
        steps=inp.steps or s.steps, method=inp.method,
        guidance_scale=s.guidance_scale if inp.guidance_scale is None else inp.guidance_scale,
        conditioning_scale=s.conditioning_scale if inp.conditioning_scale is None else inp.conditioning_scale,
    )
    batched = len(seeds) > 1 and callable(getattr(inpainter, "inpaint_batch", None))
    if batched:
        outs = inpainter.inpaint_batch(request)
    else:
        outs = [inpainter.inpaint(replace(request, seed=sd, seeds=(sd,))) for sd in seeds]
    # the raw generation is read by blend in this process only: on disk only when a setting asks for it
    # (then written in the background: `ctx.store.flush(ids)` before a record names them, as verify does)
    keep = s.store_raw_generations
    ids = [ctx.store.put(out, durable=keep, wait=False, copy=False) for out in outs]  # (arrays handed over)
    return InpaintResult(image_id=ids[0], image_ids=ids, seeds=list(seeds), inpainter=inpainter.name,
                         method=inp.method, batched=batched, seconds=time.perf_counter() - t0)
