"""Original-format GroundingDINO / SAM checkpoints (tiny, same key names and shapes as the released
files) -> converter -> transformers models that compute exactly what the source weights compute."""
import numpy as np
import pytest
import torch
from original_format import grounding_dino_to_original, reference_keys, sam_to_original

from engine.errors import CheckpointConversionError, ModelNotAvailableError
from engine.vision.convert_checkpoints import (build_model, convert_grounding_dino, convert_sam,
                                               load_original_state_dict)
from engine.vision.grounding_dino import GroundingDinoDetector
from engine.vision.sam import SamSegmenter


def _shapes(sd):
    return {k: tuple(v.shape) for k, v in sd.items()}


@pytest.fixture(scope="module")
def gd_source(tiny_gd_dir):
    from transformers import GroundingDinoForObjectDetection

    return GroundingDinoForObjectDetection.from_pretrained(tiny_gd_dir).eval()


@pytest.fixture(scope="module")
def gd_checkpoint(gd_source, tmp_path_factory):
    original = grounding_dino_to_original(gd_source)
    path = tmp_path_factory.mktemp("ckpt") / "groundingdino_swint_ogc.pth"
    torch.save({"model": {"module." + k: v for k, v in original.items()}, "epoch": 11}, path)  # as released
    return path, original


@pytest.fixture(scope="module")
def sam_source(tiny_sam_dir):
    from transformers import SamModel

    return SamModel.from_pretrained(tiny_sam_dir).eval()


@pytest.fixture(scope="module")
def sam_checkpoint(sam_source, tmp_path_factory):
    original = sam_to_original(sam_source)
    path = tmp_path_factory.mktemp("ckpt") / "sam_vit_b_01ec64.pth"
    torch.save(original, path)
    return path, original


def test_synthetic_checkpoints_have_the_original_key_names_and_shapes(gd_checkpoint, sam_checkpoint):
    assert _shapes(gd_checkpoint[1]) == reference_keys("groundingdino")
    assert _shapes(sam_checkpoint[1]) == reference_keys("sam")


def test_grounding_dino_checkpoint_converts_without_missing_or_unexpected_keys(gd_checkpoint, gd_source):
    converted = convert_grounding_dino(load_original_state_dict(gd_checkpoint[0]))
    assert set(converted.dropped) == {k for k in gd_checkpoint[1] if "relative_position_index" in k or "pooler" in k}
    model = build_model(converted)  # raises on any missing / unexpected key or shape
    cfg, src = model.config, gd_source.config
    assert (cfg.d_model, cfg.encoder_layers, cfg.decoder_layers, cfg.num_queries, cfg.encoder_n_points) == (
        src.d_model, src.encoder_layers, src.decoder_layers, src.num_queries, src.encoder_n_points)
    assert cfg.backbone_config.depths == src.backbone_config.depths
    assert cfg.backbone_config.window_size == src.backbone_config.window_size
    torch.manual_seed(1)
    pixels, ids = torch.randn(1, 3, 64, 96), torch.tensor([[101, 4, 3, 1012, 7, 1012, 102]])
    with torch.no_grad():
        a, b = gd_source(pixel_values=pixels, input_ids=ids), model(pixel_values=pixels, input_ids=ids)
    assert torch.allclose(a.logits, b.logits, atol=1e-5, equal_nan=True)
    assert torch.allclose(a.pred_boxes, b.pred_boxes, atol=1e-5)


def test_sam_checkpoint_converts_without_missing_or_unexpected_keys(sam_checkpoint, sam_source):
    model = build_model(convert_sam(load_original_state_dict(sam_checkpoint[0])))
    v = model.config.vision_config
    assert (v.hidden_size, v.num_attention_heads, list(v.global_attn_indexes), v.window_size, v.image_size) == (
        32, 2, [1], 4, 64)
    torch.manual_seed(2)
    pixels, boxes = torch.randn(1, 3, 64, 64), torch.tensor([[[4.0, 6.0, 40.0, 50.0], [0.0, 0.0, 64.0, 30.0]]])
    with torch.no_grad():
        a, b = sam_source(pixel_values=pixels, input_boxes=boxes), model(pixel_values=pixels, input_boxes=boxes)
    assert torch.allclose(a.pred_masks, b.pred_masks, atol=1e-5)
    assert torch.allclose(a.iou_scores, b.iou_scores, atol=1e-6)


def test_backends_load_original_checkpoints_through_settings_paths(gd_checkpoint, sam_checkpoint, tiny_gd_dir,
                                                                   tiny_sam_dir):
    image = np.random.default_rng(3).integers(0, 256, (70, 100, 3), dtype=np.uint8)
    from_dir = GroundingDinoDetector(str(tiny_gd_dir), device="cpu").detect(image, "red cup", 0.0, 0.0)
    from_pth = GroundingDinoDetector(str(tiny_gd_dir), gd_checkpoint[0], device="cpu").detect(image, "red cup", 0.0, 0.0)
    assert [d.label for d in from_pth] == [d.label for d in from_dir]
    assert np.allclose([d.box for d in from_pth], [d.box for d in from_dir], atol=1e-3)
    boxes = [(10, 10, 60, 50)]
    masks_dir = SamSegmenter(str(tiny_sam_dir), device="cpu").segment(image, boxes)
    masks_pth = SamSegmenter("unused/when-a-checkpoint-is-set", sam_checkpoint[0], device="cpu").segment(image, boxes)
    assert np.array_equal(masks_dir[0], masks_pth[0])


def test_missing_and_unexpected_keys_are_reported_by_name(gd_checkpoint, tmp_path):
    broken = dict(gd_checkpoint[1])
    broken.pop("feat_map.weight")
    broken["transformer.mystery.weight"] = torch.zeros(2)
    with pytest.raises(CheckpointConversionError) as err:
        build_model(convert_grounding_dino(broken))
    assert "transformer.mystery.weight" in str(err.value) and err.value.unexpected == ["transformer.mystery.weight"]
    del broken["transformer.mystery.weight"]
    with pytest.raises(CheckpointConversionError) as err:
        build_model(convert_grounding_dino(broken))
    assert err.value.missing == ["model.text_projection.weight"]


def test_wrong_or_absent_files_say_what_to_do(sam_checkpoint, tmp_path):
    with pytest.raises(CheckpointConversionError, match="original GroundingDINO"):
        convert_grounding_dino(load_original_state_dict(sam_checkpoint[0]))
    with pytest.raises(ModelNotAvailableError, match="not found"):
        load_original_state_dict(tmp_path / "sam_vit_h_4b8939.pth")
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointConversionError, match="not a readable PyTorch checkpoint"):
        load_original_state_dict(junk)
