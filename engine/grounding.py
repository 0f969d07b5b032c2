"""Stage 3 of BrushEdit: the edit mask for each category.

- remove / local: detect the target (GroundingDINO), segment each box (SAM), union, dilate;
- addition: the plan's (or user's) box as a filled ellipse or box, clipped to the image;
- background: invert the mask of the main subject(s) (the objects the plan names, or the largest
  salient detection when it names none);
- global: the full image (BrushEdit returns an all-zero mask here, a known bug).
A user mask or box overrides the search, or combines with it (union / subtract). A user box is a
prompt for the segmenter (SAM, or the classical GrabCut one offline), not the mask: when the
segmenter finds nothing plausible in it the box itself is the mask, with a warning. A user mask is
used exactly as painted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from engine import masks as M
from engine.errors import EmptyMaskError, UnsupportedEditError
from engine.plan import EditPlan
from engine.protocols import Detection, Detector, Segmenter

Combine = Literal["override", "union", "subtract"]
LOCAL_COVERAGE_WARNING = 0.95
CLASSICAL_DILATE = 2  # px: growth of a classical (GrabCut) mask from a user box, at the default dilation
PLAUSIBLE_BOX_FILL = (0.0, 0.9)  # a segment filling none or over 90 % of its box is no object (or the box)
WHOLE_IMAGE_BOX = 0.95
SALIENT_PROMPT = "main object"  # what to look for when a background edit names no subject
_GENERIC = {"", "background", "backdrop", "scene", "surroundings", "setting", "the", "a", "an"}


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

    @property
    def summary(self) -> str:
        """How it was found, how many and how confident, e.g. "detector: 2 boxes (best 0.81) at threshold 0.3"."""
        text = f"{self.source}: {self.coverage:.1%} of the image"
        if self.detections:
            best = max(d.score for d in self.detections)
            text += f"; {len(self.detections)} box(es) (best score {best:.2f}) at box threshold {self.threshold}"
        return text


def needs_detector(category: str, user_box, has_user_mask: bool, combine: str) -> bool:
    """Whether grounding this edit must search for the target (no user box/mask stands in for it)."""
    return category in ("remove", "local", "background") and user_box is None and (
        not has_user_mask or combine != "override")


def dilation_px(segmenter_name: str, source: str, dilate_px: int, exact: bool = False) -> int:
    """How much a found mask grows. SAM's masks (and detections) get `dilate_px` (BrushEdit's 20 px:
    diffusion redraws a generous region). The classical segmenter's masks from a user box follow the
    object's colour edges and are filled by the classical inpainter, which needs only a thin margin:
    CLASSICAL_DILATE px plus whatever was asked beyond the default (a retry's extra growth), unless
    `exact` (an explicit --dilate)."""
    if exact or source != "user-box" or segmenter_name not in ("classical", "box"):
        return dilate_px
    from engine.settings import Settings

    return CLASSICAL_DILATE + max(0, dilate_px - Settings.model_fields["mask_dilate"].default)


def segment_user_box(image: np.ndarray, box, segmenter: Segmenter) -> GroundingResult:
    """The object in a user box (x, y, w, h), or the box itself with a warning when the segmenter
    finds nothing plausible there (empty, or more than 90 % of the box)."""
    shape = image.shape[:2]
    x0, y0, x1, y1 = M.clip_box(box, shape[1], shape[0])  # BadBoxError for boxes outside the image
    inside = M.box_mask(shape, box)
    warnings = []
    if inside.mean() >= WHOLE_IMAGE_BOX:
        warnings.append(f"The box covers {inside.mean():.0%} of the image, so there is little around it to tell "
                        "the object from; draw it around the object only.")
    found = segmenter.segment(image, [(x0, y0, x1, y1)])[0] & inside
    fill = found.sum() / max(1, inside.sum())
    if not PLAUSIBLE_BOX_FILL[0] < fill <= PLAUSIBLE_BOX_FILL[1]:
        what = "nothing" if fill == 0 else f"{fill:.0%} of the box"
        warnings.append(f"The {segmenter.name} segmenter found no distinct object in the box {tuple(box)} "
                        f"({what}); the whole box is the mask.")
        return GroundingResult(inside, "user-box", warnings=warnings)
    return GroundingResult(found, "user-box", warnings=warnings)


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
        found = list(detector.detect(image, text, box_threshold=t, text_threshold=text_threshold))
        if found:
            return sorted(found, key=lambda d: -d.score), t
    return [], None


def _area(d: Detection) -> float:
    return (d.box[2] - d.box[0]) * (d.box[3] - d.box[1])


def _find(target: str, image, detector, segmenter, box_threshold, text_threshold, *, salient: bool = False):
    if not target.strip():
        raise EmptyMaskError("The plan names no target object to find.", fix="Name the object or give a box/mask.")
    if detector is None:
        raise UnsupportedEditError(
            f"Finding '{target}' needs the GroundingDINO detector, which this profile does not load.",
            fix="Give --box x,y,w,h or --mask FILE, or use --profile full (IDEA-Research/grounding-dino-base).",
        )
    dets, t = detect_with_ladder(detector, image, target, box_threshold, text_threshold)
    if not dets:
        raise EmptyMaskError(
            f"GroundingDINO found no '{target}' (box threshold lowered from {box_threshold} to "
            f"{threshold_ladder(box_threshold)[-1]}, text threshold {text_threshold}).",
            fix="Rephrase the target, or give --box x,y,w,h or --mask FILE.",
        )
    if salient:  # no subject named: keep the largest confident detection only
        dets = [max(dets, key=lambda d: _area(d) * d.score)]
    parts = segmenter.segment(image, [d.box for d in dets])
    return M.union(*parts), dets, t


def _base(plan, image, detector, segmenter, user_mask, user_box, combine, box_threshold, text_threshold, shape_kind):
    """The mask before per-category morphology: what was found, drawn or given."""
    shape = image.shape[:2]
    if plan.category == "global":
        return GroundingResult(np.ones(shape, bool), "full")
    if plan.category == "addition":
        box = user_box or (plan.box.as_tuple() if plan.box else None)
        if box is None:
            raise EmptyMaskError(
                f"Adding '{plan.target}' needs a place: the plan has no box.",
                fix="Give --box x,y,w,h, or use a VLM planner that proposes one.",
            )
        fn = M.ellipse_mask if shape_kind == "ellipse" else M.box_mask
        return GroundingResult(fn(shape, box), "user-box" if user_box else "plan-box")
    if user_mask is not None and combine == "override":
        return GroundingResult(user_mask.copy(), "user-mask")
    if user_box is not None:
        return segment_user_box(image, user_box, segmenter)
    target = plan.target
    salient = plan.category == "background" and set(target.lower().split()) <= _GENERIC
    found, dets, t = _find(SALIENT_PROMPT if salient else target, image, detector, segmenter,
                           box_threshold, text_threshold, salient=salient)
    return GroundingResult(found, "detector", dets, t)


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
    erode_px: int = 0,
    invert: bool = False,
    exact_dilate: bool = False,
) -> GroundingResult:
    """The edit mask (bool [H, W] of `image`, True = edit) for `plan`; user_box is x, y, w, h pixels.
    `dilate_px` follows `dilation_px` (exact when `exact_dilate`)."""
    cat = plan.category
    result = _base(plan, image, detector, segmenter, user_mask, user_box, combine, box_threshold, text_threshold,
                   addition_shape)
    dilate_px = dilation_px(segmenter.name, result.source, dilate_px, exact_dilate)
    if result.source != "user-mask":
        if cat in ("remove", "local"):
            result.mask = M.dilate(result.mask, dilate_px)
        elif cat == "background":
            # the found region is the subject; the edit is everything else (a thin band around it kept)
            result.mask = M.invert(M.dilate(result.mask, max(1, dilate_px // 4)))
    if user_mask is not None and combine != "override":
        result.mask = M.union(result.mask, user_mask) if combine == "union" else M.subtract(result.mask, user_mask)
    result.mask = M.erode(result.mask, erode_px) if erode_px else result.mask
    result.mask = M.invert(result.mask) if invert else result.mask
    if not result.mask.any():
        raise EmptyMaskError(
            f"The {cat} mask for '{plan.target}' is empty (source: {result.source}; {result.summary}).",
            fix="Give a larger --box or a --mask with white pixels.",
        )
    if cat in ("remove", "local", "addition") and result.coverage > LOCAL_COVERAGE_WARNING:
        result.warnings.append(
            f"The mask covers {result.coverage:.0%} of the image for a {cat} edit; "
            "the target may not have been found precisely."
        )
    return result


def reads_pixels(plan: EditPlan, user_mask, user_box, combine: str) -> bool:
    """Whether `ground` reads the image's pixels for this edit (a detector or a segmenter runs), or only
    its shape: a global edit, an addition (a box drawn), a user mask taken as it is."""
    if plan.category in ("global", "addition"):
        return False
    return not (user_mask is not None and combine == "override")


_WORKING: list[tuple] = []  # [(weakref to a source array, (W, H), its working-size copy)]: the last few


def working_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` at the working size `size` (W, H), for grounding only: what the detector and the
    segmenters look at (each resamples again to its own input size), never what is inpainted or kept.
    OpenCV's area average down (antialiased, 3-10x faster than the Lanczos of engine.images.resize_image;
    0.6-0.8 grey levels mean difference on photos); up, the same Lanczos as before (GrabCut's result on an
    upscaled photo depends on it: bilinear lost the spoon handle's tip across the cup rim). Read-only; the last few results are
    kept per source array (a retry grounds the same source again: the store hands out the same array)."""
    import weakref

    import cv2

    for ref, sz, small in _WORKING:
        if ref() is image and sz == size:
            return small
    down = size[0] < image.shape[1]
    if down:
        small = cv2.resize(np.ascontiguousarray(image), size, interpolation=cv2.INTER_AREA)
    else:
        from engine.images import resize_image

        small = resize_image(image, size)
    small.setflags(write=False)
    if not image.flags.writeable:  # only arrays nobody can change under us (the store's) are remembered
        try:
            _WORKING.insert(0, (weakref.ref(image), size, small))
            del _WORKING[3:]
        except TypeError:  # (an array type that takes no weak reference)
            pass
    return small


def ground_at_working_size(
    plan: EditPlan,
    image: np.ndarray,
    *,
    short_side: int,
    user_mask: np.ndarray | None = None,
    user_box: tuple[float, float, float, float] | None = None,
    **options,
) -> GroundingResult:
    """`ground` at the working resolution (short side `short_side`, multiple of 8), as BrushEdit does
    (so `dilate_px` is in working pixels), with the mask, boxes and detections mapped back to the
    image's own size. A user mask taken as is keeps its exact pixels. The image is resampled only
    when a detector or segmenter will read it (`reads_pixels`); otherwise only its shape is passed on."""
    from engine.images import resize_mask, working_size

    h, w = image.shape[:2]
    size = working_size(w, h, short_side)
    if size == (w, h):
        return ground(plan, image, user_mask=user_mask, user_box=user_box, **options)
    sx, sy = size[0] / w, size[1] / h
    if plan.box is not None:
        b = plan.box
        plan = plan.model_copy(update={"box": b.model_copy(update=dict(x=b.x * sx, y=b.y * sy, w=b.w * sx,
                                                                         h=b.h * sy))})
    small_box = None if user_box is None else (user_box[0] * sx, user_box[1] * sy, user_box[2] * sx, user_box[3] * sy)
    small_mask = None if user_mask is None else resize_mask(user_mask, size)
    if reads_pixels(plan, user_mask, user_box, options.get("combine", "override")):
        small = working_image(image, size)
    else:  # only the shape is read: a zero-stride read-only stand-in of the working size costs nothing
        small = np.broadcast_to(np.zeros((1, 1) + image.shape[2:], image.dtype), (size[1], size[0]) + image.shape[2:])
    result = ground(plan, small, user_mask=small_mask, user_box=small_box, **options)
    exact = result.source == "user-mask" and not options.get("erode_px") and not options.get("invert")
    result.mask = user_mask.copy() if exact else resize_mask(result.mask, (w, h))
    result.detections = [Detection((d.box[0] / sx, d.box[1] / sy, d.box[2] / sx, d.box[3] / sy), d.score, d.label)
                         for d in result.detections]
    return result
