"""GroundingDinoDetector: a tiny random model saved like a hub model, loaded through the real path."""
import numpy as np
import pytest

from engine.errors import ModelNotAvailableError
from engine.grounding import detect_with_ladder
from engine.protocols import Detection, Detector
from engine.settings import Settings
from engine.vision.grounding_dino import (GroundingDinoDetector, caption_for, clean_label, label_matches,
                                          merge_duplicates)

IMAGE = np.random.default_rng(0).integers(0, 256, (72, 104, 3), dtype=np.uint8)


@pytest.fixture()
def detector(tiny_gd_dir):
    return GroundingDinoDetector.from_settings(Settings(detector_model=str(tiny_gd_dir), device="cpu"))


def test_from_settings_stores_config_and_loads_nothing(tmp_path):
    det = GroundingDinoDetector.from_settings(Settings(detector_model=str(tmp_path / "absent"),
                                                       detector_checkpoint=tmp_path / "x.pth"))
    assert isinstance(det, Detector) and det._loaded is None
    assert det.model_id.endswith("absent") and det.checkpoint == tmp_path / "x.pth"


def test_detect_end_to_end_returns_matching_boxes_in_image_pixels(detector):
    dets = detector.detect(IMAGE, "red cup", box_threshold=0.0, text_threshold=0.0)
    assert dets and all(isinstance(d, Detection) for d in dets)
    for d in dets:
        x0, y0, x1, y1 = d.box
        assert 0 <= x0 < x1 <= 104 and 0 <= y0 < y1 <= 72
        assert 0.0 <= d.score <= 1.0 and label_matches(d.label, "red cup")
    assert [d.score for d in dets] == sorted((d.score for d in dets), reverse=True)
    assert detector.detect(IMAGE, "red cup", box_threshold=1.0) == []


def test_threshold_ladder_reuses_one_forward_pass(detector):
    found, threshold = detect_with_ladder(detector, IMAGE, "red cup", box_threshold=0.999, text_threshold=0.0)
    assert detector.forward_calls == 1
    assert threshold is None or found
    detector.detect(IMAGE, "cat", 0.0, 0.0)
    assert detector.forward_calls == 2  # a new prompt is a new pass


def test_missing_weights_name_the_id_and_the_fix(tmp_path):
    det = GroundingDinoDetector(str(tmp_path / "no-such-model"), device="cpu")
    with pytest.raises(ModelNotAvailableError) as err:
        det.detect(IMAGE, "cup")
    assert "no-such-model" in str(err.value) and "BRUSHEDIT_DETECTOR_MODEL" in str(err.value)


def test_labels_prompt_and_duplicate_merging():
    assert caption_for("  Red  Cup ") == "red cup ." and caption_for("cup.") == "cup."
    assert clean_label("red cup. [SEP]", ["[SEP]", "[CLS]"]) == "red cup"
    assert label_matches("cup", "the red cup") and not label_matches("", "cup") and not label_matches("dog", "cup")
    a, b, c = (Detection((0, 0, 10, 10), 0.9, "cup"), Detection((0, 0, 10, 9.5), 0.8, "cup"),
               Detection((20, 20, 30, 30), 0.5, "cup"))
    assert merge_duplicates([b, c, a]) == [a, c]
