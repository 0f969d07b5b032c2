"""detect_target: find the target object's boxes with the detector (GroundingDINO)."""
from __future__ import annotations

from pydantic import BaseModel, Field

from engine.errors import UnsupportedEditError
from engine.grounding import detect_with_ladder
from engine.protocols import Detection
from tools.context import ToolContext


class DetectTargetInput(BaseModel):
    image_id: str
    target: str = Field(description="object to find, at most 5 words")
    box_threshold: float | None = Field(None, ge=0, le=1, description="default from settings (0.3)")
    text_threshold: float | None = Field(None, ge=0, le=1)


class DetectedBox(BaseModel):
    box: tuple[float, float, float, float] = Field(description="x, y, w, h in pixels of the image")
    score: float
    label: str

    @classmethod
    def from_detection(cls, d: Detection) -> "DetectedBox":
        """From a detector's (x0, y0, x1, y1) corners."""
        x0, y0, x1, y1 = d.box
        return cls(box=(x0, y0, x1 - x0, y1 - y0), score=d.score, label=d.label)


class DetectTargetResult(BaseModel):
    boxes: list[DetectedBox]
    threshold: float | None = Field(description="box threshold at which something was found")
    detector: str


def detect_target(inp: DetectTargetInput, ctx: ToolContext) -> DetectTargetResult:
    """Find every instance of `target` in the image. Boxes are x, y, w, h in image pixels, best first.
    Lowers the box threshold toward 0.05 until something is found (BrushEdit's fallback)."""
    detector = ctx.backends.detector
    if detector is None:
        raise UnsupportedEditError(
            f"Finding '{inp.target}' needs the GroundingDINO detector, which this profile does not load.",
            fix="Pass a box or mask, or use --profile full.",
        )
    s = ctx.settings
    dets, t = detect_with_ladder(
        detector, ctx.image(inp.image_id), inp.target,
        inp.box_threshold if inp.box_threshold is not None else s.box_threshold,
        inp.text_threshold if inp.text_threshold is not None else s.text_threshold,
    )
    return DetectTargetResult(boxes=[DetectedBox.from_detection(d) for d in dets], threshold=t, detector=detector.name)
