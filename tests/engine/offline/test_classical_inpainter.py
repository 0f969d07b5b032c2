"""The classical inpainter: seamless fills, untouched pixels beyond the band, methods, bad input."""
import cv2
import numpy as np
import pytest

from engine.blending import band, blend
from engine.diffusion.classical import ClassicalInpainter
from engine.errors import BadMaskError, UnsupportedEditError
from engine.images import load_image
from engine.protocols import InpaintRequest
from engine.quality import assess
from helpers import PHOTO


def textured(seed=0, size=200):
    rng = np.random.default_rng(seed)
    grey = cv2.GaussianBlur(rng.normal(0, 30, (size, size)).astype(np.float32), (0, 0), 1.2)
    ramp = np.linspace(60, 180, size, dtype=np.float32)[None, :]
    clean = np.repeat(np.clip(grey + ramp, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    mask = np.zeros((size, size), bool)
    mask[70:130, 80:125] = True
    image = clean.copy()
    image[mask] = (230, 20, 20)
    return image, clean, mask


def fill(image, mask, method=None, **kw):
    gen = ClassicalInpainter(**kw).inpaint(InpaintRequest(image=image, mask=mask, prompt="", category="remove",
                                                          method=method))
    return gen, blend(image, gen, mask, 21)


@pytest.mark.parametrize("method", ClassicalInpainter.methods)
def test_every_method_removes_the_object_and_keeps_pixels_beyond_the_band(method):
    image, clean, mask = textured()
    gen, out = fill(image, mask, method)
    beyond = ~band(mask, 21)
    assert np.array_equal(out[beyond], image[beyond])
    assert np.abs(out[mask].astype(int) - (230, 20, 20)).sum(axis=1).min() > 60  # no red left
    assert np.abs(out[mask].astype(float) - clean[mask]).mean() < 40


def test_no_step_across_the_mask_border():
    image, clean, mask = textured(1)
    _, out = fill(image, mask)
    ring = (cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0) & ~(
        cv2.erode(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)

    def edge(x):
        g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float32)
        return np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))[ring].mean()

    assert edge(out) < 1.3 * edge(clean)  # the border is no more edgy than the clean photo there
    report = assess(image, out, mask)
    assert report.ok and report.measures["seam"] < 1.6, report.reason


def test_the_fill_fades_in_over_a_margin_instead_of_stopping_at_the_mask():
    image, clean, mask = textured(2)
    gen, _ = fill(image, mask, grow_px=3)
    changed = np.any(gen != image, axis=2)
    assert changed[mask].mean() > 0.95 and changed[~mask].any()  # generated pixels reach into the band
    assert not changed[~(cv2.dilate(mask.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0)].any()
    gen0, _ = fill(image, mask, grow_px=0)
    assert not np.any(gen0 != image, axis=2)[~mask].any()


def test_methods_differ_and_unknown_ones_are_typed():
    image, _, mask = textured(3)
    results = {m: fill(image, mask, m)[0] for m in ("patch", "telea")}
    assert not np.array_equal(results["patch"], results["telea"])
    with pytest.raises(UnsupportedEditError, match="no method 'magic'"):
        fill(image, mask, "magic")


def test_refuses_other_categories_and_masks_over_the_whole_image():
    image, _, mask = textured(4)
    with pytest.raises(UnsupportedEditError, match="diffusion"):
        ClassicalInpainter().inpaint(InpaintRequest(image=image, mask=mask, prompt="a dog", category="local"))
    with pytest.raises(BadMaskError, match="surroundings"):
        fill(image, np.ones_like(mask))


def test_large_images_fill_at_working_size_and_keep_their_own_pixels():
    image, clean, mask = textured(5, size=200)
    big = cv2.resize(image, (1600, 1600), interpolation=cv2.INTER_NEAREST)
    big_mask = cv2.resize(mask.astype(np.uint8), (1600, 1600), interpolation=cv2.INTER_NEAREST) > 0
    gen, out = fill(big, big_mask, work_short_side=400)
    assert gen.shape == big.shape and np.array_equal(out[~band(big_mask, 21)], big[~band(big_mask, 21)])
    assert np.abs(out[big_mask].astype(int) - (230, 20, 20)).sum(axis=1).min() > 60


def _glint_mask(shape: tuple[int, int]) -> np.ndarray:
    """What a user would paint over the two reflections on the coffee photo's saucer: two short strokes."""
    canvas = np.zeros(shape, np.uint8)
    cv2.line(canvas, (104, 263), (134, 244), 255, 13)
    cv2.line(canvas, (130, 224), (160, 196), 255, 13)
    return canvas > 0


def test_a_painted_removal_of_the_reflections_on_the_photo_is_judged_clean():
    image = load_image(PHOTO)
    mask = _glint_mask(image.shape[:2])
    _, out = fill(image, mask)
    report = assess(image, out, mask)
    assert report.ok, report.reason
    bright = out[mask].astype(float).mean(axis=1)
    # the highlights are gone (all but the odd pixel on the stroke's edge, next to the unpainted rest of a glint)
    assert np.percentile(bright, 99.5) < image[mask].astype(float).mean(axis=1).max() - 40


def test_the_membrane_reproduces_a_linear_ramp_and_the_exemplar_fill_draws_no_black_pixels():
    from engine.diffusion.patchmatch import complete, membrane

    yy, xx = np.mgrid[0:120, 0:160].astype(np.float32)
    ramp = np.repeat((40 + xx * 0.8 + yy * 0.5)[..., None], 3, axis=2)
    hole = np.zeros((120, 160), bool)
    hole[30:90, 40:120] = True
    assert np.abs(membrane(ramp, hole) - ramp)[hole].max() < 1.5  # harmonic: exact on a linear ramp
    from engine.grounding import ground_at_working_size
    from engine.plan import EditPlan
    from engine.vision.classical_segmenter import ClassicalSegmenter

    image = load_image(PHOTO)
    mask = ground_at_working_size(EditPlan(category="remove", target="spoon", caption=""), image, short_side=640,
                                  detector=None, segmenter=ClassicalSegmenter(), user_box=(320, 60, 110, 270),
                                  dilate_px=20).mask
    hole = cv2.dilate(mask.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    rim = (slice(40, 140), slice(380, 430))  # where the spoon's handle crosses the cup's white rim
    assert image[rim].astype(int).sum(axis=2).min() > 50  # nothing near black there in the photo
    out = complete(image, hole)
    # votes of poorly matched pixels once came out black (a notch in the rim): acc / max(total, 1e-6)
    assert out[rim][hole[rim]].astype(int).sum(axis=1).min() > 50


def _rim_under_hole(size: int, radius: int, rows: slice, cols: slice):
    """A bright disc (centred, `radius`) on a dark ground with a square hole over part of its rim: the
    image, the hole, the disc, the pixel grid, the barrier of the one contour that crosses the hole, and
    the plain membrane."""
    from engine.contours import barrier_mask, crossings
    from engine.diffusion.patchmatch import membrane

    yy, xx = np.mgrid[:size, :size]
    disc = (yy - size // 2) ** 2 + (xx - size // 2) ** 2 <= radius ** 2
    image = np.where(disc[..., None], 220, 60).astype(np.uint8).repeat(3, axis=2)
    hole = np.zeros((size, size), bool)
    hole[rows, cols] = True
    contours, _ = crossings(image, hole)
    assert len(contours) == 1  # in at the top, out at the bottom
    return image, hole, disc, (yy, xx), barrier_mask(hole.shape, [c for _, _, c in contours]), membrane(image, hole)


def test_a_contour_that_crosses_the_hole_stays_an_edge_in_the_smooth_guess():
    """A bright disc's rim runs under a square hole: the split membrane (engine/contours.py
    barriers) keeps the disc's side bright and the ground's side dark right up to the rim, where
    the plain membrane spreads the two into a ramp across the whole hole."""
    from engine.diffusion.patchmatch import split_membrane

    image, hole, disc, (yy, xx), barrier, plain = _rim_under_hole(200, 55, slice(60, 140), slice(120, 185))
    split = split_membrane(image, hole, barrier, plain)
    inside, outside = hole & disc & ((xx - 100) ** 2 + (yy - 100) ** 2 <= 50 ** 2), hole & ~disc & (xx > 162)
    truth = image.astype(np.float32)
    assert np.abs(split[inside | outside] - truth[inside | outside]).mean() < 15
    assert np.abs(plain[inside | outside] - truth[inside | outside]).mean() > 30


def test_a_large_split_membrane_from_its_half_resolution_start_matches_the_converged_solution():
    """Above SPLIT_COARSE_ABOVE unknowns the split membrane starts from its half-resolution solution and
    takes a few full-resolution steps: the result is the converged one (thousands of plain steps), not the
    haze a capped plain run leaves, and the rim still stays an edge."""
    from engine.diffusion.patchmatch import SPLIT_COARSE_ABOVE, split_membrane

    image, hole, _, (yy, xx), barrier, plain = _rim_under_hole(300, 82, slice(90, 210), slice(180, 278))
    assert (hole & ~barrier).sum() > SPLIT_COARSE_ABOVE
    fast = split_membrane(image, hole, barrier, plain)
    converged = split_membrane(image, hole, barrier, plain, iterations=4000, guess=plain)
    capped = split_membrane(image, hole, barrier, plain, iterations=60, guess=plain)
    assert np.abs(fast[hole] - converged[hole]).mean() < 1.0
    assert not np.array_equal(fast, split_membrane(image, hole, barrier, plain, guess=plain))  # the coarse start
    assert np.abs(capped[hole] - converged[hole]).mean() > 3 * np.abs(fast[hole] - converged[hole]).mean()
    inside = hole & ((xx - 150) ** 2 + (yy - 150) ** 2 <= 76 ** 2)
    outside = hole & ((xx - 150) ** 2 + (yy - 150) ** 2 >= 88 ** 2)
    assert fast[inside].mean() - fast[outside].mean() > 120
