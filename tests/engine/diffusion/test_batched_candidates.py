"""Several candidates per attempt as ONE batched BrushNet call, on tiny random models (CPU, 64x64)."""
import numpy as np
import pytest
import torch
from diffusion_tiny import CountingPipe, save_tiny_brushnet

from engine.backends import make_inpainter
from engine.protocols import BatchInpainter, InpaintRequest
from engine.settings import Settings


@pytest.fixture(scope="module")
def inpainter(tmp_path_factory):
    base, bn = save_tiny_brushnet(tmp_path_factory.mktemp("models"))
    return make_inpainter(Settings(profile="full", base_model=str(base), brushnet_model=str(bn),
                                   working_short_side=64, device="cpu"))


def _inputs(h=64, w=64):
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    mask = np.zeros((h, w), bool)
    mask[h // 4: 3 * h // 4, w // 4: w // 2] = True
    return image, mask


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def test_batch_of_n_equals_n_single_calls_with_the_same_generators(inpainter):
    pipe = inpainter.pipeline
    image, mask = _inputs()
    kw = dict(num_inference_steps=3, guidance_scale=7.5, output_type="pt")
    batched = pipe(image, mask, "a red car", "blurry", generator=[_gen(s) for s in (11, 12, 13)], **kw)
    singles = torch.cat([pipe(image, mask, "a red car", "blurry", generator=_gen(s), **kw) for s in (11, 12, 13)])
    assert batched.shape == (3, 3, 64, 64)
    torch.testing.assert_close(batched, singles, rtol=0, atol=2e-4)
    assert (batched[0] - batched[1]).abs().max() > 1e-2  # different seeds, different candidates
    without_cfg = pipe(image, mask, "a red car", generator=[_gen(1), _gen(2)], num_inference_steps=2,
                       guidance_scale=1.0, output_type="pt")
    alone = pipe(image, mask, "a red car", generator=_gen(2), num_inference_steps=2, guidance_scale=1.0,
                 output_type="pt")
    torch.testing.assert_close(without_cfg[1:], alone, rtol=0, atol=2e-4)


def test_generator_count_must_match_the_batch(inpainter):
    image, mask = _inputs()
    with pytest.raises(ValueError, match="one generator per image"):
        inpainter.pipeline(image, mask, "x", num_images_per_prompt=2, generator=[_gen(0)] * 3, num_inference_steps=1)


def test_inpaint_batch_makes_every_candidate_in_one_pipeline_call(inpainter):
    assert isinstance(inpainter, BatchInpainter)
    image, mask = _inputs(72, 96)  # resized to the working size and back
    request = InpaintRequest(image=image, mask=mask, prompt="a red car", steps=2, seeds=(5, 6, 7))
    real = inpainter.pipeline
    inpainter._pipe = counting = CountingPipe(real)
    try:
        outs = inpainter.inpaint_batch(request)
        assert counting.calls == [3]
        singles = [inpainter.inpaint(InpaintRequest(image=image, mask=mask, prompt="a red car", steps=2, seed=s))
                   for s in (5, 6, 7)]
    finally:
        inpainter._pipe = real
    assert len(outs) == 3 and all(o.shape == image.shape and o.dtype == np.uint8 for o in outs)
    for batched, single in zip(outs, singles):
        assert np.abs(batched.astype(int) - single.astype(int)).max() <= 1
    assert not np.array_equal(outs[0], outs[1])
