import numpy as np
import pytest

from engine.blending import band, blend, changed_fraction, feather
from engine.errors import BadMaskError


def _case(seed=0, size=96):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    gen = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    mask = np.zeros((size, size), bool)
    mask[30:60, 25:70] = True
    return src, gen, mask


@pytest.mark.parametrize("kernel", [1, 5, 21, 41])
def test_outside_band_is_bit_identical_and_inside_mask_is_generated(kernel):
    src, gen, mask = _case()
    out = blend(src, gen, mask, kernel)
    outside = ~band(mask, kernel)
    assert outside.sum() > 0
    assert np.array_equal(out[outside], src[outside])
    assert np.array_equal(out[mask], gen[mask])


def test_band_width_is_half_kernel():
    _, _, mask = _case()
    b = band(mask, 21)
    # a pixel 10 px right of the mask edge is in the band; 12 px is not
    assert b[45, 70 + 9] and not b[45, 70 + 12]


def test_feather_is_smooth_and_monotone_across_band():
    mask = np.zeros((1, 64), bool)
    mask[:, :20] = True
    alpha = feather(np.repeat(mask, 3, axis=0), 21)[1]
    ramp = alpha[19:33]
    assert np.all(np.diff(ramp) <= 1e-6)  # never increases going outward
    assert np.max(np.abs(np.diff(ramp))) < 0.25  # no hard step
    assert alpha[19] == 1.0 and alpha[32] == 0.0


def test_blend_fixes_brushedit_half_leak():
    # BrushEdit's 0.5 + 0.5*blur would put 50 % of the source inside the mask; we keep 0 %.
    src = np.zeros((40, 40, 3), np.uint8)
    gen = np.full((40, 40, 3), 200, np.uint8)
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    assert (blend(src, gen, mask, 9)[mask] == 200).all()


def test_bad_kernel_and_shape_raise_typed_errors():
    src, gen, mask = _case()
    with pytest.raises(BadMaskError, match="odd"):
        blend(src, gen, mask, 20)
    with pytest.raises(BadMaskError, match="differ"):
        blend(src, gen[:50], mask)


def _reference_blend(source, generated, mask, blur_kernel):
    """The whole-image blend this module used before it worked on the band's box only."""
    import cv2

    r = blur_kernel // 2
    if blur_kernel == 1:
        alpha = mask.astype(np.float32)
    else:
        dist = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)
        t = np.clip(1.0 - dist / (r + 1), 0.0, 1.0)
        alpha = (t * t * (3.0 - 2.0 * t)).astype(np.float32)
        alpha[mask] = 1.0
    a = alpha[..., None]
    out = np.clip(np.rint(source.astype(np.float32) * (1 - a) + generated.astype(np.float32) * a), 0, 255)
    out = out.astype(np.uint8)
    out[alpha == 0] = source[alpha == 0]
    return out, alpha


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kernel", [1, 9, 21])
def test_box_only_blend_equals_the_whole_image_blend(seed, kernel):
    # random blobs, some touching the image border, some tiny: the crop must never change a pixel
    rng = np.random.default_rng(seed)
    src, gen, _ = _case(seed, size=120)
    mask = np.zeros((120, 120), bool)
    for _ in range(rng.integers(1, 4)):
        y, x = rng.integers(-10, 120, 2)
        h, w = rng.integers(1, 40, 2)
        mask[max(0, y):y + h, max(0, x):x + w] = True
    ref, alpha = _reference_blend(src, gen, mask, kernel)
    assert np.array_equal(blend(src, gen, mask, kernel), ref)
    assert np.array_equal(feather(mask, kernel), alpha)


def test_empty_mask_blend_is_the_source_copy():
    src, gen, _ = _case()
    out = blend(src, gen, np.zeros(src.shape[:2], bool))
    assert np.array_equal(out, src) and out is not src


def test_changed_fraction_counted_in_the_box_equals_the_whole_image_count():
    src, gen, mask = _case(3)
    out = blend(src, gen, mask, 21)
    assert changed_fraction(src, out, mask, 21) == np.any(out != src, axis=2).mean() > 0
    assert changed_fraction(src, src, np.zeros_like(mask), 21) == 0.0


@pytest.mark.parametrize("kernel", [1, 5, 21])
def test_blend_equals_the_whole_box_formula_and_counts_what_it_changed(kernel):
    """Only the feather ramp is mixed: the same pixels as mixing the whole band box in float32, and the
    count made while blending equals changed_fraction (which compares the box afterwards)."""
    from engine.blending import _feather_crop, band_box, blend_counted

    for seed in range(4):
        src, gen, mask = _case(seed)
        gen[35:40, 30:35] = src[35:40, 30:35]  # some generated pixels equal the source: not counted
        box = band_box(mask, kernel)
        alpha = _feather_crop(mask[box], kernel)[..., None]
        mixed = src[box].astype(np.float32) * (1.0 - alpha) + gen[box].astype(np.float32) * alpha
        want = src.copy()
        want[box] = np.where(alpha == 0.0, src[box], np.clip(np.rint(mixed), 0, 255).astype(np.uint8))
        out, changed = blend_counted(src, gen, mask, kernel)
        assert np.array_equal(out, want) and np.array_equal(blend(src, gen, mask, kernel), want)
        assert changed == changed_fraction(src, out, mask, kernel) > 0
    assert blend_counted(src, gen, np.zeros_like(mask), kernel)[1] == 0.0
