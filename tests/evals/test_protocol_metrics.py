"""PIE-Bench / MagicBrush metric conventions and the adjustment properties, on hand-computed examples."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine.errors import BadMaskError, BrushEditError
from evals import metrics as M
from evals.properties import measure


def _pair():
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    b[0, 0] = 51  # one pixel, all three channels, error 0.2 in [0,1]
    return a, b


def test_pie_mse_and_psnr_count_the_zeroed_part_as_equal() -> None:
    a, b = _pair()
    assert M.pie_mse(a, b) == pytest.approx(3 * 0.2**2 / 48)
    assert M.pie_psnr(a, b) == pytest.approx(10 * math.log10(48 / (3 * 0.04)))
    keep = np.ones((4, 4))
    keep[0, 0] = 0  # the differing pixel is in the edited part: the unedited part is identical
    assert M.pie_mse(a, b, keep) == 0 and M.pie_psnr(a, b, keep) == math.inf
    edit = ~keep.astype(bool)
    assert M.pie_preservation(a, b, edit)["psnr"] == math.inf
    with pytest.raises(BadMaskError, match="whole image"):
        M.pie_preservation(a, b, np.ones((4, 4), bool))


def test_pie_ssim_matches_torchmetrics_and_differs_from_skimage_only_at_the_border() -> None:
    torch = pytest.importorskip("torch")
    from skimage.metrics import structural_similarity
    from torchmetrics.functional.image import structural_similarity_index_measure as tm_ssim

    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-40, 41, a.shape), 0, 255).astype(np.uint8)
    keep = np.ones((40, 56))
    keep[10:20, 10:30] = 0

    def t(x):
        return torch.tensor(x.astype(np.float64) / 255 * keep[..., None]).permute(2, 0, 1)[None]

    ref = tm_ssim(t(a), t(b), data_range=1.0).item()
    assert M.pie_ssim(a, b, keep) == pytest.approx(ref, abs=1e-9)
    sk = structural_similarity(a / 255 * keep[..., None], b / 255 * keep[..., None], data_range=1.0, channel_axis=-1,
                               gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    assert abs(sk - ref) > 1e-5  # skimage crops the 5-px border: not PIE-Bench's number
    assert M.pie_ssim(a, a) == pytest.approx(1.0)


def test_pie_psnr_matches_torchmetrics() -> None:
    torch = pytest.importorskip("torch")
    from torchmetrics.functional.image import peak_signal_noise_ratio

    rng = np.random.default_rng(1)
    a, b = (rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(2))
    ref = peak_signal_noise_ratio(torch.tensor(a / 255.0), torch.tensor(b / 255.0), data_range=1.0).item()
    assert M.pie_psnr(a, b) == pytest.approx(ref, abs=1e-5)  # torchmetrics sums in float32


def test_region_ssim_uses_the_bounding_box_only() -> None:
    rng = np.random.default_rng(2)
    a = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    b = a.copy()
    b[:, 20:] = 0  # damage outside the region
    region = np.zeros((32, 32), bool)
    region[4:16, 2:14] = True
    assert M.region_ssim(a, b, region) == pytest.approx(1.0)
    b[6, 6] = 255 - a[6, 6]
    assert M.region_ssim(a, b, region) < 1.0
    with pytest.raises(BadMaskError):
        M.region_ssim(a, b, np.zeros((32, 32), bool))


def test_magicbrush_l1_l2_and_resize_to_truth() -> None:
    truth = np.zeros((2, 2, 3), np.uint8)
    result = np.full((2, 2, 3), 51, np.uint8)
    assert M.magicbrush_distance(result, truth, "l1") == pytest.approx(0.2)
    assert M.magicbrush_distance(result, truth, "l2") == pytest.approx(0.04)
    big = np.full((4, 4, 3), 51, np.uint8)  # resized to 2x2 first (constant stays constant)
    assert M.magicbrush_distance(big, truth, "l1") == pytest.approx(0.2)
    with pytest.raises(ValueError):
        M.magicbrush_distance(result, truth, "l3")


def test_cosine() -> None:
    assert M.cosine(np.array([1.0, 0]), np.array([0, 2.0])) == pytest.approx(0.0)
    assert M.cosine(np.array([1.0, 1]), np.array([2.0, 2])) == pytest.approx(1.0)
    assert M.cosine(np.array([1.0, 0]), np.array([-1.0, 0])) == pytest.approx(-1.0)


def test_properties_see_the_direction_of_an_adjustment() -> None:
    rng = np.random.default_rng(3)
    src = rng.integers(40, 200, (24, 24, 3), dtype=np.uint8)
    gray = np.repeat(src.mean(axis=-1, keepdims=True).astype(np.uint8), 3, axis=-1)
    assert measure("gray_spread", src, gray, None) == 0 and measure("gray_spread", src, src, None) > 10
    brighter = np.clip(src.astype(int) + 20, 0, 255).astype(np.uint8)
    assert measure("luma_delta", src, brighter, None) == pytest.approx(20, abs=0.01)
    assert measure("luma_correlation", src, brighter, None) == pytest.approx(1.0)
    warm = src.copy()
    warm[..., 0] = np.clip(src[..., 0].astype(int) + 10, 0, 255)
    assert measure("warmth_delta", src, warm, None) == pytest.approx(10, abs=0.01)
    flat = np.full_like(src, 120)
    assert measure("contrast_ratio", src, flat, None) == 0
    subject = np.zeros((24, 24), bool)
    subject[6:18, 6:18] = True
    blurred = src.copy()
    blurred[~subject] = 128
    assert measure("sharpness_outside", src, blurred, subject) < 0.2
    with pytest.raises(BrushEditError, match="Unknown property"):
        measure("sparkle", src, src, None)
