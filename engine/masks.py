"""Deterministic mask operations on bool [H, W] arrays (True = edit)."""
from __future__ import annotations

import cv2
import numpy as np

from engine.errors import BadBoxError, BadMaskError


def clip_box(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) -> integer (x0, y0, x1, y1) clipped to the image; BadBoxError if nothing is left."""
    x, y, w, h = box
    if not all(np.isfinite(v) for v in box) or w <= 0 or h <= 0:
        raise BadBoxError(f"Box {tuple(box)} must have finite values and positive width/height.",
                          fix="Give x,y,w,h in pixels with w>0 and h>0.")
    x0, y0 = max(0, int(np.floor(x))), max(0, int(np.floor(y)))
    x1, y1 = min(width, int(np.ceil(x + w))), min(height, int(np.ceil(y + h)))
    if x1 <= x0 or y1 <= y0:
        raise BadBoxError(f"Box {tuple(box)} lies outside the {width}x{height} image.",
                          fix=f"Use 0<=x<{width}, 0<=y<{height}.")
    return x0, y0, x1, y1


def box_mask(shape: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """Filled rectangle; `shape` is (H, W), box is (x, y, w, h)."""
    x0, y0, x1, y1 = clip_box(box, shape[1], shape[0])
    mask = np.zeros(shape, dtype=bool)
    mask[y0:y1, x0:x1] = True
    return mask


def ellipse_mask(shape: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """Filled ellipse inscribed in the box (x, y, w, h), clipped to the image."""
    clip_box(box, shape[1], shape[0])
    x, y, w, h = box
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    cx, cy = x + w / 2 - 0.5, y + h / 2 - 0.5
    return ((xx - cx) / (w / 2)) ** 2 + ((yy - cy) / (h / 2)) ** 2 <= 1.0


def _kernel(pixels: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pixels + 1, 2 * pixels + 1))


def padded_box(mask: np.ndarray, pad: int) -> tuple[slice, slice] | None:
    """(rows, cols) slices of the mask's bounding box grown by `pad` pixels on every side, clipped to the
    image; None for an empty mask. What an operation of reach < pad changes lies inside it."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    h, w = mask.shape
    return (slice(max(0, rows[0] - pad), min(h, rows[-1] + 1 + pad)),
            slice(max(0, cols[0] - pad), min(w, cols[-1] + 1 + pad)))


def _morph(mask: np.ndarray, pixels: int, grow: bool) -> np.ndarray:
    out = np.zeros(mask.shape, bool)
    box = padded_box(mask, pixels + 1)  # a morphology of radius `pixels` changes nothing beyond: the crop only
    if box is None:
        return out
    crop = mask[box].view(np.uint8)
    if grow:  # (the image border counts as outside the mask, as before)
        out[box] = cv2.dilate(crop, _kernel(pixels)) > 0
    else:  # inside the crop the replicated border is the image's own edge, or False pixels beyond the mask
        out[box] = cv2.erode(crop, _kernel(pixels), borderType=cv2.BORDER_REPLICATE) > 0
    return out


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Grow the mask by `pixels` (elliptical structuring element); 0 returns a copy. Only the mask's
    bounding box grown by `pixels` is computed (nothing beyond it can change)."""
    if pixels < 0:
        raise BadMaskError(f"dilate pixels must be >= 0, got {pixels}.", fix="Use erode for shrinking.")
    if pixels == 0:
        return mask.copy()
    return _morph(np.ascontiguousarray(mask, dtype=bool), pixels, grow=True)


def erode(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Shrink the mask by `pixels`; 0 returns a copy. Only the mask's bounding box is computed."""
    if pixels < 0:
        raise BadMaskError(f"erode pixels must be >= 0, got {pixels}.", fix="Use dilate for growing.")
    if pixels == 0:
        return mask.copy()
    return _morph(np.ascontiguousarray(mask, dtype=bool), pixels, grow=False)


def invert(mask: np.ndarray) -> np.ndarray:
    return ~mask


def union(*masks: np.ndarray) -> np.ndarray:
    if not masks:
        raise BadMaskError("union needs at least one mask.")
    shape = masks[0].shape
    for m in masks[1:]:
        if m.shape != shape:
            raise BadMaskError(f"Cannot combine masks of shapes {shape} and {m.shape}.")
    return np.logical_or.reduce(masks)


def subtract(mask: np.ndarray, other: np.ndarray) -> np.ndarray:
    if mask.shape != other.shape:
        raise BadMaskError(f"Cannot subtract a {other.shape} mask from a {mask.shape} mask.")
    return mask & ~other


def move(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Translate by (dx, dy) pixels; what leaves the image is dropped, what enters is False."""
    h, w = mask.shape
    out = np.zeros_like(mask)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    src = mask[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]] = src
    return out


def bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Tight (x, y, w, h) of the True pixels, or None for an empty mask."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def coverage(mask: np.ndarray) -> float:
    """Fraction of True pixels (count_nonzero: no float copy of the mask)."""
    return np.count_nonzero(mask) / mask.size if mask.size else 0.0


def overlay(image: np.ndarray, mask: np.ndarray, color=(255, 40, 40), alpha: float = 0.45) -> np.ndarray:
    """uint8 RGB preview: the mask tinted with `color` and outlined, the rest untouched."""
    out = image.astype(np.float32)
    out[mask] = out[mask] * (1 - alpha) + np.asarray(color, np.float32) * alpha
    out = out.astype(np.uint8)
    edge = mask & ~erode(mask, 1)
    out[edge] = color
    return out
