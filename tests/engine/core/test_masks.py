import numpy as np
import pytest

from engine import masks as M
from engine.errors import BadBoxError, BadMaskError


def test_box_mask_clips_to_image_and_counts_pixels():
    m = M.box_mask((50, 80), (70, 40, 20, 20))
    assert m.sum() == 10 * 10 and m[40:50, 70:80].all()


@pytest.mark.parametrize("box", [(0, 0, 0, 5), (0, 0, 5, -1), (100, 100, 5, 5), (float("nan"), 0, 5, 5)])
def test_bad_boxes_raise(box):
    with pytest.raises(BadBoxError):
        M.box_mask((50, 80), box)


def test_ellipse_inscribed_in_box():
    m = M.ellipse_mask((100, 100), (20, 30, 40, 20))
    assert m[40, 40] and not m[30, 20] and not m[49, 59]
    assert M.bbox(m) == (20, 30, 40, 20)


def test_dilate_erode_invert_union_subtract_move_pixelwise():
    m = np.zeros((21, 21), bool)
    m[10, 10] = True
    d = M.dilate(m, 2)
    assert d.sum() == 17 and d[8, 10] and d[10, 12] and not d[8, 8]
    assert np.array_equal(M.erode(d, 2), m)
    assert M.invert(m).sum() == 21 * 21 - 1
    other = np.zeros_like(m)
    other[0, 0] = True
    assert M.union(m, other).sum() == 2
    assert M.subtract(d, m).sum() == 16
    moved = M.move(m, 3, -4)
    assert moved[6, 13] and moved.sum() == 1
    assert not M.move(m, 30, 0).any()


def test_mask_op_errors():
    m = np.zeros((5, 5), bool)
    with pytest.raises(BadMaskError):
        M.dilate(m, -1)
    with pytest.raises(BadMaskError):
        M.union(m, np.zeros((4, 4), bool))


def test_overlay_changes_only_masked_pixels():
    img = np.full((20, 20, 3), 100, np.uint8)
    m = np.zeros((20, 20), bool)
    m[5:10, 5:10] = True
    ov = M.overlay(img, m)
    assert (ov[~m] == 100).all() and (ov[m] != 100).any(axis=1).all()


def test_dilate_and_erode_on_the_mask_box_equal_the_whole_image_morphology():
    """dilate/erode compute only the mask's bounding box grown by the radius: the same pixels as OpenCV
    over the whole image (elliptical kernel; border outside for dilate, replicated for erode), also
    for masks touching the image's edges."""
    import cv2

    rng = np.random.default_rng(3)
    for _ in range(60):
        h, w = (int(v) for v in rng.integers(8, 90, 2))
        m = np.zeros((h, w), bool)
        for _ in range(int(rng.integers(1, 4))):
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            m[y:y + int(rng.integers(1, 30)), x:x + int(rng.integers(1, 30))] = True
        px = int(rng.integers(1, 15))
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
        assert np.array_equal(M.dilate(m, px), cv2.dilate(m.astype(np.uint8), k) > 0)
        assert np.array_equal(M.erode(m, px), cv2.erode(m.astype(np.uint8), k, borderType=cv2.BORDER_REPLICATE) > 0)
    assert not M.dilate(np.zeros((5, 5), bool), 3).any() and not M.erode(np.zeros((5, 5), bool), 3).any()
    assert M.coverage(M.dilate(np.ones((4, 4), bool), 2)) == 1.0
