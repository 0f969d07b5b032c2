"""The pictures of one turn for the HTML report: source, mask overlay, result, ground truth, changes.

Each is written twice: a small JPEG thumbnail and a larger copy the thumbnail enlarges to. The
result is also kept as a lossless full-resolution PNG, so a run can be re-scored by other tools
(e.g. PIE-Bench's or MagicBrush's own evaluation scripts).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from engine.masks import overlay

THUMB = 220  # px, longer side
LARGE = 1024  # px, longer side of the enlarged view


def _fit(image: np.ndarray, side: int) -> Image.Image:
    pil = Image.fromarray(image)
    scale = side / max(pil.size)
    if scale < 1:
        pil = pil.resize((max(1, round(pil.size[0] * scale)), max(1, round(pil.size[1] * scale))), Image.LANCZOS)
    return pil


def changes(source: np.ndarray, result: np.ndarray) -> np.ndarray:
    """Where the result differs from the source: unchanged pixels dimmed grey, changed ones in red
    with brightness growing with the difference (so a leak outside the mask is easy to see)."""
    diff = np.abs(source.astype(np.int16) - result.astype(np.int16)).max(axis=-1)
    gray = (source.astype(np.float32).mean(axis=-1) * 0.35).astype(np.uint8)
    out = np.repeat(gray[..., None], 3, axis=-1)
    hit = diff > 0
    out[hit, 0] = np.clip(120 + diff[hit] * 2, 0, 255).astype(np.uint8)
    out[hit, 1:] = 0
    return out


def zoom(source: np.ndarray, result: np.ndarray, truth: np.ndarray | None, region: np.ndarray) -> np.ndarray:
    """source | result | truth cropped around `region` (padded by a quarter of its size), 200 px high,
    so that a small fill can be judged by eye."""
    from engine.masks import bbox

    x, y, w, h = bbox(region)
    pad = max(8, (w + h) // 8)
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(source.shape[1], x + w + pad), min(source.shape[0], y + h + pad)
    height = 200
    width = max(1, round((x1 - x0) * height / (y1 - y0)))
    crops = [np.asarray(Image.fromarray(np.ascontiguousarray(im[y0:y1, x0:x1])).resize((width, height), Image.LANCZOS))
             for im in (source, result, truth) if im is not None and im.shape == source.shape]
    gap = np.full((height, 6, 3), 255, np.uint8)
    return np.hstack([part for c in crops for part in (c, gap)][:-1])


def save(folder: Path, prefix: str, name: str, image: np.ndarray, thumb: int = THUMB) -> dict[str, str]:
    """Write <prefix>_<name>.jpg (large) and <prefix>_<name>_t.jpg (thumbnail); paths relative to the run dir."""
    folder.mkdir(parents=True, exist_ok=True)
    thumb_side = thumb
    large, thumb = folder / f"{prefix}_{name}.jpg", folder / f"{prefix}_{name}_t.jpg"
    _fit(image, LARGE).save(large, quality=90)
    _fit(image, thumb_side).save(thumb, quality=85)
    rel = folder.parent.name + "/" + folder.name
    return {"large": f"{rel}/{large.name}", "thumb": f"{rel}/{thumb.name}"}


def turn_pictures(folder: Path, prefix: str, source: np.ndarray, *, mask=None, result=None,
                  truth=None, gt_mask=None) -> dict[str, dict[str, str]]:
    """Write the pictures a turn has; returns {kind: {large, thumb[, png]}} with run-relative paths."""
    pics = {"source": save(folder, prefix, "source", source)}
    if mask is not None:
        pics["mask"] = save(folder, prefix, "mask", overlay(source, mask))
    if result is not None:
        pics["result"] = save(folder, prefix, "result", result)
        png = folder / f"{prefix}_result.png"
        Image.fromarray(result).save(png, compress_level=1)
        pics["result"]["png"] = f"{folder.parent.name}/{folder.name}/{png.name}"
        if result.shape == source.shape:
            pics["changes"] = save(folder, prefix, "changes", changes(source, result))
            region = mask if mask is not None and mask.any() else gt_mask
            if region is not None and region.any() and region.mean() < 0.6:
                pics["zoom"] = save(folder, prefix, "zoom", zoom(source, result, truth, region), 2 * THUMB)
    if truth is not None:
        shown = overlay(truth, gt_mask, color=(40, 200, 80), alpha=0.0) if gt_mask is not None else truth
        pics["truth"] = save(folder, prefix, "truth", shown)
    elif gt_mask is not None:
        pics["truth"] = save(folder, prefix, "truth", overlay(source, gt_mask, color=(40, 200, 80)))
    return pics
