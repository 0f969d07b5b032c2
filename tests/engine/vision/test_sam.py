"""SamSegmenter: tiny random SAM saved like a hub model; best mask per box; embedding reuse."""
import numpy as np
import pytest
import torch

from engine.errors import BadBoxError, ModelNotAvailableError
from engine.protocols import Segmenter
from engine.settings import Settings
from engine.vision.sam import SamSegmenter

IMAGE = np.random.default_rng(1).integers(0, 256, (60, 90, 3), dtype=np.uint8)


@pytest.fixture()
def segmenter(tiny_sam_dir):
    seg = SamSegmenter.from_settings(Settings(sam_model=str(tiny_sam_dir), device="cpu"))
    seg.encoder_calls = 0
    model, _ = seg._load()

    def count(*_):
        seg.encoder_calls += 1

    model.vision_encoder.register_forward_hook(count)
    return seg


def test_from_settings_loads_nothing(tmp_path):
    seg = SamSegmenter.from_settings(Settings(sam_model=str(tmp_path / "absent")))
    assert isinstance(seg, Segmenter) and seg._loaded is None


def test_segment_end_to_end_one_bool_mask_per_box(segmenter):
    masks = segmenter.segment(IMAGE, [(5, 5, 50, 40), (30.5, 10, 89.9, 59)])
    assert len(masks) == 2
    assert all(m.dtype == bool and m.shape == (60, 90) for m in masks)
    assert segmenter.segment(IMAGE, []) == []


def test_best_mask_is_the_one_with_highest_predicted_iou(segmenter):
    box = (5, 5, 50, 40)
    mask = segmenter.segment(IMAGE, [box])[0]
    model, processor = segmenter._load()
    emb = segmenter.embed(IMAGE)
    sx, sy = emb.reshaped_size[1] / 90, emb.reshaped_size[0] / 60
    prompt = torch.tensor([[[box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy]]])
    with torch.no_grad():
        out = model(image_embeddings=emb.embeddings, input_boxes=prompt, multimask_output=True)
    candidates = processor.image_processor.post_process_masks(out.pred_masks, [[60, 90]], [list(emb.reshaped_size)])[0]
    best = int(out.iou_scores[0, 0].argmax())
    assert np.array_equal(mask, candidates[0, best].numpy())


def test_image_embedding_is_computed_once_per_image_and_reused(segmenter):
    segmenter.segment(IMAGE, [(5, 5, 50, 40)])
    segmenter.segment(IMAGE.copy(), [(0, 0, 20, 20), (10, 10, 80, 50)])
    assert segmenter.encoder_calls == 1 and segmenter.embeddings.hits >= 1
    edited = IMAGE.copy()
    edited[0, 0] ^= 1  # a new image version: new embedding
    segmenter.segment(edited, [(5, 5, 50, 40)])
    assert segmenter.encoder_calls == 2


def test_cache_is_a_bounded_lru(tiny_sam_dir):
    seg = SamSegmenter(str(tiny_sam_dir), device="cpu", cache_size=2)
    images = [np.full((20, 30, 3), v, np.uint8) for v in (10, 20, 30)]
    for img in images:
        seg.embed(img)
    assert len(seg.embeddings) == 2
    seg.embed(images[2])
    assert seg.embeddings.hits == 1
    seg.embed(images[0])  # evicted earlier -> recomputed
    assert seg.embeddings.misses == 4


def test_bad_boxes_and_missing_weights(segmenter, tmp_path):
    with pytest.raises(BadBoxError, match="empty"):
        segmenter.segment(IMAGE, [(50, 5, 40, 30)])
    with pytest.raises(BadBoxError):
        segmenter.segment(IMAGE, [(0, 0, float("nan"), 3)])
    with pytest.raises(ModelNotAvailableError) as err:
        SamSegmenter(str(tmp_path / "no-sam"), device="cpu").segment(IMAGE, [(0, 0, 5, 5)])
    assert "no-sam" in str(err.value) and "BRUSHEDIT_SAM_CHECKPOINT" in str(err.value)
