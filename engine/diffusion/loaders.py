"""Inpainter backends on diffusion models: BrushNet (default of the `full` profile) and stock SD-inpaint.

Both implement engine.protocols.Inpainter: the image goes to the working resolution (short side
`settings.working_short_side`, multiple of 8), is inpainted there, and comes back at the input's
size, NOT blended (the blend tool pastes it back with engine.blending). Weights load lazily, once,
on the first `inpaint`: fp16 on CUDA, fp32 on CPU unless `settings.dtype` says otherwise;
`settings.cpu_offload` enables diffusers' model CPU offload.
"""
from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import torch

from engine import progress
from engine.diffusion.model_refs import load_part, resolve_ref
from engine.errors import EmptyMaskError
from engine.images import resize_image, resize_mask, validate_image, validate_mask, working_size
from engine.protocols import InpaintRequest
from engine.torch_runtime import resolve_device, resolve_dtype

CATEGORIES = ("addition", "remove", "local", "global", "background")


class _DiffusionInpainter:
    name = "diffusion"
    methods = ("unipc",)  # the scheduler; the re-plan policy varies the seed and steps instead
    seeded = True  # seed, prompt and steps change the result (engine.replan)

    def __init__(self, settings):
        self.settings = settings
        self._pipe = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "_DiffusionInpainter":
        """Stores the settings only; weights load on the first `inpaint`."""
        return cls(settings)

    def supports(self, category: str) -> bool:
        return category in CATEGORIES

    @property
    def pipeline(self):
        with self._lock:
            if self._pipe is None:
                device = resolve_device(self.settings.device)
                dtype = resolve_dtype(self.settings.dtype, device)
                pipe = self._build(dtype)
                pipe.set_progress_bar_config(disable=True)
                if self.settings.cpu_offload and device.type == "cuda":
                    pipe.enable_model_cpu_offload(device=device)
                else:
                    pipe.to(device)
                self._pipe = pipe
            return self._pipe

    def _build(self, dtype):
        raise NotImplementedError

    def _run(self, pipe, image: np.ndarray, mask: np.ndarray, request: InpaintRequest) -> np.ndarray:
        raise NotImplementedError

    def inpaint(self, request: InpaintRequest) -> np.ndarray:
        """uint8 RGB of request.image's size (not blended), for `request.seed`."""
        return self.inpaint_batch(replace(request, seeds=(request.seed,)))[0]

    def inpaint_batch(self, request: InpaintRequest) -> list[np.ndarray]:
        """One result per seed of `request.candidate_seeds`, from ONE batched pipeline call."""
        image = validate_image(request.image)
        mask = validate_mask(request.mask, image.shape[:2])
        if not mask.any():
            raise EmptyMaskError("The inpainting mask is empty: there is nothing to generate.",
                                 fix="Ground the target again or give a mask / box.")
        h, w = image.shape[:2]
        size = working_size(w, h, short_side=self.settings.working_short_side)
        outs = self._run(self.pipeline, resize_image(image, size), resize_mask(mask, size), request)
        return [resize_image(out, (w, h)) for out in outs]

    def _generators(self, request: InpaintRequest) -> list[torch.Generator]:
        """One CPU generator per candidate seed (the same noise on every device)."""
        return [torch.Generator(device="cpu").manual_seed(int(seed)) for seed in request.candidate_seeds]

    def _negative(self, request: InpaintRequest) -> str:
        return request.negative_prompt or self.settings.negative_prompt


def _base_components(base: str, dtype) -> dict:
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    from engine.diffusion.pipeline_inputs import unipc_scheduler

    root = resolve_ref(base, what="SD1.5 base model", setting="BRUSHEDIT_BASE_MODEL")
    what = f"base model '{base}'"
    scheduler_cfg = load_part(_ConfigReader, root / "scheduler", what=f"scheduler of {what}")
    return dict(
        vae=load_part(AutoencoderKL, root / "vae", what=f"VAE of {what}", dtype=dtype),
        text_encoder=load_part(CLIPTextModel, root / "text_encoder", what=f"text encoder of {what}", dtype=dtype),
        tokenizer=load_part(CLIPTokenizer, root / "tokenizer", what=f"tokenizer of {what}"),
        unet=load_part(UNet2DConditionModel, root / "unet", what=f"UNet of {what}", dtype=dtype),
        scheduler=unipc_scheduler(scheduler_cfg),
    )


class _ConfigReader:
    """`from_pretrained(dir)` -> the scheduler config dict in that dir."""

    @staticmethod
    def from_pretrained(path):
        from diffusers import UniPCMultistepScheduler

        return UniPCMultistepScheduler.load_config(path)


class BrushNetInpainter(_DiffusionInpainter):
    """BrushNet (settings.brushnet_model) on an SD1.5 base (settings.base_model); UniPC, CFG."""

    name = "brushnet"

    def _build(self, dtype):
        from engine.diffusion.brushnet import BrushNetModel
        from engine.diffusion.pipeline_brushnet import BrushNetInpaintPipeline

        parts = _base_components(self.settings.base_model, dtype)
        path = resolve_ref(self.settings.brushnet_model, what="BrushNet model", setting="BRUSHEDIT_BRUSHNET_MODEL")
        brushnet = load_part(BrushNetModel, path, what="BrushNet model", dtype=dtype)
        pipe = BrushNetInpaintPipeline(brushnet=brushnet, **parts)
        if resolve_device(self.settings.device).type == "cuda" and self.settings.speedups != "none":
            pipe.enable_fast_step(channels_last=False, compile=self.settings.speedups == "compile", cuda_graph=True)
        return pipe

    def _run(self, pipe, image, mask, request):
        return list(pipe(image, mask, request.prompt, self._negative(request), num_inference_steps=request.steps,
                         guidance_scale=request.guidance_scale, brushnet_conditioning_scale=request.conditioning_scale,
                         generator=self._generators(request),
                         callback=lambda i, t, latents: progress.step(i + 1, request.steps)))


class SDInpainter(_DiffusionInpainter):
    """Stock diffusers StableDiffusionInpaintPipeline (settings.sd_inpaint_model), 9-channel inpainting UNet."""

    name = "sd-inpaint"

    def _build(self, dtype):
        from diffusers import StableDiffusionInpaintPipeline

        path = resolve_ref(self.settings.sd_inpaint_model, what="SD inpainting model",
                           setting="BRUSHEDIT_SD_INPAINT_MODEL")
        return load_part(StableDiffusionInpaintPipeline, path, what="SD inpainting pipeline", dtype=dtype,
                         safety_checker=None, requires_safety_checker=False)

    def _run(self, pipe, image, mask, request):
        from PIL import Image

        h, w = image.shape[:2]
        gens = self._generators(request)
        out = pipe(prompt=request.prompt, negative_prompt=self._negative(request), image=Image.fromarray(image),
                   mask_image=Image.fromarray(mask.astype(np.uint8) * 255), height=h, width=w,
                   num_inference_steps=request.steps, guidance_scale=request.guidance_scale,
                   num_images_per_prompt=len(gens), generator=gens, output_type="np",
                   callback_on_step_end=progress.diffusers_callback(request.steps)).images
        return [np.round(np.clip(o, 0, 1) * 255).astype(np.uint8) for o in out]
