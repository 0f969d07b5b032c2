"""Denoise-step progress: the BrushNet inpainter reports step k of n through engine.progress (what the
job runner turns into `step` events), on a tiny random BrushNet (CPU, 64x64)."""
import numpy as np
from diffusion_tiny import save_tiny_brushnet

from engine import progress
from engine.backends import make_inpainter
from engine.protocols import InpaintRequest
from engine.settings import Settings


def test_brushnet_reports_every_denoise_step(tmp_path):
    base, bn = save_tiny_brushnet(tmp_path)
    inpainter = make_inpainter(Settings(profile="full", base_model=str(base), brushnet_model=str(bn),
                                        working_short_side=64, device="cpu"))
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    mask = np.zeros((64, 64), bool)
    mask[16:48, 16:40] = True
    seen = []
    with progress.listen(lambda k, n: seen.append((k, n))):
        inpainter.inpaint(InpaintRequest(image=image, mask=mask, prompt="a red car", steps=3))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    progress.step(1, 1)  # no listener: nothing happens
