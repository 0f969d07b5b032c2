"""Measurable properties of a result against its source, for edits whose exact pixels are a matter
of taste but whose direction is not (photo adjustments, background blur).

A case asks `props: {"luma_delta": [8, 255], "gray_spread": [0, 2]}`: each named property of
(source, result, region) must lie in [lo, hi]. `region` is the turn's ground-truth mask when given
(the subject for a background blur), else the whole image. Pure functions of uint8 RGB arrays.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from engine.errors import BrushEditError

# ITU-R BT.601 luma weights (what PIL's convert("L") uses)
_LUMA = np.array([0.299, 0.587, 0.114])


def luma(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float64) @ _LUMA


def _laplacian_var(image: np.ndarray, sel: np.ndarray) -> float:
    g = luma(image)
    lap = np.zeros_like(g)
    lap[1:-1, 1:-1] = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4 * g[1:-1, 1:-1]
    return float(lap[sel].var())


def _saturation(image: np.ndarray) -> np.ndarray:
    x = image.astype(np.float64)
    hi, lo = x.max(axis=-1), x.min(axis=-1)
    return np.where(hi > 0, (hi - lo) / np.maximum(hi, 1e-9), 0.0)


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else (1.0 if a == 0 else float("inf"))


def gray_spread(source, result, region) -> float:
    """Largest channel spread max(R,G,B) - min(R,G,B) of any result pixel in the region (0 = grey)."""
    x = result[region].astype(int)
    return float((x.max(axis=-1) - x.min(axis=-1)).max())


def luma_delta(source, result, region) -> float:
    """Mean luma change in the region, in levels 0..255 (> 0 = brighter)."""
    return float(luma(result)[region].mean() - luma(source)[region].mean())


def contrast_ratio(source, result, region) -> float:
    """Std of luma in the region, result / source (> 1 = more contrast)."""
    return _ratio(float(luma(result)[region].std()), float(luma(source)[region].std()))


def warmth_delta(source, result, region) -> float:
    """Change of mean(R - B) in the region, levels (> 0 = warmer)."""
    def rb(x):
        return float((x[..., 0].astype(np.float64) - x[..., 2])[region].mean())
    return rb(result) - rb(source)


def saturation_ratio(source, result, region) -> float:
    """Mean HSV saturation in the region, result / source (> 1 = more saturated)."""
    return _ratio(float(_saturation(result)[region].mean()), float(_saturation(source)[region].mean()))


def luma_correlation(source, result, region) -> float:
    """Pearson correlation of source and result luma in the region (the picture's structure kept)."""
    a, b = luma(source)[region], luma(result)[region]
    if a.std() == 0 or b.std() == 0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(np.corrcoef(a, b)[0, 1])


def sharpness_outside(source, result, region) -> float:
    """Laplacian variance outside the region, result / source (< 1 = blurred)."""
    return _ratio(_laplacian_var(result, ~region), _laplacian_var(source, ~region))


def sharpness_inside(source, result, region) -> float:
    """Laplacian variance inside the region, result / source (about 1 = the subject stays sharp)."""
    return _ratio(_laplacian_var(result, region), _laplacian_var(source, region))


PROPERTIES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    f.__name__: f for f in (gray_spread, luma_delta, contrast_ratio, warmth_delta, saturation_ratio,
                            luma_correlation, sharpness_outside, sharpness_inside)
}


def measure(name: str, source: np.ndarray, result: np.ndarray, region: np.ndarray | None) -> float:
    """Property `name` of the turn; `region` None = the whole image."""
    if name not in PROPERTIES:
        raise BrushEditError(f"Unknown property '{name}'.", fix=f"Use one of: {', '.join(PROPERTIES)}.")
    if source.shape != result.shape:
        raise BrushEditError(f"Property '{name}': source {source.shape} and result {result.shape} differ in size.")
    sel = np.ones(source.shape[:2], bool) if region is None else region.astype(bool)
    if not sel.any():
        raise BrushEditError(f"Property '{name}' over an empty region.", fix="Give a region with a True pixel.")
    if name == "sharpness_outside" and sel.all():
        raise BrushEditError("sharpness_outside needs a region that leaves something outside.",
                             fix="Give the subject as gt_mask.")
    return PROPERTIES[name](source, result, sel)
