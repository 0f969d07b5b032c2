"""The BrushNet pipeline and inpainter backends end to end on tiny random models (CPU, 64x64)."""
import numpy as np
import pytest
import torch
from diffusion_tiny import CROSS_DIM, save_tiny_brushnet, tiny_unet

from engine.backends import make_inpainter
from engine.blending import band, blend
from engine.diffusion.fast_step import DenoiseStep
from engine.diffusion.loaders import BrushNetInpainter, SDInpainter
from engine.errors import BadImageError, BadMaskError, EmptyMaskError, ModelNotAvailableError
from engine.protocols import InpaintRequest
from engine.settings import Settings


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    return save_tiny_brushnet(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def inpainter(model_dirs):
    base, bn = model_dirs
    settings = Settings(profile="full", base_model=str(base), brushnet_model=str(bn), working_short_side=64,
                        device="cpu")
    inpainter = make_inpainter(settings)  # the `full` profile's factory path
    assert isinstance(inpainter, BrushNetInpainter)
    return inpainter


def _photo(h=64, w=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _square_mask(h=64, w=64):
    mask = np.zeros((h, w), bool)
    mask[h // 4: h // 2, w // 4: w // 2] = True
    return mask


def _request(image, mask, seed=0, **kw):
    return InpaintRequest(image=image, mask=mask, prompt="a red car", seed=seed, steps=3, **kw)


def test_inpainter_loads_lazily_once_and_keeps_pixels_outside_the_band(inpainter):
    assert inpainter._pipe is None  # from_settings stored config only
    assert all(inpainter.supports(c) for c in ("addition", "remove", "local", "global", "background"))
    image, mask = _photo(), _square_mask()
    out = inpainter.inpaint(_request(image, mask))
    pipe = inpainter._pipe
    assert out.shape == image.shape and out.dtype == np.uint8
    assert pipe.scheduler.__class__.__name__ == "UniPCMultistepScheduler"
    assert pipe.scheduler.config.final_sigmas_type == "sigma_min"  # the original BrushNet's last step
    blended = blend(image, out, mask, blur_kernel=9)
    outside = ~band(mask, blur_kernel=9)
    assert outside.any() and np.array_equal(blended[outside], image[outside])
    assert not np.array_equal(blended[mask], image[mask])
    again = inpainter.inpaint(_request(image, mask))
    assert inpainter._pipe is pipe and np.array_equal(again, out)  # loaded once; same seed, same pixels
    other = inpainter.inpaint(_request(image, mask, seed=1))
    assert not np.array_equal(other, out)


def test_inpainter_resizes_to_the_working_size_and_back(inpainter):
    image = _photo(80, 120, seed=2)
    out = inpainter.inpaint(_request(image, _square_mask(80, 120)))
    assert out.shape == (80, 120, 3)
    with pytest.raises(EmptyMaskError):
        inpainter.inpaint(_request(image, np.zeros((80, 120), bool)))


def test_branch_run_once_under_cfg_equals_running_it_on_both_halves(inpainter):
    pipe = inpainter.pipeline
    g = torch.Generator().manual_seed(0)
    latents = torch.randn(2, 4, 8, 8, generator=g)
    cond = torch.randn(2, 5, 8, 8, generator=g)
    embeds = torch.randn(4, 77, CROSS_DIM, generator=g)
    pipe.scheduler.set_timesteps(5)
    t = pipe.scheduler.timesteps[1]
    model_in = torch.cat([latents] * 2)
    with torch.no_grad():
        shared = DenoiseStep(pipe.unet, pipe.brushnet, share_branch=True)(model_in, t, embeds, cond, 1.0, 7.5)
        both = DenoiseStep(pipe.unet, pipe.brushnet, share_branch=False)(model_in, t, embeds, cond, 1.0, 7.5)
    torch.testing.assert_close(shared, both, rtol=0, atol=1e-5)


def test_pipeline_validates_image_and_mask(inpainter):
    pipe = inpainter.pipeline
    image = _photo()
    with pytest.raises(BadImageError, match="multiples of 8"):
        pipe(_photo(60, 64), np.zeros((60, 64), bool), "x", num_inference_steps=1)
    with pytest.raises(BadImageError, match="uint8"):
        pipe(image.astype(np.float32), _square_mask(), "x", num_inference_steps=1)
    with pytest.raises(BadMaskError, match=r"\[0, 1\]"):
        pipe(image, _square_mask().astype(np.float32) * 2, "x", num_inference_steps=1)
    with pytest.raises(BadMaskError, match="64x32"):
        pipe(image, np.zeros((32, 64), bool), "x", num_inference_steps=1)


def test_pipeline_takes_prompt_embeddings_and_uint8_masks(inpainter):
    pipe = inpainter.pipeline
    embeds = pipe.encode_prompt(["a red car"], "cpu")
    negative = pipe.encode_prompt([""], "cpu")
    image, mask = _photo(), _square_mask()
    kwargs = dict(num_inference_steps=2, generator=torch.Generator().manual_seed(0))
    from_text = pipe(image, mask, "a red car", "", **kwargs)
    kwargs["generator"] = torch.Generator().manual_seed(0)
    from_embeds = pipe(image, mask.astype(np.uint8) * 255, prompt_embeds=embeds, negative_prompt_embeds=negative,
                       **kwargs)
    assert from_text.shape == (1, 64, 64, 3)
    assert np.array_equal(from_text, from_embeds)


def test_missing_models_name_the_path_or_repo_and_the_fix(tmp_path, model_dirs):
    base, _ = model_dirs
    missing = Settings(base_model=str(base), brushnet_model=str(tmp_path / "nope"), device="cpu")
    with pytest.raises(ModelNotAvailableError, match="nope") as err:
        BrushNetInpainter.from_settings(missing).inpaint(_request(_photo(), _square_mask()))
    assert "BRUSHEDIT_BRUSHNET_MODEL" in str(err.value)
    hub = Settings(base_model="someone/not-cached-model:base", sd_inpaint_model="someone/not-cached-inpaint",
                   device="cpu")
    with pytest.raises(ModelNotAvailableError) as err:
        BrushNetInpainter.from_settings(hub).inpaint(_request(_photo(), _square_mask()))
    assert "someone/not-cached-model" in str(err.value) and "hf download" in str(err.value)
    assert "--include 'base/*'" in str(err.value)
    with pytest.raises(ModelNotAvailableError, match="someone/not-cached-inpaint"):
        SDInpainter.from_settings(hub).inpaint(_request(_photo(), _square_mask()))


def test_sd_inpainter_runs_the_stock_inpainting_pipeline(tmp_path, model_dirs):
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    base, _ = model_dirs
    pipe = StableDiffusionInpaintPipeline(
        vae=AutoencoderKL.from_pretrained(base / "vae"),
        text_encoder=CLIPTextModel.from_pretrained(base / "text_encoder"),
        tokenizer=CLIPTokenizer.from_pretrained(base / "tokenizer"),
        unet=UNet2DConditionModel.from_config(tiny_unet(0, in_channels=9).config),
        scheduler=DDIMScheduler.from_pretrained(base / "scheduler"),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(tmp_path / "sd-inpaint")
    settings = Settings(sd_inpaint_model=str(tmp_path / "sd-inpaint"), working_short_side=64, device="cpu")
    inpainter = SDInpainter.from_settings(settings)
    image, mask = _photo(72, 64, seed=4), _square_mask(72, 64)
    out = inpainter.inpaint(_request(image, mask))
    assert out.shape == image.shape and out.dtype == np.uint8
    blended = blend(image, out, mask, blur_kernel=5)
    outside = ~band(mask, blur_kernel=5)
    assert np.array_equal(blended[outside], image[outside])


def test_fast_step_options_keep_the_output(inpainter):
    """channels_last gives the default pipeline's pixels (CUDA graph and compile are measured on GPU only)."""
    pipe = inpainter.pipeline
    image, mask = _photo(seed=5), _square_mask()

    def run():
        return pipe(image, mask, "a red car", num_inference_steps=2, generator=torch.Generator().manual_seed(3),
                    output_type="pt")

    before = run()
    pipe.enable_fast_step(channels_last=True)
    try:
        after = run()
    finally:
        pipe.fast_step = None
        for model in (pipe.unet, pipe.brushnet, pipe.vae):
            model.to(memory_format=torch.contiguous_format)
    torch.testing.assert_close(after, before, rtol=0, atol=1e-4)
