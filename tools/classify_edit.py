"""classify_edit: instruction (+ current image) -> the whole edit plan in one planner call."""
from __future__ import annotations

from pydantic import BaseModel, Field

from engine.errors import EmptyInstructionError
from engine.plan import EditPlan, Turn
from engine.protocols import PlanRequest
from tools.context import ToolContext


class ClassifyEditInput(BaseModel):
    instruction: str = Field(description="the user's editing instruction")
    image_id: str | None = Field(None, description="store id of the image to edit (the planner may look at it)")
    history: list[Turn] = Field(default_factory=list, description="earlier turns of this session, oldest first")
    feedback: str | None = Field(None, description="why the previous attempt was rejected")


class ClassifyEditResult(BaseModel):
    plan: EditPlan
    planner: str
    prompt_sha256: str | None = None
    requests: int = 0
    seconds: float = 0.0


def classify_edit(inp: ClassifyEditInput, ctx: ToolContext) -> ClassifyEditResult:
    """Classify the edit (addition/remove/local/global/background) and return target, caption and
    (for addition) a box x,y,w,h in pixels of the image. `history` lets the planner resolve "it",
    "again", "instead" ...: the plan then carries `undo` (versions to take back first) and `references`;
    an instruction with several edits comes back with `steps` (ordered single edits, the first one on
    top); photometric requests carry `operations` (performed by the adjust tool). Raises
    NotUnderstoodError when the instruction asks for no edit."""
    if not inp.instruction or not inp.instruction.strip():
        raise EmptyInstructionError("The instruction is empty.", fix='Say what to change, e.g. "remove the spoon".')
    image = ctx.image(inp.image_id) if inp.image_id else None
    request = PlanRequest(inp.instruction.strip(), image, tuple(inp.history), inp.feedback)
    result = ctx.backends.planner.plan(request)
    return ClassifyEditResult(
        plan=result.plan,
        planner=result.planner,
        prompt_sha256=result.prompt_sha256,
        requests=result.requests,
        seconds=result.seconds,
    )
