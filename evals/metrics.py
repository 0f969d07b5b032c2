"""Pure metric functions for the eval suites (no I/O, no models).

Planner metrics compare predicted and gold `{category, target}`; image metrics take uint8
RGB arrays [H, W, 3] and bool masks [H, W] (True = edited region).
"""
from __future__ import annotations

import math
import re
from typing import Sequence

import numpy as np

from engine.blending import band
from engine.errors import BadMaskError

_ARTICLES = {"a", "an", "the", "some", "this", "that", "these", "those", "his", "her", "their", "its",
             "my", "our", "your", "all", "any"}
_NO_SINGULAR = ("ss", "us", "is", "ous")
_PREPOSITIONS = {"of", "with", "on", "in", "at", "from", "for", "by", "under", "over", "near", "to"}


def singular(word: str) -> str:
    """Simple plurals to singular: 'cars' -> 'car', 'berries' -> 'berry', 'boxes' -> 'box'."""
    if len(word) <= 3 or word.endswith(_NO_SINGULAR):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


_POSSESSIVE = re.compile(r"'s\b|s'\b")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalize_target(text: str | None) -> str:
    """Lowercase, possessives/punctuation/articles removed, each word singularised."""
    text = (text or "").lower().replace("\u2019", "'")
    if "'" in text:
        text = _POSSESSIVE.sub("", text)
    words = _WORD.findall(text)
    return " ".join(singular(w) for w in words if w not in _ARTICLES)


def head_noun(normalized: str) -> str:
    """The head of a normalised noun phrase: its last word before a preposition ('cup of tea' -> 'cup')."""
    words = normalized.split()
    for i, w in enumerate(words):
        if w in _PREPOSITIONS and i > 0:
            return words[i - 1]
    return words[-1] if words else ""


def target_match(predicted: str | None, gold: str | None) -> bool:
    """Equal after normalisation, or one is the head noun of the other ('red car' ~ 'car')."""
    p, g = normalize_target(predicted), normalize_target(gold)
    if p == g:
        return True
    if not p or not g:
        return False
    return head_noun(p) == g or head_noun(g) == p


def category_accuracy(predicted: Sequence[str], gold: Sequence[str]) -> float:
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predictions for {len(gold)} gold labels; give one per case.")
    if not gold:
        return 0.0
    return sum(p.strip().lower() == g.strip().lower() for p, g in zip(predicted, gold)) / len(gold)


def target_accuracy(predicted: Sequence[str], gold: Sequence[str]) -> float:
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predictions for {len(gold)} gold targets; give one per case.")
    if not gold:
        return 0.0
    return sum(target_match(p, g) for p, g in zip(predicted, gold)) / len(gold)


def _check_pair(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if a.shape != b.shape:
        raise BadMaskError(f"{names} differ in shape: {a.shape} vs {b.shape}.", fix="Compare equal sizes.")


def mask_iou(predicted: np.ndarray, gold: np.ndarray) -> float:
    """Intersection over union of two bool masks; 1.0 when both are empty."""
    _check_pair(predicted, gold, "masks")
    p, g = predicted.astype(bool), gold.astype(bool)
    union = np.logical_or(p, g).sum()
    return 1.0 if union == 0 else float(np.logical_and(p, g).sum() / union)


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    """PSNR in dB of two uint8 images, over `mask` pixels only when given; inf when identical."""
    _check_pair(a, b, "images")
    diff = a.astype(np.float64) - b.astype(np.float64)
    if mask is not None:
        if mask.shape != a.shape[:2]:
            raise BadMaskError(f"mask {mask.shape} does not match image {a.shape[:2]}.", fix="Resize the mask.")
        if not mask.any():
            raise BadMaskError("masked PSNR over an empty mask.", fix="Give a mask with a True pixel.")
        diff = diff[mask.astype(bool)]
    mse = float(np.mean(diff**2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def masked_psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    return psnr(a, b, mask)


def outside_unchanged(
    source: np.ndarray, result: np.ndarray, mask: np.ndarray, blur_kernel: int = 21
) -> float:
    """Fraction of pixels outside the blend band of `mask` that are bit-identical (1.0 = perfect)."""
    _check_pair(source, result, "source and result")
    outside = ~band(mask.astype(bool), blur_kernel)
    if not outside.any():
        return 1.0
    same = np.all(source == result, axis=-1) if source.ndim == 3 else source == result
    return float(same[outside].mean())


def image_stats(image: np.ndarray, mask: np.ndarray | None = None) -> dict[str, float]:
    """Simple quality statistics (no learned metric): mean, std, sharpness, clipped fraction."""
    img = image.astype(np.float64)
    gray = img.mean(axis=-1) if img.ndim == 3 else img
    sel = mask.astype(bool) if mask is not None else np.ones(gray.shape, bool)
    if not sel.any():
        raise BadMaskError("image_stats over an empty mask.", fix="Give a mask with at least one True pixel.")
    lap = np.zeros_like(gray)
    lap[1:-1, 1:-1] = gray[:-2, 1:-1] + gray[2:, 1:-1] + gray[1:-1, :-2] + gray[1:-1, 2:] - 4 * gray[1:-1, 1:-1]
    vals = gray[sel]
    return {
        "mean": float(vals.mean()),
        "std": float(vals.std()),
        "sharpness": float(lap[sel].var()),
        "clipped": float(np.mean((vals <= 0) | (vals >= 255))),
    }


# --- protocol metrics (PIE-Bench, MagicBrush) and ground-truth comparisons ------------------------
# PIE-Bench's reference evaluation (cure-lab/PnPInversion, evaluation/matrics_calculator.py) scales
# images to [0, 1] (float32 /255), multiplies BOTH images by the region mask (1 - edit mask for the
# "unedited part") and scores the whole masked images with torchmetrics: PeakSignalNoiseRatio and
# StructuralSimilarityIndexMeasure (data_range=1.0), MeanSquaredError. Zeroed pixels count as equal,
# so the mean runs over all H*W*3 values. We compute in float64 (differences < 1e-5 dB).

def _unit(image: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    out = image.astype(np.float64) / 255.0
    return out * keep[..., None] if keep is not None else out


def pie_mse(a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> float:
    """Mean squared error over all values of the [0,1] images, both multiplied by `keep` (PIE-Bench)."""
    _check_pair(a, b, "images")
    return float(np.mean((_unit(a, keep) - _unit(b, keep)) ** 2))


def pie_psnr(a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> float:
    """10·log10(1 / MSE) of the [0,1] images multiplied by `keep` (torchmetrics PSNR, data_range=1)."""
    mse = pie_mse(a, b, keep)
    return math.inf if mse == 0 else 10.0 * math.log10(1.0 / mse)


def pie_ssim(a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> float:
    """SSIM exactly as torchmetrics computes it (PIE-Bench's reference): 11-tap Gaussian, sigma 1.5,
    reflect padding that excludes the edge (scipy 'mirror'), K1=0.01, K2=0.03, variances clamped at 0,
    the map averaged over the WHOLE image and channels. scikit-image's `structural_similarity` crops the
    5-pixel border instead, which differs in the 4th digit; see tests/evals/test_metrics.py."""
    from scipy.ndimage import correlate1d

    _check_pair(a, b, "images")
    x, y = _unit(a, keep), _unit(b, keep)
    t = np.arange(11) - 5.0
    g = np.exp(-(t**2) / (2 * 1.5**2))
    g /= g.sum()

    def blur(v):
        return correlate1d(correlate1d(v, g, axis=0, mode="mirror"), g, axis=1, mode="mirror")

    mx, my = blur(x), blur(y)
    sxx = np.maximum(blur(x * x) - mx * mx, 0.0)
    syy = np.maximum(blur(y * y) - my * my, 0.0)
    sxy = blur(x * y) - mx * my
    c1, c2 = 0.01**2, 0.03**2
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def pie_preservation(source: np.ndarray, result: np.ndarray, edit_mask: np.ndarray) -> dict[str, float]:
    """PIE-Bench's unedited-part columns (PSNR dB, MSE, SSIM) with keep = 1 - edit mask."""
    keep = (~edit_mask.astype(bool)).astype(np.float64)
    if not keep.any():
        raise BadMaskError("the edit mask covers the whole image: no unedited part to score.",
                           fix="PIE-Bench scores it 'nan'; give a mask with an unedited pixel.")
    return {"psnr": pie_psnr(source, result, keep), "mse": pie_mse(source, result, keep),
            "ssim": pie_ssim(source, result, keep)}


def region_ssim(a: np.ndarray, b: np.ndarray, region: np.ndarray) -> float:
    """scikit-image SSIM (Gaussian, sigma 1.5, data range 255) over the bounding box of `region`."""
    from skimage.metrics import structural_similarity

    from engine.masks import bbox

    _check_pair(a, b, "images")
    box = bbox(region.astype(bool))
    if box is None:
        raise BadMaskError("region SSIM over an empty region.", fix="Give a region with a True pixel.")
    x, y, w, h = box
    ca, cb = a[y : y + h, x : x + w], b[y : y + h, x : x + w]
    win = min(7, (min(h, w) - 1) // 2 * 2 + 1)
    if win < 3:
        return float(np.mean(ca == cb))
    return float(structural_similarity(ca, cb, data_range=255, channel_axis=-1, win_size=win,
                                       gaussian_weights=win == 7, sigma=1.5, use_sample_covariance=False))


def magicbrush_distance(result: np.ndarray, truth: np.ndarray, kind: str = "l1") -> float:
    """MagicBrush's L1 / L2 (OSU-NLP-Group/MagicBrush evaluation/image_eval.py `eval_distance`): the
    result resized to the truth's size (PIL bicubic), both as [0,1] tensors, mean |d| or mean d²."""
    if kind not in ("l1", "l2"):
        raise ValueError(f"kind must be 'l1' or 'l2', got {kind!r}.")
    if result.shape[:2] != truth.shape[:2]:
        from PIL import Image

        result = np.asarray(Image.fromarray(result).resize((truth.shape[1], truth.shape[0]), Image.BICUBIC))
    d = result.astype(np.float64) / 255.0 - truth.astype(np.float64) / 255.0
    return float(np.mean(np.abs(d)) if kind == "l1" else np.mean(d**2))


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    """Cosine similarity of two feature vectors (1 - scipy.spatial.distance.cosine)."""
    u, v = np.ravel(u).astype(np.float64), np.ravel(v).astype(np.float64)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
