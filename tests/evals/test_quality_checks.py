"""The checks see a bad edit: a smeared box fails where a clean removal of the same object passes."""
from __future__ import annotations

import numpy as np
import pytest

from engine.masks import box_mask, dilate
from evals.bundled import removals
from evals.cases import TurnSpec
from evals.scoring import quality_module, score_edit, smear_reference
from evals.synthetic import removal_cases


@pytest.fixture(scope="module")
def case():
    c = removal_cases(1)[0]
    return c, removals([c])[0].turns[0]


def _smeared_box(image: np.ndarray, box) -> np.ndarray:
    """Today's demo look: every column of the box repeats the pixel just above it (vertical bands)."""
    x, y, w, h = (int(v) for v in box)
    out = image.copy()
    out[y : y + h, x : x + w] = image[y - 1, x : x + w][None]
    return out


def _failed(checks) -> set[str]:
    return {c["name"] for c in checks if not c["ok"]}


def test_clean_removal_passes_every_check(case) -> None:
    c, spec = case
    mask = dilate(c.mask, 6)  # a segmenter's mask, grown as the agent does
    metrics, checks = score_edit(spec, c.image, c.clean, mask, {"category": "remove"}, gt_mask=c.mask,
                                 truth=c.clean, blur_kernel=21)
    assert _failed(checks) == set(), checks
    assert metrics["gt_psnr_region"] == float("inf") and metrics["mask_recall"] == 1.0


@pytest.mark.parametrize("how", ["telea", "bands"])
def test_smeared_box_fails_the_quality_aware_checks(case, how) -> None:
    """telea: the box filled by OpenCV Telea (the lite demo's look); bands: every column of the box
    repeats the pixel above it."""
    c, spec = case
    mask = box_mask(c.mask.shape, spec.box)
    smeared = smear_reference(c.image, mask) if how == "telea" else _smeared_box(c.image, spec.box)
    assert (smeared[~mask] == c.image[~mask]).all()  # preservation alone cannot see it
    metrics, checks = score_edit(spec, c.image, smeared, mask, {"category": "remove"}, gt_mask=c.mask,
                                 truth=c.clean, blur_kernel=21)
    failed = _failed(checks)
    assert "preserved" not in failed and "mask_recall" not in failed  # the box covers the object, smeared
    assert "gt_psnr_region" in failed and metrics["gt_psnr_region"] < metrics["smear_psnr_region"] + 1.0
    if how == "telea":
        assert quality_module() is not None and "quality" in failed  # the offline judge sees the smudge too


def test_the_smear_reference_is_a_telea_fill_of_the_region(case) -> None:
    c, spec = case
    region = box_mask(c.mask.shape, spec.box)
    ref = smear_reference(c.image, region)
    assert (ref[~region] == c.image[~region]).all() and (ref[region] != c.image[region]).any()


def test_a_case_may_set_an_absolute_psnr_floor(case) -> None:
    c, spec = case
    strict = TurnSpec(**{**spec.model_dump(), "min_psnr": 99.0})
    half = c.image.copy()
    half[c.mask] = (c.image[c.mask] // 2 + c.clean[c.mask] // 2)
    _, checks = score_edit(strict, c.image, half, dilate(c.mask, 6), {"category": "remove"}, gt_mask=c.mask,
                           truth=c.clean)
    assert "gt_psnr_region" in _failed(checks)
