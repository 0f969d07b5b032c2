"""Blend a generated image into the source through a feathered mask.

BrushEdit's app blends with `0.5 + 0.5 * blur(mask)`, which leaks half of the source into
the edited region and the edit half-way out of it. We instead feather OUTWARD: the alpha
is 1 on the mask, ramps smoothly to 0 across a band of `blur_kernel // 2` pixels around it,
and is exactly 0 beyond, where the output is the source bit for bit.
"""
from __future__ import annotations

import cv2
import numpy as np

from engine.errors import BadMaskError
from engine.images import validate_image, validate_mask
from engine.masks import padded_box


def _check_kernel(blur_kernel: int) -> None:
    if blur_kernel < 1 or blur_kernel % 2 == 0:
        raise BadMaskError(f"blur_kernel must be a positive odd number, got {blur_kernel}.", fix="Use e.g. 21.")


def band_box(mask: np.ndarray, blur_kernel: int = 21) -> tuple[slice, slice] | None:
    """(rows, cols) slices of the box holding every pixel the blend may change; None for an empty mask."""
    _check_kernel(blur_kernel)
    return padded_box(mask, blur_kernel // 2 + 2)  # the band reaches blur_kernel // 2 px beyond the mask


def _feather_crop(mask: np.ndarray, blur_kernel: int) -> np.ndarray:
    m = mask.astype(np.float32)
    if blur_kernel == 1:
        return m
    r = blur_kernel // 2
    # Distance (px) of every pixel outside the mask to the nearest mask pixel. Within a crop that
    # holds the whole mask plus the band this equals the full image's distance: the crop is enough.
    dist = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)
    t = np.clip(1.0 - dist / (r + 1), 0.0, 1.0)
    alpha = t * t * (3.0 - 2.0 * t)  # smoothstep: C1-continuous ramp, exactly 0 at distance > r
    alpha[mask] = 1.0
    return alpha.astype(np.float32)


def feather(mask: np.ndarray, blur_kernel: int = 21) -> np.ndarray:
    """Full-size float32 alpha in [0, 1]: 1 inside `mask`, 0 farther than blur_kernel//2 px outside, smooth between."""
    box = band_box(mask, blur_kernel)
    alpha = np.zeros(mask.shape, np.float32)
    if box is not None:
        alpha[box] = _feather_crop(mask[box], blur_kernel)
    return alpha


def blend(source: np.ndarray, generated: np.ndarray, mask: np.ndarray, blur_kernel: int = 21) -> np.ndarray:
    """uint8 RGB; equals `source` exactly wherever feather(mask) == 0. Only the band's box is computed."""
    return blend_counted(source, generated, mask, blur_kernel)[0]


def blend_counted(source: np.ndarray, generated: np.ndarray, mask: np.ndarray,
                  blur_kernel: int = 21) -> tuple[np.ndarray, float]:
    """(blend(...), the fraction of the image's pixels it changed), counted while blending.

    Where alpha is 1 the result is `generated`, where 0 `source`; only the ramp between (the feather
    band) is mixed, in float32: src * (1 - alpha) + gen * alpha, rounded."""
    validate_image(source, "source")
    validate_image(generated, "generated")
    if generated.shape != source.shape:
        raise BadMaskError(f"generated image {generated.shape} and source {source.shape} differ in size.")
    mask = validate_mask(mask, source.shape[:2])
    out = source.copy()
    box = band_box(mask, blur_kernel)
    if box is None:
        return out, 0.0
    alpha = _feather_crop(mask[box], blur_kernel)
    src, gen, crop = source[box], generated[box], out[box]  # crop: a view of `out`
    full, ramp = alpha == 1.0, (alpha > 0.0) & (alpha < 1.0)
    copied = cv2.copyTo(gen, full.view(np.uint8), crop)  # in place (OpenCV writes through the view)
    if copied is not crop:  # pragma: no cover - an OpenCV that reallocates instead
        crop[...] = copied
    src_ramp, a = src[ramp], alpha[ramp][:, None]  # the ramp: a thin band, gathered
    mixed = src_ramp.astype(np.float32) * (1.0 - a) + gen[ramp].astype(np.float32) * a
    crop[ramp] = mixed = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
    ne = gen != src
    differs = ne[..., 0] | ne[..., 1] | ne[..., 2]  # (3x faster than np.any over the channel axis)
    differs &= full
    changed = np.count_nonzero(differs) + np.count_nonzero(np.any(mixed != src_ramp, axis=1))
    return out, changed / float(source.shape[0] * source.shape[1])


def changed_fraction(source: np.ndarray, result: np.ndarray, mask: np.ndarray, blur_kernel: int = 21) -> float:
    """Fraction of pixels where `result` (made by blend() with this mask) differs from `source`.

    Counted inside the band's box only: outside it blend() returns the source bit for bit."""
    box = band_box(mask, blur_kernel)
    if box is None:
        return 0.0
    changed = np.count_nonzero(np.any(result[box] != source[box], axis=2))
    return changed / float(source.shape[0] * source.shape[1])


def band(mask: np.ndarray, blur_kernel: int = 21) -> np.ndarray:
    """bool: pixels the blend may change (the mask plus its feather band)."""
    return feather(mask, blur_kernel) > 0
