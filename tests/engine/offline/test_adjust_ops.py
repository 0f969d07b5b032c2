"""Photo adjustments checked on pixel statistics, background blur, and bad input."""
import time

import cv2
import numpy as np
import pytest

from engine.adjust import OPERATIONS, apply, parse_operations
from engine.errors import BadAdjustmentError
from engine.images import load_image
from helpers import PHOTO

IMAGE = load_image(PHOTO)  # 600 x 400 coffee photo


def op(name, strength=1.0):
    return {"op": name, "strength": strength}


def luma(x):
    return (x.astype(float) @ [0.299, 0.587, 0.114]).mean()


def sharp(x):
    return float(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float32), cv2.CV_32F).var())


def sat(x):
    hsv = cv2.cvtColor(x, cv2.COLOR_RGB2HSV)
    return float(hsv[..., 1].mean())


def test_grayscale_and_sepia():
    g = apply(IMAGE, [op("grayscale")])
    assert np.array_equal(g[..., 0], g[..., 1]) and np.array_equal(g[..., 1], g[..., 2])
    assert abs(luma(g) - luma(IMAGE)) < 2
    half = apply(IMAGE, [op("grayscale", 0.5)])
    assert 0 < sat(half) < sat(IMAGE)
    s = apply(IMAGE, [op("sepia")]).astype(float)
    assert (s[..., 0] >= s[..., 1] - 1).all() and (s[..., 1] >= s[..., 2] - 1).all()  # warm brown tones


@pytest.mark.parametrize("name, measure", [("brightness", luma), ("contrast", lambda x: x.std()),
                                           ("saturation", sat), ("sharpness", sharp)])
def test_signed_operations_go_both_ways(name, measure):
    up, down = apply(IMAGE, [op(name, 0.5)]), apply(IMAGE, [op(name, -0.5)])
    assert measure(up) > measure(IMAGE) * 1.03 and measure(down) < measure(IMAGE) * 0.97
    assert np.array_equal(apply(IMAGE, [op(name, 0.0)]), IMAGE)


def test_warmth_moves_red_over_blue():
    ratio = lambda x: x[..., 0].astype(float).mean() / max(1.0, x[..., 2].astype(float).mean())  # noqa: E731
    assert ratio(apply(IMAGE, [op("warmth", 0.6)])) > ratio(IMAGE) * 1.1
    assert ratio(apply(IMAGE, [op("warmth", -0.6)])) < ratio(IMAGE) / 1.1


def test_vintage_fades_blacks_and_mutes_colour():
    v = apply(IMAGE, [op("vintage")])
    assert v.min() > IMAGE.min() + 10 and sat(v) < sat(IMAGE)


def test_background_blur_softens_outside_the_subject_only():
    subject = np.zeros(IMAGE.shape[:2], bool)
    subject[40:330, 170:420] = True  # the cup and saucer centre
    out = apply(IMAGE, [op("background_blur")], ~subject)
    inner = subject.copy()
    inner[:, :] = False
    inner[60:310, 190:400] = True
    outer = np.zeros_like(subject)
    outer[:, :120] = True
    assert np.array_equal(out[inner], IMAGE[inner])  # the subject stays as it was
    crop = lambda x, m: x[np.ix_(m.any(1), m.any(0))]  # noqa: E731
    assert sharp(crop(out, outer)) < 0.3 * sharp(crop(IMAGE, outer))


def test_a_mask_limits_any_operation_and_empty_masks_change_nothing():
    mask = np.zeros(IMAGE.shape[:2], bool)
    mask[:, 300:] = True
    out = apply(IMAGE, [op("grayscale")], mask)
    assert np.array_equal(out[:, :290], IMAGE[:, :290])
    assert np.array_equal(out[:, 320:, 0], out[:, 320:, 2])
    assert np.array_equal(apply(IMAGE, [op("sepia")], np.zeros_like(mask)), IMAGE)


@pytest.mark.parametrize("raw, words", [({"op": "brightness", "strength": 3}, "must lie in -1..1"),
                                        ({"op": "grayscale", "strength": -0.5}, "must lie in 0..1"),
                                        ({"op": "posterize"}, "posterize")])
def test_bad_operations_are_one_line_typed_errors(raw, words):
    with pytest.raises(BadAdjustmentError) as err:
        apply(IMAGE, [raw])
    text = str(err.value)
    assert words in text and "\n" not in text and "strength is -1..1" in text


def test_each_operation_is_fast_at_1024():
    big = cv2.resize(IMAGE, (1024, 1024))
    mask = np.ones((1024, 1024), bool)
    mask[300:700, 300:700] = False
    for name in OPERATIONS:
        ops = parse_operations([op(name, 0.5)])
        start = time.process_time()
        apply(big, ops, mask if name == "background_blur" else None)
        assert time.process_time() - start < 0.5, name  # about 15-90 ms on one core; generous when shared
