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


def _no_resample(monkeypatch):
    import engine.grounding as G
    import engine.images as I

    def fail(*a, **kw):
        raise AssertionError("the image was resampled though nothing reads its pixels")
    monkeypatch.setattr(G, "working_image", fail)
    monkeypatch.setattr(I, "resize_image", fail)


def test_edits_that_read_no_pixels_are_not_resampled(monkeypatch):
    _no_resample(monkeypatch)
    image = np.zeros((1200, 1800, 3), np.uint8)
    glob = ground_at_working_size(EditPlan(category="global", target="", caption=""), image, short_side=640,
                                  detector=None, segmenter=BoxSegmenter())
    assert glob.mask.shape == (1200, 1800) and glob.mask.all()
    add = ground_at_working_size(EditPlan(category="addition", target="cat", caption=""), image, short_side=640,
                                 detector=None, segmenter=BoxSegmenter(), user_box=(300, 300, 600, 300))
    assert add.mask[450, 600] and not add.mask[100, 100]
    mask = np.zeros((1200, 1800), bool)
    mask[10:20, 30:40] = True
    given = ground_at_working_size(REMOVE, image, short_side=640, detector=None, segmenter=BoxSegmenter(),
                                   user_mask=mask)
    assert np.array_equal(given.mask, mask)


class _Recorder:
    name = "recorder"

    def __init__(self):
        self.seen = []

    def segment(self, image, boxes):
        self.seen.append(image)
        return [BoxSegmenter().segment(image, boxes)[0]]


def test_a_segmenter_sees_the_image_at_working_size_and_a_retry_reuses_it():
    from PIL import Image

    from helpers import PHOTO

    image = np.asarray(Image.open(PHOTO).convert("RGB").resize((1800, 1200)))  # a real photo
    image.setflags(write=False)  # as the image store hands it out
    seg = _Recorder()
    for dilate in (0, 4):  # a retry grounds the same source again (wider)
        ground_at_working_size(REMOVE, image, short_side=640, detector=None, segmenter=seg,
                               user_box=(300, 300, 300, 300), dilate_px=dilate)
    first, second = seg.seen
    assert first.shape == (640, 960, 3) and second is first
    from engine.images import resize_image

    assert np.abs(first.astype(int) - resize_image(image, (960, 640))).mean() < 1.5  # close to Lanczos


def test_a_writable_source_is_not_remembered():
    image = np.full((1000, 1500, 3), 7, np.uint8)
    seg = _Recorder()
    ground_at_working_size(REMOVE, image, short_side=640, detector=None, segmenter=seg, user_box=(300, 300, 300, 300))
    image[:] = 200  # the caller changed its array: the next grounding must see it
    ground_at_working_size(REMOVE, image, short_side=640, detector=None, segmenter=seg, user_box=(300, 300, 300, 300))
    assert seg.seen[0].max() == 7 and seg.seen[1].min() == 200
