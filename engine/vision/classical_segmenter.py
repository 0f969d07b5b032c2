"""Offline object segmenter from a box, without weights (the `lite` profile's `classical`, alias `box`).

The box is a prompt, not the mask: OpenCV GrabCut (Rother et al. 2004; colour GMMs + graph cut)
separates the object from what surrounds it, on a crop around the box so the background model
is learnt nearby. Each candidate is cleaned up (small specks opened away, the largest component
and those near its size kept, holes filled) and scored by how plausible it is as the object:
its area in the box and how little of the box border it hugs. GrabCut lands in a poor local
optimum now and then (it takes in background of the object's colours, or misses outright:
nearly empty, nearly the whole box, or a region hugging the box border), so it runs from four
seeds: the box, pixels whose colour is unlike anything around the box, the box's centre, and the
first result with its ring-coloured pixels demoted; the first mask two seeds agree on
(IoU >= 0.95) wins, else the one that agrees best with the others (mean IoU 0.88 -> 0.94 on
evals/synthetic.py at the working size, docs/benchmarks.md). When none is plausible `segment`
returns the box itself (so every caller gets a region), and engine.grounding says so in the
edit's warnings. Crops run at most WORK_SIDE px, ITERATIONS GrabCut rounds per seed (~0.4 s).
"""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

WORK_SIDE = 320  # the crop around the box is segmented at most this large (px)
ITERATIONS = 3  # GrabCut rounds per seed (2 was as accurate on synthetic seeds 1-5 but lost the spoon's stem for the browser test's box)
AGREE = 0.95  # two seeds whose masks overlap this much (IoU) settle the object


def _disk(r: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def bridge_parts(parts: np.ndarray, labels: np.ndarray, main: int, max_gap: float) -> np.ndarray:
    """Join each other kept part to the main one by a straight stroke as wide as the part, when the
    gap is under `max_gap` px: one object in a box is one thing (a spoon's stem in front of a cup
    has the cup's colours and drops out of the colour model, its handle and bowl do not)."""
    out = parts.copy()
    dist, nearest = cv2.distanceTransformWithLabels((labels != main).astype(np.uint8), cv2.DIST_L2, 5,
                                                    labelType=cv2.DIST_LABEL_PIXEL)
    ys, xs = np.nonzero(labels == main)
    lookup = np.zeros(nearest.max() + 1, np.int64)  # label of each main-part pixel -> its flat index
    lookup[nearest[ys, xs]] = ys * labels.shape[1] + xs
    for other in np.unique(labels[parts & (labels != main)]):
        oy, ox = np.nonzero(labels == other)
        k = int(np.argmin(dist[oy, ox]))
        if dist[oy[k], ox[k]] > max_gap:
            continue
        ty, tx = divmod(int(lookup[nearest[oy[k], ox[k]]]), labels.shape[1])
        width = cv2.distanceTransform((labels == other).astype(np.uint8), cv2.DIST_L2, 3)[oy, ox]
        thick = int(np.clip(2 * np.median(width[width > 0]), 3, 15))
        canvas = out.astype(np.uint8)
        cv2.line(canvas, (int(ox[k]), int(oy[k])), (tx, ty), 1, thick)
        out = canvas > 0
    return out


def clean_mask(mask: np.ndarray, keep_fraction: float = 0.05, max_hole: float = 0.03,
               max_gap: float = 0.0) -> np.ndarray:
    """Open away specks, keep the largest component and those at least `keep_fraction` of it (joined
    to it across gaps under `max_gap` px), and fill holes smaller than `max_hole` of it (larger ones
    are background seen through the object)."""
    m = mask.astype(np.uint8)
    r = max(1, int(round(np.sqrt(m.sum()) / 60)))
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, _disk(r))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return np.zeros(mask.shape, bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.nonzero(areas >= keep_fraction * areas.max())[0]
    kept = np.isin(labels, keep)
    if len(keep) > 1 and max_gap > 0:
        kept = bridge_parts(kept, labels, 1 + int(np.argmax(areas)), max_gap)
    holes = cv2.connectedComponentsWithStats((~kept).astype(np.uint8), connectivity=4)
    border = np.unique(np.concatenate([holes[1][0], holes[1][-1], holes[1][:, 0], holes[1][:, -1]]))
    small = [i for i in range(1, holes[0]) if i not in border and holes[2][i, cv2.CC_STAT_AREA] <= max_hole * kept.sum()]
    return kept | np.isin(holes[1], small)  # specks of background inside the object (highlights) are object


def _grabcut(bgr: np.ndarray, init: np.ndarray | tuple, iterations: int = ITERATIONS) -> np.ndarray | None:
    bg, fg = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's k-means draws from OpenCV's global RNG: the same box, the same mask
    try:
        if isinstance(init, tuple):
            mask = np.zeros(bgr.shape[:2], np.uint8)
            cv2.grabCut(bgr, mask, init, bg, fg, iterations, cv2.GC_INIT_WITH_RECT)
        else:
            mask = init.copy()
            cv2.grabCut(bgr, mask, None, bg, fg, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # e.g. no pixel of one class to learn a colour model from
        return None
    return (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)


def _ring_distance(lab: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Per pixel: Lab distance to the nearest of (up to 8) colour clusters of the ring around the box."""
    samples = lab[ring].astype(np.float32)
    k = int(min(8, max(1, len(samples) // 50)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    cv2.setRNGSeed(0)
    _, _, centres = cv2.kmeans(samples, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    pix = lab.reshape(-1, 3).astype(np.float32)
    return np.min(np.linalg.norm(pix[:, None, :] - centres[None], axis=2), axis=1).reshape(lab.shape[:2])


def plausibility(mask: np.ndarray, inside: np.ndarray, edges: np.ndarray) -> float:
    """0 for an outright miss (under 3 % or over 90 % of the box, or hugging most of the box border),
    else how strongly its outline follows image edges (outline gradient / mean gradient in the box)."""
    area = mask[inside].mean() if inside.any() else 0.0
    rim = inside & ~(cv2.erode(inside.astype(np.uint8), _disk(2)) > 0)
    if area < 0.03 or area > 0.9 or (rim.any() and mask[rim].mean() > 0.6):
        return 0.0
    outline = mask & ~(cv2.erode(mask.astype(np.uint8), _disk(1)) > 0)
    return float(edges[outline].mean() / (edges[inside].mean() + 1e-6))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def medoid(masks: list[np.ndarray]) -> np.ndarray:
    """The mask that agrees best (summed IoU) with the others; the first of one or two."""
    if len(masks) <= 2:
        return masks[0]
    return masks[int(np.argmax([sum(_iou(a, b) for b in masks if b is not a) for a in masks]))]


class ClassicalSegmenter:
    """Segmenter protocol: one bool [H, W] mask per box (x0, y0, x1, y1); the box when nothing plausible."""

    name = "classical"

    def segment(self, image: np.ndarray, boxes: Sequence[tuple[float, float, float, float]]) -> list[np.ndarray]:
        return [self._one(image, box) for box in boxes]

    def _crop(self, image: np.ndarray, box):
        H, W = image.shape[:2]
        x0, y0 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
        x1, y1 = min(W, int(np.ceil(box[2]))), min(H, int(np.ceil(box[3])))
        margin = max(12, int(0.25 * max(x1 - x0, y1 - y0)))
        cx0, cy0, cx1, cy1 = max(0, x0 - margin), max(0, y0 - margin), min(W, x1 + margin), min(H, y1 + margin)
        scale = min(1.0, WORK_SIDE / max(cx1 - cx0, cy1 - cy0))
        crop = image[cy0:cy1, cx0:cx1]
        if scale < 1.0:
            crop = cv2.resize(crop, (max(8, round((cx1 - cx0) * scale)), max(8, round((cy1 - cy0) * scale))),
                              interpolation=cv2.INTER_AREA)
        sx, sy = crop.shape[1] / (cx1 - cx0), crop.shape[0] / (cy1 - cy0)
        rect = [int(round((x0 - cx0) * sx)), int(round((y0 - cy0) * sy)),
                int(round((x1 - cx0) * sx)), int(round((y1 - cy0) * sy))]
        h, w = crop.shape[:2]  # GrabCut needs some background: keep a 1 px frame outside the rect
        rect = [max(1, rect[0]), max(1, rect[1]), min(w - 1, rect[2]), min(h - 1, rect[3])]
        return crop, rect, (cx0, cy0, cx1, cy1)

    def _candidates(self, bgr, lab, rect, inside):
        """GrabCut from the box; from colour-distinct seeds; from the box centre; the first one again
        with its ring-coloured pixels demoted to probable background."""
        x0, y0, x1, y1 = rect
        first = _grabcut(bgr, (x0, y0, x1 - x0, y1 - y0))
        yield first
        ring = ~(cv2.dilate(inside.astype(np.uint8), _disk(3)) > 0)
        if ring.sum() < 30:
            return
        dist = _ring_distance(lab, ring)
        distinct = inside & (dist > max(np.percentile(dist[ring], 95) * 1.5, 12.0))
        base = np.where(inside, cv2.GC_PR_BGD, cv2.GC_BGD).astype(np.uint8)
        if distinct.sum() >= 0.02 * inside.sum():
            init = base.copy()
            init[distinct] = cv2.GC_PR_FGD
            init[cv2.erode(distinct.astype(np.uint8), _disk(2)) > 0] = cv2.GC_FGD
            yield _grabcut(bgr, init)
        init = base.copy()
        centre = np.zeros_like(inside)
        cv2.ellipse(centre.view(np.uint8), ((x0 + x1) // 2, (y0 + y1) // 2), (max(1, (x1 - x0) // 5),
                    max(1, (y1 - y0) // 5)), 0, 0, 360, 1, -1)
        init[centre & inside] = cv2.GC_PR_FGD
        yield _grabcut(bgr, init)
        if first is not None:
            init = base.copy()
            init[first & (dist > np.percentile(dist[ring], 60))] = cv2.GC_PR_FGD
            init[distinct] = cv2.GC_FGD
            yield _grabcut(bgr, init)

    def _one(self, image: np.ndarray, box) -> np.ndarray:
        crop, rect, (cx0, cy0, cx1, cy1) = self._crop(image, box)
        bgr = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2BGR)
        lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab)
        inside = np.zeros(crop.shape[:2], bool)
        inside[rect[1] : rect[3], rect[0] : rect[2]] = True
        grey = cv2.GaussianBlur(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.0)
        edges = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
        gap = 0.3 * float(np.hypot(rect[2] - rect[0], rect[3] - rect[1]))
        found: list[np.ndarray] = []
        for raw in self._candidates(bgr, lab, rect, inside):
            m = None if raw is None else clean_mask(raw & inside, max_gap=gap) & inside
            if m is None or plausibility(m, inside, edges) <= 0.0:
                continue
            if any(_iou(m, other) >= AGREE for other in found):
                found = [m]  # two seeds agree: that is the object (and saves the remaining GrabCuts)
                break
            found.append(m)
        best = medoid(found) if found else None
        out = np.zeros(image.shape[:2], bool)
        if best is None:  # nothing plausible: the box itself is the best guess (engine.grounding warns)
            best = inside
        full = cv2.resize(best.astype(np.uint8) * 255, (cx1 - cx0, cy1 - cy0), interpolation=cv2.INTER_LINEAR)
        out[cy0:cy1, cx0:cx1] = full > 127
        return out
