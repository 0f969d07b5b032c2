"""engine.grounding.ground: the mask of every edit category, checked pixel by pixel."""
import numpy as np
import pytest

from engine import masks as M
from engine.errors import BadBoxError, EmptyMaskError, UnsupportedEditError
from engine.grounding import SALIENT_PROMPT, ground
from engine.plan import EditPlan
from engine.protocols import Detection
from engine.vision.box import BoxSegmenter
from engine.vision.grounding_dino import GroundingDinoDetector
from engine.vision.sam import SamSegmenter

H, W = 64, 80
IMAGE = np.zeros((H, W, 3), np.uint8)


class BoxesDetector:
    """Returns fixed detections whose score is >= the asked threshold; records the prompts."""

    name = "boxes"

    def __init__(self, *dets: Detection):
        self.dets, self.prompts = list(dets), []

    def detect(self, image, text, box_threshold=0.3, text_threshold=0.25):
        self.prompts.append((text, box_threshold))
        return [d for d in self.dets if d.score >= box_threshold]


def plan(category, target="cup", box=None):
    return EditPlan(category=category, target=target, caption="x", box=box)


def corners_mask(x0, y0, x1, y1):
    return M.box_mask((H, W), (x0, y0, x1 - x0, y1 - y0))


CUP = Detection((20, 10, 40, 30), 0.8, "cup")


def test_remove_is_detect_segment_dilate():
    r = ground(plan("remove"), IMAGE, detector=BoxesDetector(CUP), segmenter=BoxSegmenter(), dilate_px=3)
    assert np.array_equal(r.mask, M.dilate(corners_mask(20, 10, 40, 30), 3))
    assert r.source == "detector" and r.detections == [CUP] and r.threshold == 0.3
    assert "1 box(es)" in r.summary and "0.80" in r.summary


def test_local_unions_every_matching_box_and_uses_the_ladder():
    other = Detection((50, 40, 70, 60), 0.12, "cup")
    det = BoxesDetector(Detection((20, 10, 40, 30), 0.14, "cup"), other)
    r = ground(plan("local"), IMAGE, detector=det, segmenter=BoxSegmenter(), dilate_px=0)
    assert r.threshold == 0.1 and len(r.detections) == 2  # lowered 0.3 -> 0.1 until something appeared
    assert np.array_equal(r.mask, corners_mask(20, 10, 40, 30) | corners_mask(50, 40, 70, 60))
    assert [t for _, t in det.prompts] == [0.3, 0.25, 0.2, 0.15, 0.1]


def test_addition_is_the_plan_box_as_ellipse_or_box_clipped():
    box = {"x": 60, "y": -10, "w": 40, "h": 30}  # sticks out right and top
    r = ground(plan("addition", box=box), IMAGE, detector=None, segmenter=BoxSegmenter())
    assert r.source == "plan-box" and np.array_equal(r.mask, M.ellipse_mask((H, W), (60, -10, 40, 30)))
    assert not r.mask[:, :60].any() and not r.mask[20:].any()
    r = ground(plan("addition", box=box), IMAGE, detector=None, segmenter=BoxSegmenter(), addition_shape="box")
    assert r.mask.sum() == 20 * 20 and r.mask[0:20, 60:80].all()
    with pytest.raises(EmptyMaskError, match="needs a place"):
        ground(plan("addition"), IMAGE, detector=None, segmenter=BoxSegmenter())


def test_background_is_the_inverted_subject():
    r = ground(plan("background", "cup"), IMAGE, detector=BoxesDetector(CUP), segmenter=BoxSegmenter(), dilate_px=8)
    assert np.array_equal(r.mask, ~M.dilate(corners_mask(20, 10, 40, 30), 2))
    assert not r.mask[15, 30] and r.mask[0, 0] and r.mask[63, 79]


def test_background_without_a_named_subject_keeps_the_largest_salient_detection():
    small, big = Detection((0, 0, 10, 10), 0.9, "object"), Detection((30, 20, 70, 60), 0.6, "object")
    det = BoxesDetector(small, big)
    r = ground(plan("background", ""), IMAGE, detector=det, segmenter=BoxSegmenter(), dilate_px=4)
    assert det.prompts[0][0] == SALIENT_PROMPT and r.detections == [big]
    assert np.array_equal(r.mask, ~M.dilate(corners_mask(30, 20, 70, 60), 1))


def test_global_is_the_full_image_without_models():
    r = ground(plan("global", ""), IMAGE, detector=None, segmenter=BoxSegmenter())
    assert r.mask.all() and r.source == "full" and not r.warnings


def test_user_mask_overrides_or_combines():
    user = corners_mask(0, 0, 10, 64)
    seg, det = BoxSegmenter(), BoxesDetector(CUP)
    r = ground(plan("remove"), IMAGE, detector=None, segmenter=seg, user_mask=user)
    assert r.source == "user-mask" and np.array_equal(r.mask, user)  # taken as drawn: no dilation
    r = ground(plan("remove"), IMAGE, detector=det, segmenter=seg, user_mask=user, combine="union", dilate_px=0)
    assert np.array_equal(r.mask, user | corners_mask(20, 10, 40, 30))
    cut = corners_mask(20, 10, 30, 30)
    r = ground(plan("remove"), IMAGE, detector=det, segmenter=seg, user_mask=cut, combine="subtract", dilate_px=0)
    assert np.array_equal(r.mask, corners_mask(30, 10, 40, 30))


def test_user_box_is_segmented_then_dilated_and_checked():
    r = ground(plan("remove"), IMAGE, detector=None, segmenter=BoxSegmenter(), user_box=(10, 10, 20, 10), dilate_px=2)
    assert r.source == "user-box" and np.array_equal(r.mask, M.dilate(corners_mask(10, 10, 30, 20), 2))
    with pytest.raises(BadBoxError):
        ground(plan("remove"), IMAGE, detector=None, segmenter=BoxSegmenter(), user_box=(100, 100, 5, 5))


def test_erode_and_invert_apply_last():
    r = ground(plan("remove"), IMAGE, detector=BoxesDetector(CUP), segmenter=BoxSegmenter(), dilate_px=0, erode_px=2,
               invert=True)
    assert np.array_equal(r.mask, ~corners_mask(22, 12, 38, 28))


def test_nothing_found_is_a_helpful_empty_mask_error():
    with pytest.raises(EmptyMaskError) as err:
        ground(plan("remove", "unicorn"), IMAGE, detector=BoxesDetector(), segmenter=BoxSegmenter())
    assert "unicorn" in str(err.value) and "0.05" in str(err.value) and "--box" in str(err.value)
    with pytest.raises(EmptyMaskError, match="empty"):
        ground(plan("remove"), IMAGE, detector=BoxesDetector(CUP), segmenter=BoxSegmenter(), dilate_px=0,
               user_mask=np.ones((H, W), bool), combine="subtract")
    with pytest.raises(UnsupportedEditError, match="GroundingDINO"):
        ground(plan("remove"), IMAGE, detector=None, segmenter=BoxSegmenter())


def test_local_mask_over_95_percent_is_flagged():
    whole = Detection((0, 0, W, H), 0.9, "cup")
    r = ground(plan("local"), IMAGE, detector=BoxesDetector(whole), segmenter=BoxSegmenter())
    assert r.coverage == 1.0 and "covers 100%" in r.warnings[0]


def test_remove_with_real_tiny_grounding_dino_and_sam(tiny_gd_dir, tiny_sam_dir):
    image = np.random.default_rng(5).integers(0, 256, (H, W, 3), dtype=np.uint8)
    det = GroundingDinoDetector(str(tiny_gd_dir), device="cpu")
    seg = SamSegmenter(str(tiny_sam_dir), device="cpu")
    r = ground(plan("remove", "red cup"), image, detector=det, segmenter=seg, dilate_px=2, box_threshold=0.0,
               text_threshold=0.0)
    assert r.source == "detector" and r.mask.shape == (H, W) and r.mask.dtype == bool and r.detections
    sam_union = M.union(*seg.segment(image, [d.box for d in r.detections]))
    assert np.array_equal(r.mask, M.dilate(sam_union, 2))
    assert seg.embeddings.hits >= 1 and det.forward_calls == 1
