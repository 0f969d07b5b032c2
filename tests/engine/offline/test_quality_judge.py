"""The offline quality judge: rejects smeared/flat/seamed fills, accepts clean ones."""
from pathlib import Path

import cv2
import numpy as np
import pytest

from engine.blending import blend
from engine.errors import BadMaskError
from engine.images import load_image
from engine.masks import box_mask, dilate
from engine.quality import QUALITY_THRESHOLD, assess

COFFEE = Path(__file__).resolve().parents[3] / "app" / "assets" / "coffee.png"
SPOON_BOX = (320, 60, 110, 270)


def _telea(image, mask):
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(cv2.inpaint(bgr, mask.astype(np.uint8) * 255, 7, cv2.INPAINT_TELEA), cv2.COLOR_BGR2RGB)


def test_rejects_the_box_as_mask_telea_removal_of_the_spoon():
    image = load_image(COFFEE)
    mask = box_mask(image.shape[:2], SPOON_BOX)
    report = assess(image, blend(image, _telea(image, mask), mask), mask)
    assert not report.ok and report.problem == "artifact" and report.score < QUALITY_THRESHOLD
    assert "flat patch" in report.reason or "streaks" in report.reason
    assert report.measures["texture"] < 0.4


def _textured(seed=0, size=160):
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(128, 40, (size, size)).astype(np.float32), (0, 0), 1.2)
    ramp = np.linspace(-30, 30, size, dtype=np.float32)[None, :]
    grey = np.clip(noise + ramp, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def test_accepts_a_clean_fill_and_rejects_smooth_smears_seams_and_blotches():
    clean = _textured()
    mask = np.zeros(clean.shape[:2], bool)
    mask[50:110, 60:120] = True
    with_object = clean.copy()
    with_object[mask] = (200, 30, 30)
    good = assess(with_object, blend(with_object, clean, mask), mask)
    assert good.ok and good.problem == "none" and good.score > 0.8, good
    smeared = assess(with_object, blend(with_object, _telea(with_object, mask), mask), mask)
    assert not smeared.ok and smeared.measures["texture"] < 0.4
    darker = np.clip(clean.astype(int) - 60, 0, 255).astype(np.uint8)
    seamed = assess(with_object, blend(with_object, darker, mask, blur_kernel=1), mask)
    assert not seamed.ok and seamed.measures["seam"] > 3
    blotched = assess(with_object, blend(with_object, darker, mask), mask)
    assert not blotched.ok and blotched.measures["blotch"] > 2.5


def test_nothing_to_compare_with_is_not_an_artifact_and_bad_masks_are_typed_errors():
    image = _textured(1)
    full = np.ones(image.shape[:2], bool)
    report = assess(image, 255 - image, full)
    assert report.ok and report.score == 1.0 and "nothing to judge" in report.reason
    assert assess(image, image, np.zeros_like(full)).ok
    with pytest.raises(BadMaskError):
        assess(image, image, full[:10])


def test_the_judge_is_fast_enough_for_every_attempt():
    import time

    image = load_image(COFFEE)
    mask = dilate(box_mask(image.shape[:2], SPOON_BOX), 5)
    t0 = time.perf_counter()
    assess(image, blend(image, _telea(image, mask), mask), mask)
    assert time.perf_counter() - t0 < 2.0  # about 0.15 s on one core; generous for a shared machine


def test_scores_the_default_spoon_removal_above_the_plain_exemplar_fill_that_left_a_spoon_shaped_patch():
    from engine.diffusion.classical import ClassicalInpainter, fade_weight
    from engine.diffusion.patchmatch import complete
    from engine.grounding import ground_at_working_size
    from engine.plan import EditPlan
    from engine.protocols import InpaintRequest
    from engine.vision.classical_segmenter import ClassicalSegmenter

    image = load_image(COFFEE)
    mask = ground_at_working_size(EditPlan(category="remove", target="spoon", caption=""), image, short_side=640,
                                  detector=None, segmenter=ClassicalSegmenter(), user_box=SPOON_BOX,
                                  dilate_px=20).mask
    default = ClassicalInpainter().inpaint(InpaintRequest(image=image, mask=mask, prompt="", category="remove"))
    # the exemplar fill without the membrane's anchor: the lit saucer copied into the cup's shadow
    plain = complete(image, fade_weight(mask, 1) > 0, anchor=(0.0, 0.0))
    good, bad = (assess(image, blend(image, x, mask), mask) for x in (default, plain))
    assert bad.score < good.score and not bad.ok, (bad.reason, good.reason)
    assert bad.measures["seam"] > 3.0  # its outline shows: a step along part of the mask's border


def test_rejects_a_perfect_fill_that_leaves_part_of_the_object_outside_the_mask():
    """A horse's hooves the segmenter left out: the fill itself is the clean photo, so only a look
    outside the mask sees them (the judge accepted such a removal before)."""
    clean = _textured(5, 200)
    body = np.zeros(clean.shape[:2], bool)
    body[60:120, 50:150] = True
    hooves = np.zeros_like(body)
    hooves[120:134, 62:70] = hooves[120:134, 128:136] = True
    with_object = clean.copy()
    stripes = (np.arange(200)[None, :] // 5 % 2).astype(bool)
    with_object[(body | hooves) & stripes] = (200, 120, 40)
    with_object[(body | hooves) & ~stripes] = (40, 90, 200)
    whole = assess(with_object, blend(with_object, clean, body | hooves), body | hooves)
    assert whole.ok and whole.measures["remnant"] < 0.1, whole.reason
    left = assess(with_object, blend(with_object, clean, body), body)
    assert not left.ok and "left outside the mask" in left.reason, left.reason
    assert left.problem == "target_still_present"  # the retry grows the mask (engine.replan)
    assert left.measures["remnant"] > 0.3


def _coin_scene(size=200):
    """A bright disc (a coin) on a textured grey ground, a pasted square over its right half."""
    ground = _textured(7, size)
    yy, xx = np.mgrid[:size, :size]
    coin = (yy - 100) ** 2 + (xx - 100) ** 2 <= 55 ** 2
    clean = ground.copy()
    clean[coin] = np.clip(ground[coin].astype(int) // 3 + 170, 0, 255).astype(np.uint8)
    mask = np.zeros((size, size), bool)
    mask[60:140, 120:185] = True  # the coin's rim crosses it twice: in at the top, out at the bottom
    with_object = clean.copy()
    with_object[mask] = (40, 160, 60)
    return clean, ground, coin, mask, with_object


def test_rejects_a_fill_that_cuts_a_coin_in_half_and_accepts_one_that_continues_its_rim():
    """The cut-structure check (engine/contours.py): the coin's rim enters the mask at the top and
    comes out at the bottom; a fill that ends the coin in a straight cut inside the mask (colours
    and texture right, so no seam) leaves the rim's arc out."""
    clean, ground, coin, mask, with_object = _coin_scene()
    whole = assess(with_object, blend(with_object, clean, mask), mask)
    assert whole.ok and whole.measures["cut"] < 0.2, whole.reason
    halved = clean.copy()
    straight = mask & (np.arange(200)[None, :] >= 132)
    halved[straight] = ground[straight]
    cut = assess(with_object, blend(with_object, halved, mask), mask)
    assert not cut.ok and "contour cut off" in cut.reason and cut.measures["cut"] > 0.7, cut.reason


def test_rejects_a_jagged_edge_in_the_fill_and_accepts_a_smooth_one():
    """The ragged check: the coin's rim drawn torn (a pale jagged outline, as an exemplar fill that
    copied pieces of a contour leaves) against the rim drawn smooth."""
    clean, ground, coin, mask, with_object = _coin_scene()
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[:200, :200]
    wobble = 55 + 6 * np.sign(rng.normal(size=(200 // 4, 1))).repeat(4, 0)  # the radius jumps every 4 rows
    torn_coin = (yy - 100) ** 2 + (xx - 100) ** 2 <= wobble ** 2
    torn = ground.copy()
    torn[torn_coin] = np.clip(ground[torn_coin].astype(int) // 3 + 170, 0, 255).astype(np.uint8)
    jagged = clean.copy()
    jagged[mask] = torn[mask]
    bad = assess(with_object, blend(with_object, jagged, mask), mask)
    good = assess(with_object, blend(with_object, clean, mask), mask)
    assert good.ok and good.measures["ragged"] < 1.2, good.reason
    assert not bad.ok and bad.measures["ragged"] > 2.0, bad.reason
