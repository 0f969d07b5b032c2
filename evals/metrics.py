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


def normalize_target(text: str | None) -> str:
    """Lowercase, possessives/punctuation/articles removed, each word singularised."""
    text = (text or "").lower().replace("\u2019", "'")
    text = re.sub(r"'s\b|s'\b", "", text)
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text)
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
