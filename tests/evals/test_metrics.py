"""Eval metric functions: target normalisation and matching, accuracies, image metrics."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine.blending import blend
from engine.errors import BadMaskError
from evals.metrics import (
    category_accuracy,
    head_noun,
    image_stats,
    mask_iou,
    masked_psnr,
    normalize_target,
    outside_unchanged,
    psnr,
    target_accuracy,
    target_match,
)


@pytest.mark.parametrize(
    "raw,norm",
    [("The Red Cars!", "red car"), ("a man's hat", "man hat"), ("berries", "berry"), ("glasses", "glass"),
     ("boxes", "box"), ("bus", "bus"), ("  ", ""), (None, "")],
)
def test_normalize_target(raw, norm) -> None:
    assert normalize_target(raw) == norm


def test_head_noun_stops_at_preposition() -> None:
    assert head_noun("cup of tea") == "cup"
    assert head_noun("red sports car") == "car"


@pytest.mark.parametrize(
    "pred,gold,ok",
    [("red car", "car", True), ("car", "the red car", True), ("cars", "car", True), ("Dog", "dog.", True),
     ("", "", True), ("vase of flowers", "vase", True), ("red car", "blue car", False), ("car", "", False),
     ("", "car", False), ("dog", "cat", False), ("car door", "car", False)],
)
def test_target_match(pred, gold, ok) -> None:
    assert target_match(pred, gold) is ok


def test_accuracies() -> None:
    assert category_accuracy(["local", "remove", "global"], ["local", "addition", "global"]) == pytest.approx(2 / 3)
    assert target_accuracy(["red car", "dog", ""], ["car", "cat", ""]) == pytest.approx(2 / 3)
    assert category_accuracy([], []) == 0.0
    with pytest.raises(ValueError, match="one per case"):
        category_accuracy(["local"], [])


def test_mask_iou() -> None:
    a = np.zeros((10, 10), bool)
    b = np.zeros((10, 10), bool)
    assert mask_iou(a, b) == 1.0
    a[:5] = True
    b[:, :5] = True
    assert mask_iou(a, b) == pytest.approx(25 / 75)
    with pytest.raises(BadMaskError):
        mask_iou(a, np.zeros((5, 5), bool))


def test_psnr_and_masked_psnr() -> None:
    a = np.full((8, 8, 3), 100, np.uint8)
    b = a.copy()
    assert psnr(a, b) == math.inf
    b[0, 0] = 110  # one pixel, three channels, error 10
    mse = 3 * 100 / (8 * 8 * 3)
    assert psnr(a, b) == pytest.approx(10 * math.log10(255**2 / mse))
    mask = np.zeros((8, 8), bool)
    mask[0, 0] = True
    assert masked_psnr(a, b, mask) == pytest.approx(10 * math.log10(255**2 / 100))
    assert masked_psnr(a, b, ~mask) == math.inf
    with pytest.raises(BadMaskError):
        masked_psnr(a, b, np.zeros((8, 8), bool))


def test_outside_unchanged_with_real_blend() -> None:
    rng = np.random.default_rng(0)
    source = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    generated = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    mask = np.zeros((64, 64), bool)
    mask[20:40, 20:40] = True
    result = blend(source, generated, mask, blur_kernel=9)
    assert outside_unchanged(source, result, mask, blur_kernel=9) == 1.0
    leaked = result.copy()
    leaked[0:2, :] = 255 - source[0:2, :]  # change two full rows far outside the band
    frac = outside_unchanged(source, leaked, mask, blur_kernel=9)
    assert frac < 1.0 and frac == pytest.approx(1 - 128 / ((~_band(mask, 9)).sum()))


def _band(mask, k):
    from engine.blending import band

    return band(mask, k)


def test_image_stats() -> None:
    flat = np.full((16, 16, 3), 128, np.uint8)
    stats = image_stats(flat)
    assert stats["mean"] == 128 and stats["std"] == 0 and stats["sharpness"] == 0 and stats["clipped"] == 0
    checker = (np.indices((16, 16)).sum(0) % 2 * 255).astype(np.uint8)
    sharp = image_stats(np.stack([checker] * 3, -1))
    assert sharp["sharpness"] > 0 and sharp["clipped"] == 1.0
    with pytest.raises(BadMaskError):
        image_stats(flat, np.zeros((16, 16), bool))
