"""The classical (GrabCut) segmenter from a box, and the grounding rules around it."""
import cv2
import numpy as np
import pytest

from engine.grounding import CLASSICAL_DILATE, ground, ground_at_working_size
from engine.images import load_image
from engine.masks import box_mask, dilate
from engine.plan import EditPlan
from engine.vision.classical_segmenter import ClassicalSegmenter, clean_mask
from helpers import PHOTO

REMOVE = EditPlan(category="remove", target="object", caption="")


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


def scene(seed=0, size=240):
    """Textured grey background with a red-blue striped blob (known mask) in the middle."""
    rng = np.random.default_rng(seed)
    grey = cv2.GaussianBlur(rng.normal(120, 25, (size, size)).astype(np.float32), (0, 0), 1.5)
    image = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    yy, xx = np.mgrid[:size, :size]
    theta = np.arctan2(yy - 120, xx - 110)
    mask = np.hypot(yy - 120, xx - 110) < 55 + 12 * np.cos(3 * theta)
    stripes = ((xx // 6) % 2).astype(bool)
    image[mask & stripes] = (200, 40, 40)
    image[mask & ~stripes] = (40, 60, 190)
    return image, mask


def test_segments_a_synthetic_object_from_its_box():
    image, truth = scene()
    ys, xs = np.nonzero(truth)
    box = (xs.min() - 12, ys.min() - 12, xs.max() + 13, ys.max() + 13)
    found = ClassicalSegmenter().segment(image, [box])[0]
    assert found.dtype == bool and found.shape == truth.shape
    assert iou(found, truth) > 0.93
    assert iou(box_mask(truth.shape, (box[0], box[1], box[2] - box[0], box[3] - box[1])), truth) < 0.7


def test_same_box_same_mask():
    image, truth = scene(1)
    seg = ClassicalSegmenter()
    box = [(40, 50, 185, 190)]
    assert np.array_equal(seg.segment(image, box)[0], seg.segment(image, box)[0])


def test_clean_mask_keeps_the_object_fills_specks_and_drops_noise():
    m = np.zeros((100, 100), bool)
    m[20:80, 20:80] = True
    m[50, 50] = False  # a highlight inside
    m[2, 2] = m[95, 5] = True  # specks outside
    out = clean_mask(m)
    assert out[50, 50] and not out[2, 2] and not out[95, 5] and out[30, 30]


def test_a_box_with_nothing_in_it_falls_back_to_the_box_with_a_warning():
    flat = np.full((200, 200, 3), 128, np.uint8)
    r = ground(REMOVE, flat, detector=None, segmenter=ClassicalSegmenter(), user_box=(50, 50, 80, 60))
    assert r.source == "user-box" and "found no distinct object" in " ".join(r.warnings)
    assert r.mask[50:110, 50:130].all()


def test_a_box_over_the_whole_image_says_so():
    image, _ = scene(2)
    r = ground(REMOVE, image, detector=None, segmenter=ClassicalSegmenter(), user_box=(0, 0, 240, 240))
    assert any("covers 100% of the image" in w for w in r.warnings)


def test_classical_masks_grow_by_the_classical_margin_sam_style_ones_by_the_setting():
    image, truth = scene(3)
    seg = ClassicalSegmenter()
    tight = ground(REMOVE, image, detector=None, segmenter=seg, user_box=(40, 50, 150, 145), dilate_px=0,
                   exact_dilate=True).mask
    default = ground(REMOVE, image, detector=None, segmenter=seg, user_box=(40, 50, 150, 145), dilate_px=20).mask
    retry = ground(REMOVE, image, detector=None, segmenter=seg, user_box=(40, 50, 150, 145), dilate_px=30).mask
    assert np.array_equal(default, dilate(tight, CLASSICAL_DILATE))
    assert np.array_equal(retry, dilate(tight, CLASSICAL_DILATE + 10))


def test_a_painted_mask_is_used_exactly_as_painted():
    image = load_image(PHOTO)
    painted = np.zeros(image.shape[:2], bool)
    painted[100:140, 200:213] = True
    painted[300, 5] = True
    r = ground_at_working_size(REMOVE, image, short_side=640, detector=None, segmenter=ClassicalSegmenter(),
                               user_mask=painted, dilate_px=20)
    assert r.source == "user-mask" and np.array_equal(r.mask, painted)


@pytest.mark.slow
def test_mask_command_and_edit_grounding_agree_on_the_spoon(tmp_path):
    """`brushedit mask --box` and the edit's ground tool give the same pixels (one code path)."""
    from typer.testing import CliRunner

    from app.cli import app
    from engine.backends import Backends
    from engine.image_store import ImageStore
    from engine.settings import Settings
    from tools.context import ToolContext
    from tools.ground import GroundEditInput, ground_edit

    out = tmp_path / "m.png"
    r = CliRunner().invoke(app, ["mask", str(PHOTO), "--box", "320,60,110,270", "--out", str(out),
                                 "--data-dir", str(tmp_path / "home")])
    assert r.exit_code == 0, r.output
    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    ctx = ToolContext(settings, ImageStore(tmp_path / "img"), Backends(settings))
    res = ground_edit(GroundEditInput(image_id=ctx.store.put(load_image(PHOTO)), user_box=(320, 60, 110, 270),
                                      plan=EditPlan(category="remove", target="spoon", caption="")), ctx)
    from engine.images import load_mask

    assert np.array_equal(load_mask(out), ctx.mask(res.mask_id))
