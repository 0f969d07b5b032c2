"""Contours that cross a hole: where a strong edge of the photo runs under a mask, and where it comes out.

A removal must continue what the object hid: the cup's outline under a spoon's stem, a coin's
rim under a pasted shape. `entries(image, hole)` finds the strong, straight-ish edges in a thin
band just outside the hole that run INTO it (their tangent crosses the hole's border), with the
colours on their two sides; `pair(entries, hole)` matches each to the entry where the same
contour comes out (the side colours swap: what is left going in is right coming out; both
tangents point at each other; the cubic Hermite curve between them stays within the hole) and
returns those curves (`crossings` does both). The classical fill draws them as barriers
(engine/diffusion/patchmatch.py `split_membrane`: each side of a contour is interpolated from its
own side only) and the quality judge (engine/quality.py, `cut`) checks that a fill shows them
(`continuation`).
All in pixels of the image given; grey levels 0..255.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BAND = (2.0, 5.0)  # px outside the hole where entering edges are looked for
MIN_STEP = 40.0  # grey levels: the smallest colour step across an edge that counts as a contour
MIN_CROSS = 0.5  # |cos| between the edge's tangent and the hole's normal: the edge runs into the hole
OVER_TEXTURE = 2.5  # a contour's slope over the 75th percentile of the band's slopes
MIN_COHERENCE = 0.5  # structure-tensor coherence: a line, not texture
SIDE_PX = 3.0  # the side colours are read this far from the edge, either side
LENGTH = 6.0  # px: how far outward an entering edge must run on, unchanged, to be a contour
SLACK_PX = 4  # px: how far off the predicted curve a continued contour may run
MAX_ENTRIES = 16  # the strongest entries only (pairing is quadratic)
MAX_COLOUR = 0.45  # pair cost limit: colour mismatch over the two edges' contrast
MIN_AIM = 0.6  # cos between an entry's tangent and the chord to its partner


@dataclass(frozen=True)
class Entry:
    point: np.ndarray  # (x, y) float: where the edge is seen outside the hole
    direction: np.ndarray  # (dx, dy) unit: the edge's tangent, pointing into the hole
    left: np.ndarray  # RGB float: colour on the left of `direction` (image axes: x right, y down)
    right: np.ndarray
    step: float  # |left - right|


def _tensor(lum: np.ndarray, keep: np.ndarray | None = None):
    gx, gy = cv2.Sobel(lum, cv2.CV_32F, 1, 0) / 8.0, cv2.Sobel(lum, cv2.CV_32F, 0, 1) / 8.0
    if keep is not None:
        gx, gy = gx * keep, gy * keep
    jxx, jyy, jxy = (cv2.GaussianBlur(a, (0, 0), 2.0) for a in (gx * gx, gy * gy, gx * gy))
    root = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy)
    coherence = root / (jxx + jyy + 1e-6)
    return gx, gy, jxx, jyy, jxy, coherence


def coherence(lum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gradient magnitude in grey levels/px, structure-tensor coherence 0..1) of a grey image."""
    gx, gy, _, _, _, coh = _tensor(lum)
    return np.hypot(gx, gy), coh


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Bilinear samples of img [H, W, C] at float (x, y) points [N, 2]."""
    maps = pts.astype(np.float32).reshape(-1, 1, 2)
    out = cv2.remap(img, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(len(pts), -1)


def _outside_distance(hole: np.ndarray) -> np.ndarray:
    """float32 [H, W]: each pixel's distance to the hole (0 inside it)."""
    return cv2.distanceTransform((~hole).astype(np.uint8), cv2.DIST_L2, 5)


def _pixels(curve: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys): the integer pixels of float (x, y) curve points, clipped to an image of `shape`."""
    h, w = shape
    return (np.clip(np.rint(curve[:, 0]).astype(int), 0, w - 1), np.clip(np.rint(curve[:, 1]).astype(int), 0, h - 1))


def entries(image: np.ndarray, hole: np.ndarray, dist: np.ndarray | None = None) -> list[Entry]:
    """Strong line-like edges in the band BAND px outside `hole` whose tangent runs into it (`dist`:
    `_outside_distance(hole)` when the caller has it)."""
    if not hole.any() or hole.all():
        return []
    rgb = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 1.0)
    lum = rgb.mean(axis=2)
    dist = _outside_distance(hole) if dist is None else dist
    gx, gy, jxx, jyy, jxy, coherence = _tensor(lum, dist >= BAND[0])  # the object's own outline left out
    grad = np.hypot(gx, gy)
    sm = cv2.GaussianBlur(dist, (0, 0), 1.5)
    nx, ny = cv2.Sobel(sm, cv2.CV_32F, 1, 0), cv2.Sobel(sm, cv2.CV_32F, 0, 1)  # outward normal
    nn = np.hypot(nx, ny) + 1e-6
    cross = np.abs(-gy * nx + gx * ny) / ((grad + 1e-6) * nn)  # |tangent . normal|
    band = (dist >= BAND[0]) & (dist <= BAND[1])
    # a contour stands out of the texture around it: its slope is well above the band's typical one
    floor = max(MIN_STEP / 6.0, OVER_TEXTURE * float(np.percentile(grad[band], 75))) if band.any() else MIN_STEP / 6.0
    cand = band & (grad >= floor) & (cross >= MIN_CROSS) & (coherence >= MIN_COHERENCE)
    # one edge = one ridge of the gradient: keep local maxima across it
    cand &= grad >= cv2.dilate(grad, np.ones((3, 3), np.uint8)) * 0.7
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(cand.astype(np.uint8), np.ones((3, 3), np.uint8)) * band, connectivity=8)
    found = []
    for k in range(1, n):
        ys, xs = np.nonzero((labels == k) & cand)
        if len(ys) < 2:
            continue
        w = grad[ys, xs]
        p = np.array([np.average(xs, weights=w), np.average(ys, weights=w)])
        # the tangent: the structure tensor's minor eigenvector, averaged over the cluster
        a, b, c = (float(np.average(t[ys, xs], weights=w)) for t in (jxx, jyy, jxy))
        angle = 0.5 * np.arctan2(2 * c, a - b) + np.pi / 2
        d = np.array([np.cos(angle), np.sin(angle)])
        iy, ix = int(round(p[1])), int(round(p[0]))
        inward = -np.array([nx[iy, ix], ny[iy, ix]])
        d = d if d @ inward >= 0 else -d
        normal = np.array([-d[1], d[0]])  # image axes (y down): this points to the right of d
        at = p - SIDE_PX * d  # a step back out: the blur of the object's outline stays out of the sides
        sides = _sample(rgb, np.stack([at - SIDE_PX * normal, at + SIDE_PX * normal]))
        left, right = sides[0], sides[1]
        step = float(np.linalg.norm(left - right))
        if step < MIN_STEP:
            continue
        # a contour, not a texture stroke: the same edge (same sides) runs on LENGTH px outward
        back = np.array([p - s * d for s in (LENGTH / 2, LENGTH)])
        far = _sample(rgb, np.concatenate([back - SIDE_PX * normal, back + SIDE_PX * normal]))
        kept = ((far[:2] - far[2:]) @ (left - right)) / (step * step)
        if kept.min() >= 0.6:
            found.append(Entry(point=p, direction=d, left=left, right=right, step=step))
    found.sort(key=lambda e: -e.step)
    return found[:MAX_ENTRIES]


def hermite(p0: np.ndarray, d0: np.ndarray, p1: np.ndarray, d1: np.ndarray, count: int) -> np.ndarray:
    """[count, 2] points of the cubic Hermite curve from p0 (tangent d0) to p1 arriving along -d1,
    with the tangent length that makes it a circular arc when the two tangents are symmetric
    (chord / cos^2(a/2), a the tangents' mean angle to the chord): a rim continues as a rim."""
    chord = p1 - p0
    L = float(np.linalg.norm(chord))
    a = np.arccos(np.clip(0.5 * (d0 @ chord - d1 @ chord) / max(L, 1e-6), -1.0, 1.0))
    T = L / np.cos(a / 2) ** 2
    s = np.linspace(0.0, 1.0, count)[:, None]
    h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * p0 + h10 * T * d0 + h01 * p1 + h11 * T * (-d1)


def pair(found: list[Entry], hole: np.ndarray, dist: np.ndarray | None = None) -> list[tuple[Entry, Entry, np.ndarray]]:
    """Greedy best-first matching of entries into contours that cross the hole: (entry, exit, curve
    points [N, 2]); entries without a plausible partner are left out."""
    dist = _outside_distance(hole) if dist is None else dist
    options = []
    for i, a in enumerate(found):
        for j in range(i + 1, len(found)):
            b = found[j]
            chord = b.point - a.point
            L = float(np.linalg.norm(chord))
            if L < 6:
                continue
            aim = min(float(a.direction @ chord) / L, float(-(b.direction @ chord)) / L)
            if aim < MIN_AIM:
                continue
            colour = (np.linalg.norm(a.left - b.right) + np.linalg.norm(a.right - b.left)) / (a.step + b.step)
            if colour > MAX_COLOUR:
                continue
            curve = hermite(a.point, a.direction, b.point, b.direction, max(8, int(L)))
            xs, ys = _pixels(curve, hole.shape)
            if dist[ys, xs].max() > BAND[1] + 1 or not hole[ys, xs].any():
                continue  # the curve leaves the hole: not this contour's way through
            options.append((colour + (1.0 - aim), i, j, curve))
    used, out = set(), []
    for _, i, j, curve in sorted(options, key=lambda o: o[0]):
        if i not in used and j not in used:
            used |= {i, j}
            out.append((found[i], found[j], curve))
    return out


def crossings(image: np.ndarray, hole: np.ndarray) -> tuple[list[tuple[Entry, Entry, np.ndarray]], list[Entry]]:
    """The contours of `image` that cross `hole` (entries, paired) and the entries left unpaired."""
    dist = _outside_distance(hole)
    found = entries(image, hole, dist)
    pairs = pair(found, hole, dist)
    used = {id(e) for a, b, _ in pairs for e in (a, b)}
    return pairs, [e for e in found if id(e) not in used]


def barrier_mask(shape: tuple[int, int], curves: list[np.ndarray]) -> np.ndarray:
    """bool [H, W]: the curves drawn 1 px wide, 8-connected (so they split a 4-connected region)."""
    canvas = np.zeros(shape, np.uint8)
    for curve in curves:
        cv2.polylines(canvas, [np.rint(curve).astype(np.int32).reshape(-1, 1, 2)], False, 1, 1, cv2.LINE_8)
    return canvas > 0


def continuation(result: np.ndarray, hole: np.ndarray, found: list[tuple[Entry, Entry, np.ndarray]]) -> float:
    """How much of the contrast of the contours that cross `hole` the result shows along their
    curves inside it: the colour difference SIDE_PX either side of the curve, projected on the
    entering edge's (left - right), over |left - right|^2; step-weighted mean over contours,
    1 = continued, 0 = gone (a halved coin, a dented rim), 1.0 when no contour crosses."""
    if not found:
        return 1.0
    rgb = cv2.GaussianBlur(result.astype(np.float32), (0, 0), 1.0)
    values, weights = [], []
    for a, b, curve in found:
        xs, ys = _pixels(curve, hole.shape)
        inside = hole[ys, xs]
        if inside.sum() < 3:
            continue
        tangent = np.gradient(curve, axis=0)
        tangent /= np.linalg.norm(tangent, axis=1, keepdims=True) + 1e-6
        normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
        pts, nrm = curve[inside], normal[inside]
        ref = 0.5 * ((a.left - a.right) + (b.right - b.left))
        shown = np.zeros(len(pts))
        for shift in np.arange(-SLACK_PX, SLACK_PX + 1):  # the edge may run a few px off the predicted curve
            at = pts + shift * nrm
            left, right = _sample(rgb, at - SIDE_PX * nrm), _sample(rgb, at + SIDE_PX * nrm)
            shown = np.maximum(shown, ((left - right) @ ref) / (ref @ ref + 1e-6))
        values.append(float(np.mean(np.clip(shown, 0.0, 1.0))))
        weights.append(a.step + b.step)
    return float(np.average(values, weights=weights)) if values else 1.0
