import numpy as np

from engine.grounding import ground_at_working_size
from engine.plan import EditPlan
from engine.vision.box import BoxSegmenter
from helpers import FakeDetector

REMOVE = EditPlan(category="remove", target="spoon", caption="")


def test_working_size_grounding_maps_back_to_original_pixels():
    image = np.zeros((1200, 1800, 3), np.uint8)  # working size 960x640: scale 0.533
    det = FakeDetector(box=(300, 60, 420, 330))
    res = ground_at_working_size(REMOVE, image, short_side=640, detector=det, segmenter=BoxSegmenter(), dilate_px=0)
    ys, xs = np.nonzero(res.mask)
    assert res.mask.shape == (1200, 1800)
    assert abs(xs.min() - 900) <= 2 and abs(xs.max() + 1 - 1260) <= 2 and abs(ys.min() - 180) <= 2
    x0, y0, x1, y1 = res.detections[0].box
    assert np.allclose((x0, y0, x1, y1), (900, 180, 1260, 990), atol=1e-6)


def test_dilation_is_in_working_pixels_like_brushedit():
    image = np.zeros((1280, 1920, 3), np.uint8)  # working 960x640: scale 0.5
    plan = EditPlan(category="remove", target="x", caption="")
    box = (800, 400, 200, 200)
    res = ground_at_working_size(plan, image, short_side=640, detector=None, segmenter=BoxSegmenter(),
                                 user_box=box, dilate_px=10)
    ys, xs = np.nonzero(res.mask)
    assert abs((xs.max() + 1 - xs.min()) - (200 + 2 * 20)) <= 2  # 10 working px = 20 original px


def test_user_mask_override_keeps_exact_pixels():
    image = np.zeros((1000, 1500, 3), np.uint8)
    mask = np.zeros((1000, 1500), bool)
    mask[123:457, 3:7] = True  # thin: would not survive a down/up resize
    res = ground_at_working_size(REMOVE, image, short_side=640, detector=None, segmenter=BoxSegmenter(),
                                 user_mask=mask)
    assert np.array_equal(res.mask, mask)
