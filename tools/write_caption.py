"""write_caption: the diffusion prompt (and negative prompt) for an edit."""
from __future__ import annotations

from pydantic import BaseModel, Field

from engine.plan import EditPlan
from tools.context import ToolContext

QUALITY = "high quality, detailed, photorealistic"


class WriteCaptionInput(BaseModel):
    plan: EditPlan
    instruction: str = ""


class WriteCaptionResult(BaseModel):
    prompt: str = Field(description="describes the desired output image")
    negative_prompt: str


def compose_prompt(plan: EditPlan, instruction: str = "") -> str:
    """The plan's caption (BrushEdit: the MLLM's description of the target image) + quality tags.
    Falls back to the target / instruction when the caption is empty."""
    base = plan.caption.strip()
    if not base:
        if plan.category == "remove":
            base = "empty background, nothing there"
        else:
            base = plan.target or instruction
    return f"{base}, {QUALITY}" if QUALITY not in base else base


def write_caption(inp: WriteCaptionInput, ctx: ToolContext) -> WriteCaptionResult:
    """Write the prompt for the inpainting model from the plan's caption."""
    removed = inp.plan.target if inp.plan.category == "remove" else ""
    parts = [removed, inp.plan.negative_prompt, ctx.settings.negative_prompt]
    negative = ", ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))  # ordered, no repeats
    return WriteCaptionResult(prompt=compose_prompt(inp.plan, inp.instruction), negative_prompt=negative)
