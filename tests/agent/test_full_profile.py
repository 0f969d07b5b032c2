"""The `full` profile through the whole agent on tiny random models of the real architectures:
rules planner -> SAM (box prompt) -> BrushNet on an SD1.5-layout base -> blend -> commit."""
import sys

import numpy as np
import pytest

from agent.session import Session
from engine.blending import band
from engine.settings import Settings
from helpers import PHOTO, ROOT, changed_outside

sys.path[:0] = [str(ROOT / "tests" / "engine" / "diffusion"), str(ROOT / "tests" / "engine" / "vision")]


@pytest.fixture(scope="module")
def full_settings(tmp_path_factory):
    from diffusion_tiny import save_tiny_brushnet
    from tiny_models import save_tiny_grounding_dino, save_tiny_sam

    root = tmp_path_factory.mktemp("full")
    base, brushnet = save_tiny_brushnet(root)
    save_tiny_grounding_dino(root / "gd")
    save_tiny_sam(root / "sam")
    return Settings.load(env={}, data_dir=root / "home", profile="full", planner="rules",
                         detector_model=str(root / "gd"), sam_model=str(root / "sam"), base_model=str(base),
                         brushnet_model=str(brushnet), working_short_side=64, steps=2, device="cpu")


def test_local_and_global_edits_run_brushnet_in_the_agent(full_settings):
    s = Session.new("full", PHOTO, full_settings)
    local = s.edit("replace the cup with a blue bowl", box=(170, 20, 240, 260)).version
    assert local.category == "local" and local.plan["target"] == "cup"
    assert local.models["inpainter"].startswith("brushnet") and local.models["segmenter"].startswith("sam")
    before, after = s.image("v0"), s.image(local.id)
    allowed = band(s.store.get_mask(local.mask_id), full_settings.blur_kernel)
    assert after.shape == before.shape and changed_outside(before, after, allowed) == 0
    assert np.any(before[allowed] != after[allowed])
    glob = s.edit("make it look like winter").version
    assert glob.category == "global" and s.store.get_mask(glob.mask_id).all()
    assert glob.parent == local.id and np.any(s.image(glob.id) != after)
