"""The offline quality judge: does a fill look like the photo around it? No weights, no GPU.

`assess(source, result, mask)` compares what the edit generated (the mask) with the untouched
ring of the photo around it (beyond the feather band), on the luminance:
- flat patch: fine texture (high-pass energy) inside vs the texture level of the nearest untouched
  surroundings carried inward (counted fully once the mask is 30 px wide: a smooth brush stroke
  over a reflection goes unseen); a Telea/Navier-Stokes fill of a large mask is a smooth smudge on a
  textured photo (ratio 0.1-0.4; a clean fill 0.5-1.5);
- smear: directional streaks that run along the fill direction, i.e. image gradients orthogonal to
  the mask's inward normal (what diffusion-type fills draw); 0 for content unrelated to the mask
  shape, toward 1 for streaks, counted only where the streaks have visible contrast;
- smear fronts: edges along the mask's medial axis, where the sweeps of such a fill meet (the X
  a Telea fill leaves in a box), against the edges elsewhere inside;
- seam: a colour step across the border of the changed region, against the steps a few pixels
  farther out (1 = as natural as the ring; a pasted patch of the wrong colour is 3+);
- blotch: the fill's median brightness far from the ring's (a brighter/darker smudge);
- remnant: pixels next to the fill in colours of the removed object that the surroundings
  farther out do not have: a part of the object the mask missed (a horse's hooves);
- ragged: how jagged the fill's strong edges are (1 - structure-tensor coherence) against the
  ring's: the torn outline an exemplar fill leaves where it copied pieces of a contour;
- cut: contours of the photo that run into the changed region and come out of it again
  (engine/contours.py: side colours swapped, tangents aimed at each other) but that the fill does
  not show along the curve joining them: a coin cut in half, a dented rim.
Each measure maps to a badness 0..1 between a "looks fine" and a "clearly wrong" value (set on
the synthetic removal cases in evals/synthetic.py and checked by eye; see docs/benchmarks.md);
score = product of (1 - badness), ok = score >= QUALITY_THRESHOLD.
"""
from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from pydantic import BaseModel, Field

from engine.images import validate_image, validate_mask
from engine.masks import dilate

QUALITY_THRESHOLD = 0.5
SEAM_PCT = 75  # percentile of the border steps compared (a seam along part of the border counts)
THIN = (4.0, 15.0)  # px half-width: smoothness in a stroke thinner than this goes unseen, fully counted above
RAGGED_SLOPE = 12.0  # grey levels/px: the edges whose smoothness is compared
REMNANT_BIN = 8  # Lab bin width for the remnant check's colour sets
WORK_SIDE = 512  # the crop around the mask is judged at most this large (px)
# (measure, looks fine, clearly wrong): badness ramps linearly between the two
LIMITS = {"texture": (0.65, 0.40), "streaks": (0.45, 0.70), "fronts": (1.8, 3.5), "seam": (1.6, 3.0),
          "blotch": (1.6, 2.5), "remnant": (0.1, 0.3),
          "ragged": (1.2, 2.0), "cut": (0.4, 0.7)}
WHAT = {"texture": "flat patch", "streaks": "smeared streaks", "fronts": "smear fronts meeting",
        "seam": "visible seam", "blotch": "blotch",
        "remnant": "part of the object left outside the mask",
        "ragged": "jagged edges", "cut": "a contour cut off (not continued across the fill)"}


class QualityReport(BaseModel):
    score: float = Field(ge=0, le=1, description="1 = seamless; below QUALITY_THRESHOLD = artifact")
    ok: bool
    problem: Literal["artifact", "target_still_present", "none"]  # a remnant: part of the object is left
    reason: str
    measures: dict[str, float] = Field(default_factory=dict)


def _disk(r: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _ramp(value: float, good: float, bad: float) -> float:
    return float(np.clip((value - good) / (bad - good), 0.0, 1.0))


def _crop(source, result, mask, changed, margin):
    """The region around the change, downscaled so its longer side is at most WORK_SIDE."""
    ys, xs = np.nonzero(dilate(changed, margin))
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    parts = [a[y0:y1, x0:x1] for a in (source, result, mask, changed)]
    scale = min(1.0, WORK_SIDE / max(y1 - y0, x1 - x0))
    if scale < 1.0:
        size = (max(8, round((x1 - x0) * scale)), max(8, round((y1 - y0) * scale)))
        parts[:2] = [cv2.resize(p, size, interpolation=cv2.INTER_AREA) for p in parts[:2]]
        parts[2:] = [cv2.resize(p.astype(np.uint8) * 255, size, interpolation=cv2.INTER_AREA) > 127 for p in parts[2:]]
    return parts


def _texture(lum: np.ndarray, inner: np.ndarray, changed: np.ndarray) -> float:
    """Fine texture (|L - blur(L)|) inside the mask over the texture expected there: the untouched
    photo's local texture level carried inward from the nearest surroundings (so a smooth fill next
    to smooth surroundings is fine even when other parts of the ring are busy); 1 = as textured."""
    hp = np.abs(lum - cv2.GaussianBlur(lum, (0, 0), 1.0))
    level = np.clip(cv2.GaussianBlur(hp, (0, 0), 2.0) * 8.0, 0, 255).astype(np.uint8)
    expected = cv2.inpaint(level, changed.astype(np.uint8) * 255, 5, cv2.INPAINT_TELEA).astype(np.float32) / 8.0
    return float((hp[inner].mean() + 0.5) / (expected[inner].mean() + 0.5))


def _streaks(lum: np.ndarray, inner: np.ndarray) -> tuple[float, float]:
    """(1 - 2 E[cos^2(gradient, inward normal)], mean gradient magnitude) inside the mask."""
    smooth = cv2.GaussianBlur(lum, (0, 0), 1.5)
    gx, gy = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    depth = cv2.GaussianBlur(cv2.distanceTransform(inner.astype(np.uint8), cv2.DIST_L2, 5), (0, 0), 2.0)
    nx, ny = cv2.Sobel(depth, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(depth, cv2.CV_32F, 0, 1, ksize=3)
    norm = np.sqrt(nx * nx + ny * ny) + 1e-6
    along = cv2.GaussianBlur(((gx * nx + gy * ny) / norm) ** 2, (0, 0), 3.0)
    energy = cv2.GaussianBlur(gx * gx + gy * gy, (0, 0), 3.0)
    deep = inner & (depth > 1.5)
    if deep.sum() < 20:
        return 0.0, 0.0
    value = 1.0 - 2.0 * along[deep].sum() / (energy[deep].sum() + 1e-6)
    return float(value), float(np.sqrt(gx * gx + gy * gy)[deep].mean() / 8.0)  # Sobel gain 8 -> grey levels/px


def _fronts(lum: np.ndarray, inner: np.ndarray) -> float:
    """Edges on the mask's medial axis over edges elsewhere deep inside: where the inward sweeps of a
    diffusion-type fill meet they leave a hard X or Y (a box filled by Telea); 1 = unrelated."""
    smooth = cv2.GaussianBlur(lum, (0, 0), 1.0)
    grad = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    depth = cv2.distanceTransform(np.pad(inner, 1).astype(np.uint8), cv2.DIST_L2, 5)[1:-1, 1:-1]
    deep = depth > 3
    ridge = deep & (depth >= cv2.dilate(depth, np.ones((3, 3), np.uint8)) - 0.5)
    ridge = (cv2.dilate(ridge.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & deep
    if ridge.sum() < 10 or (deep & ~ridge).sum() < 10:
        return 1.0
    return float((grad[ridge].mean() + 2.0) / (grad[deep & ~ridge].mean() + 2.0))


def _side_means(rgb: np.ndarray, weight: np.ndarray, win: int) -> np.ndarray:
    w = weight.astype(np.float32)
    num = cv2.boxFilter(rgb * w[..., None], -1, (win, win), normalize=False)
    den = cv2.boxFilter(w, -1, (win, win), normalize=False)[..., None]
    return num / np.maximum(den, 1e-6)


def _steps(rgb: np.ndarray, inside: np.ndarray, outside: np.ndarray, at: np.ndarray, win: int) -> np.ndarray:
    """Colour step |mean(inside) - mean(outside)| over win x win windows centred on the pixels `at`."""
    step = np.linalg.norm(_side_means(rgb, inside, win) - _side_means(rgb, outside, win), axis=2)
    return step[at]


def _contour(region: np.ndarray) -> np.ndarray:
    return dilate(region, 1) & ~(cv2.erode(region.astype(np.uint8), _disk(1)) > 0)


def _seams(rgb: np.ndarray, inner: np.ndarray, changed: np.ndarray) -> tuple[float, float]:
    """(hard seam, soft seam): the colour step across the changed region's border (5 px windows) and
    across the whole feather band (windows wider than the band), each over the same step measured
    a few pixels farther out, in the untouched photo."""
    hard = np.percentile(_steps(rgb, changed, ~changed, _contour(changed), 5), SEAM_PCT)
    out6 = dilate(changed, 6)  # the same border 6 px out, in the untouched photo
    hard_ref = np.percentile(_steps(rgb, out6, ~out6, _contour(out6), 5), SEAM_PCT)
    band = int(np.ceil(cv2.distanceTransform((~inner).astype(np.uint8), cv2.DIST_L2, 3)[changed].max()))
    win = 2 * (band // 2 + 8) + 1
    mid = _contour(dilate(inner, band // 2)) if band > 1 else _contour(changed)
    soft = np.median(_steps(rgb, inner, ~changed, mid, win))
    near = dilate(changed, 10) & ~dilate(changed, 2)  # the same layout, shifted into the untouched photo
    soft_ref = np.median(_steps(rgb, near, ~dilate(changed, 10 + band), _contour(dilate(changed, 10 + band // 2)), win))
    return float((hard + 1.0) / (hard_ref + 1.0)), float((soft + 2.0) / (soft_ref + 2.0))


def _colour_bins(lab: np.ndarray) -> np.ndarray:
    """Flat index of each Lab pixel's REMNANT_BIN-wide colour bin."""
    q = (lab // REMNANT_BIN).astype(np.int64)
    n = 256 // REMNANT_BIN
    return (q[..., 0] * n + q[..., 1]) * n + q[..., 2]


def _present(bins: np.ndarray, spread: int = 1) -> np.ndarray:
    """bool 3-D grid of the colour bins in `bins`, grown by `spread` bins each way (near colours count)."""
    n = 256 // REMNANT_BIN
    grid = np.zeros(n ** 3, np.uint8)
    grid[bins] = 1
    grid = grid.reshape(n, n, n)
    for axis in range(3):
        grid = np.max([np.roll(grid, d, axis) for d in range(-spread, spread + 1)], axis=0)
    return grid.reshape(-1).astype(bool)


def _remnant(src, res, inner, changed, reach: int) -> float:
    """Part of the removed object left outside the fill (a hoof or a rim the mask missed: the fill
    never saw it, so no other measure does): pixels within `reach` px of the changed region of a
    colour found in the source under the mask (2 px in from its edge) and in no pixel of the result
    `reach`..`reach`+10 px out (Lab bins REMNANT_BIN wide, a bin's neighbours counting as present).
    The largest such blob (3x3 closed), over the square root of the mask's area: 0 when nothing of
    the object's own colours is left; two hooves of a horse left on a brick wall ~0.6."""
    core = inner & ~dilate(~inner, 2)
    within = dilate(changed, reach)
    far = dilate(changed, reach + 10) & ~within
    near = within & ~changed
    if core.sum() < 30 or far.sum() < 60 or not near.any():
        return 0.0
    src_bins = _colour_bins(cv2.cvtColor(src, cv2.COLOR_RGB2Lab))
    res_bins = _colour_bins(cv2.cvtColor(res, cv2.COLOR_RGB2Lab))
    objectish = _present(src_bins[core], 0) & ~_present(res_bins[far], 1)
    like = cv2.morphologyEx((near & objectish[res_bins]).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(like * near, connectivity=8)
    largest = stats[1:, cv2.CC_STAT_AREA].max() if n > 1 else 0
    return float(largest / np.sqrt(inner.sum()))


def _ragged(lum: np.ndarray, inner: np.ndarray, ring: np.ndarray) -> float:
    """Jagged strong edges in the fill (the torn outline an exemplar fill leaves where it copied
    pieces of a contour: a pale jagged band along a cup): 1 - structure-tensor coherence at the
    strong edges (RAGGED_SLOPE grey levels/px and more) more than 2 px inside, over the same at the
    strong edges of the ring; 1 = as smooth as the photo's own edges, 0 when the fill has too few."""
    from engine.contours import coherence

    grad, coh = coherence(cv2.GaussianBlur(lum, (0, 0), 1.0))
    strong = grad >= RAGGED_SLOPE
    deep = inner & ~dilate(~inner, 2) & strong
    around = ring & strong
    if deep.sum() < 15 or around.sum() < 15:
        return 0.0
    return float((1.0 - coh[deep]).mean() + 0.05) / float((1.0 - coh[around]).mean() + 0.05)


def _cut(src, res, changed) -> float:
    """Contours that cross the changed region and are not continued in the fill (a coin cut in half,
    a dented rim): 1 - engine.contours.continuation over the source's contours that enter the region
    and come out of it again (0 = all continued, or none crosses)."""
    from engine.contours import continuation, crossings

    pairs, _ = crossings(src, changed)
    return 1.0 - continuation(res, changed, pairs)


def _measures(source, result, mask, changed) -> dict[str, float] | None:
    reach = int(np.clip(np.sqrt(changed.sum()) * 0.35, 8, 40))
    src, res, inner, changed = _crop(source, result, mask, changed, reach + 12)
    ring = dilate(changed, reach + 2) & ~dilate(changed, 2)
    if inner.sum() < 16 or ring.sum() < max(64, 0.05 * inner.sum()):
        return None  # nothing around the mask to compare with (global edits, near-full masks)
    lum = cv2.cvtColor(res, cv2.COLOR_RGB2GRAY).astype(np.float32)
    streaks, contrast = _streaks(lum, inner)
    seam, blotch = _seams(res.astype(np.float32), inner, changed)
    return {
        "texture": _texture(lum, inner, changed),
        "streaks": streaks,
        "streak_contrast": contrast,
        "fronts": _fronts(lum, inner),
        "half_width": float(cv2.distanceTransform(np.pad(inner, 1).astype(np.uint8), cv2.DIST_L2, 3).max()),
        "seam": seam,
        "blotch": blotch,
        "remnant": _remnant(src, res, inner, changed, reach),
        "ragged": _ragged(lum, inner, ring),
        "cut": _cut(src, res, changed),
    }


def assess(source: np.ndarray, result: np.ndarray, mask: np.ndarray) -> QualityReport:
    """Judge a fill: `source`/`result` uint8 [H, W, 3], `mask` bool [H, W] (the pixels the edit generated)."""
    source, result = validate_image(source, "source"), validate_image(result, "result")
    mask = validate_mask(mask, source.shape[:2])
    if result.shape != source.shape:
        result = cv2.resize(result, (source.shape[1], source.shape[0]), interpolation=cv2.INTER_AREA)
    changed = mask | np.any(result != source, axis=2)
    m = _measures(source, result, mask, changed) if mask.any() else None
    if m is None:
        return QualityReport(score=1.0, ok=True, problem="none", measures={},
                             reason="nothing to judge: the mask is empty or leaves no surroundings to compare with")
    thick = float(np.clip((m["half_width"] - THIN[0]) / (THIN[1] - THIN[0]), 0.0, 1.0))
    bad = {k: _ramp(m[k], *limits) for k, limits in LIMITS.items()}
    bad["texture"] *= thick
    bad["streaks"] *= float(np.clip(m["streak_contrast"] / 1.5, 0, 1))
    score = float(np.prod([1.0 - b for b in bad.values()]))
    worst = max(bad, key=bad.get)
    ok = score >= QUALITY_THRESHOLD
    detail = (f"texture {m['texture']:.2f} of the surroundings, streaks {m['streaks']:.2f}, "
              f"fronts {m['fronts']:.2f}, seam {m['seam']:.2f}, blotch {m['blotch']:.2f}, remnant {m['remnant']:.2f}, "
              f"ragged {m['ragged']:.2f}, cut {m['cut']:.2f}")
    reason = (f"looks seamless (score {score:.2f}: {detail})" if ok else
              f"{WHAT[worst]} in the filled region (score {score:.2f} < {QUALITY_THRESHOLD}: {detail})")
    measures = {**{k: round(v, 4) for k, v in m.items()}, **{f"bad_{k}": round(v, 4) for k, v in bad.items()}}
    problem = "none" if ok else "target_still_present" if worst == "remnant" else "artifact"
    return QualityReport(score=round(score, 4), ok=ok, problem=problem, reason=reason,
                         measures=measures)
