"""Stage 3 of BrushEdit: the edit mask for each category.

- remove / local: detect the target (GroundingDINO), segment each box (SAM), union, dilate;
- addition: the plan's (or user's) box as a filled ellipse or box, clipped to the image;
- background: invert the mask of the main subject(s);
- global: the full image (BrushEdit returns an all-zero mask here, a known bug).
A user mask or box overrides the search, or combines with it (union / subtract).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from engine import masks as M
from engine.errors import EmptyMaskError, UnsupportedEditError
from engine.planners.schema import EditPlan
from engine.protocols import Detection, Detector, Segmenter

Combine = Literal["override", "union", "subtract"]
LOCAL_COVERAGE_WARNING = 0.95


@dataclass
class GroundingResult:
    mask: np.ndarray  # bool [H, W]
    source: str  # user-mask | user-box | detector | plan-box | full
    detections: list[Detection] = field(default_factory=list)
    threshold: float | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return M.coverage(self.mask)


def threshold_ladder(start: float, floor: float = 0.05, step: float = 0.05) -> list[float]:
    """BrushEdit's fallback: lower the box threshold from `start` toward 0 until a box appears."""
    out, t = [], start
    while t >= floor - 1e-9:
        out.append(round(t, 4))
        t -= step
    return out or [start]


def detect_with_ladder(
    detector: Detector, image: np.ndarray, text: str, box_threshold: float, text_threshold: float
) -> tuple[list[Detection], float | None]:
    """Every detection above the first threshold on the ladder that finds anything."""
    for t in threshold_ladder(box_threshold):
        found = [d for d in detector.detect(image, text, box_threshold=t, text_threshold=text_threshold)]
        if found:
            return sorted(found, key=lambda d: -d.score), t
    return [], None


def _find(plan_target: str, image, detector, segmenter, box_threshold, text_threshold):
    if not plan_target.strip():
        raise EmptyMaskError("The plan names no target object to find.", fix="Name the object or give a box/mask.")
    if detector is None:
        raise UnsupportedEditError(
            f"Finding '{plan_target}' needs the GroundingDINO detector, which this profile does not load.",
            fix="Give --box x,y,w,h or --mask FILE, or use --profile full (IDEA-Research/grounding-dino-base).",
        )
    dets, t = detect_with_ladder(detector, image, plan_target, box_threshold, text_threshold)
    if not dets:
        raise EmptyMaskError(
            f"GroundingDINO found no '{plan_target}' (box threshold lowered from {box_threshold} to 0.05).",
            fix="Rephrase the target, or give --box x,y,w,h or --mask FILE.",
        )
    parts = segmenter.segment(image, [d.box for d in dets])
    return M.union(*parts), dets, t


def ground(
    plan: EditPlan,
    image: np.ndarray,
    *,
    detector: Detector | None,
    segmenter: Segmenter,
    user_mask: np.ndarray | None = None,
    user_box: tuple[float, float, float, float] | None = None,
    combine: Combine = "override",
    dilate_px: int = 20,
    box_threshold: float = 0.3,
    text_threshold: float = 0.25,
    addition_shape: Literal["ellipse", "box"] = "ellipse",
) -> GroundingResult:
    shape = image.shape[:2]
    cat = plan.category
    result: GroundingResult
    if cat == "global":
        result = GroundingResult(np.ones(shape, bool), "full")
    elif cat == "addition":
        box = user_box or (plan.box.as_tuple() if plan.box else None)
        if box is None:
            raise EmptyMaskError(
                f"Adding '{plan.target}' needs a place: the plan has no box.",
                fix="Give --box x,y,w,h, or use a VLM planner that proposes one.",
            )
        fn = M.ellipse_mask if addition_shape == "ellipse" else M.box_mask
        result = GroundingResult(fn(shape, box), "user-box" if user_box else "plan-box")
    elif user_mask is not None and combine == "override":
        result = GroundingResult(user_mask.copy(), "user-mask")
    elif user_box is not None:
        x, y, w, h = user_box
        part = segmenter.segment(image, [(x, y, x + w, y + h)])[0]
        result = GroundingResult(part, "user-box")
    else:
        found, dets, t = _find(plan.target, image, detector, segmenter, box_threshold, text_threshold)
        result = GroundingResult(found, "detector", dets, t)
    if cat in ("remove", "local", "background") and result.source != "user-mask":
        result.mask = M.dilate(result.mask, dilate_px) if cat != "background" else result.mask
    if cat == "background" and result.source != "user-mask":
        # the found region is the subject; the edit is everything else (slightly eroded subject edge kept)
        result.mask = M.invert(M.dilate(result.mask, max(1, dilate_px // 4)))
    if user_mask is not None and combine != "override":
        result.mask = M.union(result.mask, user_mask) if combine == "union" else M.subtract(result.mask, user_mask)
    if not result.mask.any():
        raise EmptyMaskError(
            f"The {cat} mask for '{plan.target}' is empty (source: {result.source}).",
            fix="Give a larger --box or a --mask with white pixels.",
        )
    if cat in ("remove", "local", "addition") and result.coverage > LOCAL_COVERAGE_WARNING:
        result.warnings.append(
            f"The mask covers {result.coverage:.0%} of the image for a {cat} edit; "
            "the target may not have been found precisely."
        )
    return result
