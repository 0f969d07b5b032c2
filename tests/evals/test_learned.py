"""Learned metrics on tiny random models saved in the released formats (no downloads)."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from evals import learned  # noqa: E402
from evals.eval_models import EvalModels  # noqa: E402
from evals.learned import MISSING  # noqa: E402
from tests.evals.tiny_metric_models import save_tiny_clip, save_tiny_dino, save_tiny_squeezenet  # noqa: E402


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("metric-models")
    clip = save_tiny_clip(root / "clip")
    return EvalModels(clip=str(clip), clip_i=str(clip), dino=str(save_tiny_dino(root / "dino")),
                      lpips_weights=save_tiny_squeezenet(root / "squeezenet1_1-b8a52dc0.pth"))


def _img(seed: int, shape=(48, 64, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_clip_score_is_clamped_100_cosine_of_the_model_features(models) -> None:
    clip = models.get("clip")
    model, processor = clip
    image = _img(0)
    with torch.no_grad():
        px = processor(images=[image], return_tensors="pt")["pixel_values"]
        tok = processor(text=["a photo of a cat"], return_tensors="pt", padding=True)
        out = model(input_ids=tok["input_ids"], attention_mask=tok["attention_mask"], pixel_values=px)
    cos = float((out.image_embeds[0] * out.text_embeds[0]).sum())  # CLIPModel normalises both
    assert learned.clip_score(clip, image, "a photo of a cat") == pytest.approx(max(100 * cos, 0.0), abs=1e-4)
    mask = np.zeros(image.shape[:2], bool)
    mask[10:30, 10:40] = True
    masked = (image * mask[..., None]).astype(np.uint8)
    assert learned.clip_score(clip, image, "a cat", mask) == pytest.approx(learned.clip_score(clip, masked, "a cat"))
    assert models.status()["clip"]["present"] is True


def test_clip_i_dino_and_clip_t_are_cosines(models) -> None:
    a, b = _img(1), _img(2)
    clip, dino = models.get("clip_i"), models.get("dino")
    assert clip is models.get("clip")  # the same directory is loaded once
    assert learned.clip_image_similarity(clip, a, a) == pytest.approx(1.0)
    assert -1.0 <= learned.clip_image_similarity(clip, a, b) < 1.0
    assert learned.dino_similarity(dino, a, a) == pytest.approx(1.0)
    assert learned.dino_similarity(dino, a, b) < 1.0
    t = learned.clip_text_similarity(clip, a, "a red car")  # MagicBrush CLIP-T: the raw cosine
    assert -1.0 <= t <= 1.0
    assert learned.clip_score(clip, a, "a red car") == pytest.approx(max(100 * t, 0.0), abs=1e-4)


def test_lpips_with_a_torchvision_format_backbone(models) -> None:
    net = models.get("lpips")
    a, b = _img(3, (64, 64, 3)), _img(4, (64, 64, 3))
    assert learned.lpips(net, a, a) == pytest.approx(0.0, abs=1e-7)
    assert learned.lpips(net, a, b) > 0
    keep = np.zeros((64, 64))
    assert learned.lpips(net, a, b, keep) == pytest.approx(0.0, abs=1e-7)  # everything masked out: identical
    status = models.status()["lpips"]
    assert status["present"] and len(status["sha256"]) == 64
    # the backbone's first conv really came from the file
    state = torch.load(models.refs["lpips"], weights_only=True)
    assert torch.equal(net.net.slices[0][0].weight, state["features.0.weight"])


def test_absent_models_say_so_and_how_to_get_them(tmp_path) -> None:
    m = EvalModels(clip=str(tmp_path / "no-clip"), dino="facebook/not-cached-anywhere",
                   lpips_weights=tmp_path / "none.pth")
    assert m.get("clip") is None and m.get("dino") is None and m.get("lpips") is None
    st = m.status()
    assert st["clip"]["present"] is False and "hf download" in st["clip"]["fix"]
    assert "download.pytorch.org/models/squeezenet1_1" in st["lpips"]["fix"]
    assert st["clip_i"]["present"] is None  # never asked for
    from evals.cases import TurnSpec
    from evals.scoring import score_edit

    src = _img(5, (32, 32, 3))
    res = src.copy()
    mask = np.zeros((32, 32), bool)
    mask[8:16, 8:16] = True
    res[mask] = 0
    metrics, _ = score_edit(TurnSpec(instruction="x", caption="a cat"), src, res, mask, {"category": "remove"},
                            models=m, blur_kernel=3)
    assert metrics["clip_whole"] == MISSING and metrics["unedited_lpips"] == MISSING
