"""BrushNetInpaintPipeline: SD1.5 inpainting with a BrushNet branch on a stock UNet.

Differences from the original BrushNet pipeline, on purpose:
- the pipeline masks the image itself (the original expects the caller to pass image * (1 - mask));
- the masked-image latent is sampled from the VAE posterior with the `generator` argument; the
  original draws it from torch's GLOBAL generator on the CFG-doubled batch, so its two CFG halves see
  different noise and a seed does not fix the result. Here both halves share one latent, which also
  lets us run the (text-independent) branch once per step instead of twice under CFG;
- residuals go into a stock diffusers UNet through hooks (engine.diffusion.unet_injection).
The output is NOT blended: callers paste it back with engine.blending.blend.
"""
from __future__ import annotations

import numpy as np
import torch
from diffusers import DiffusionPipeline
from diffusers.utils.torch_utils import randn_tensor

from engine.diffusion.pipeline_inputs import binarize_mask, image_tensors, latent_mask, to_uint8, validate_image
from engine.diffusion.fast_step import DenoiseStep


def branch_is_text_free(brushnet) -> bool:
    """True when the branch's output cannot depend on the prompt (no attention, no text embedding)."""
    blocks = [*brushnet.down_blocks, brushnet.mid_block, *brushnet.up_blocks]
    attends = any(getattr(b, "has_cross_attention", False) for b in blocks if b is not None)
    return not attends and brushnet.config.addition_embed_type is None


def _batch_size(num_images: int, generator) -> int:
    if not isinstance(generator, list):
        return num_images
    if not generator or num_images not in (1, len(generator)):
        raise ValueError(f"Got {len(generator)} generators for `num_images_per_prompt`={num_images}: "
                         "give one generator per image.")
    return len(generator)


class BrushNetInpaintPipeline(DiffusionPipeline):
    """vae + text_encoder + tokenizer + unet (stock) + brushnet + scheduler (UniPC by default)."""

    model_cpu_offload_seq = "text_encoder->brushnet->unet->vae"
    _optional_components = ["tokenizer", "text_encoder"]

    def __init__(self, vae, text_encoder, tokenizer, unet, brushnet, scheduler):
        super().__init__()
        self.register_modules(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                              brushnet=brushnet, scheduler=scheduler)
        self.vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)
        self.fast_step = None

    def enable_fast_step(self, *, channels_last: bool = True, compile: bool = False, cuda_graph: bool = False):
        """Opt-in speed-ups for the denoise step (see engine.diffusion.fast_step); returns self."""
        if channels_last:
            for model in (self.unet, self.brushnet, self.vae):
                model.to(memory_format=torch.channels_last)
        self.fast_step = DenoiseStep(self.unet, self.brushnet, share_branch=branch_is_text_free(self.brushnet),
                                  compile=compile, cuda_graph=cuda_graph)
        return self

    def encode_prompt(self, prompts: list[str], device) -> torch.Tensor:
        if self.tokenizer is None or self.text_encoder is None:
            raise ValueError("This pipeline has no text encoder: pass `prompt_embeds` (and `negative_prompt_embeds`).")
        ids = self.tokenizer(prompts, padding="max_length", max_length=self.tokenizer.model_max_length,
                             truncation=True, return_tensors="pt").input_ids.to(device)
        return self.text_encoder(ids)[0].to(dtype=self.unet.dtype)

    def _embeddings(self, prompt, negative_prompt, prompt_embeds, negative_prompt_embeds, batch, cfg, device):
        if prompt_embeds is None:
            if prompt is None:
                raise ValueError("Give `prompt` or `prompt_embeds`.")
            prompt_embeds = self.encode_prompt([prompt], device)
        if cfg and negative_prompt_embeds is None:
            negative_prompt_embeds = self.encode_prompt([negative_prompt or ""], device)
        embeds = prompt_embeds.to(device=device, dtype=self.unet.dtype).expand(batch, -1, -1)
        if not cfg:
            return embeds
        negative = negative_prompt_embeds.to(device=device, dtype=self.unet.dtype).expand(batch, -1, -1)
        return torch.cat([negative, embeds])

    def _condition(self, image, mask, batch, generator, device) -> torch.Tensor:
        """[batch, 5, h, w]: VAE latent of the masked image (posterior sample) + keep-mask at latent size.

        One VAE encode; with a list of generators each candidate draws its own posterior sample with
        its own generator (as a single call with that generator would), else all share one draw."""
        masked, keep = image_tensors(image, mask, device, self.vae.dtype)
        posterior = self.vae.encode(masked).latent_dist
        gens = generator if isinstance(generator, list) else [generator]
        latent = torch.cat([posterior.sample(generator=g) for g in gens]) * self.vae.config.scaling_factor
        small = latent_mask(keep, latent.shape[-2:]).expand(len(latent), -1, -1, -1)
        cond = torch.cat([latent, small], dim=1)
        return cond.to(self.brushnet.dtype).expand(batch, -1, -1, -1)

    def _noise_prediction(self, latents, t, embeds, cond, scale, guidance):
        model_in = self.scheduler.scale_model_input(torch.cat([latents] * 2) if guidance > 1.0 else latents, t)
        if self.fast_step is None:
            self.fast_step = DenoiseStep(self.unet, self.brushnet, share_branch=branch_is_text_free(self.brushnet))
        return self.fast_step(model_in, t, embeds, cond, scale, guidance)

    @torch.no_grad()
    def __call__(self, image: np.ndarray, mask: np.ndarray, prompt: str | None = None,
                 negative_prompt: str | None = None,
                 *, prompt_embeds: torch.Tensor | None = None, negative_prompt_embeds: torch.Tensor | None = None,
                 num_inference_steps: int = 50, guidance_scale: float = 7.5, brushnet_conditioning_scale: float = 1.0,
                 num_images_per_prompt: int = 1, generator: torch.Generator | list[torch.Generator] | None = None,
                 latents: torch.Tensor | None = None, output_type: str = "np", callback=None):
        """uint8 [N, H, W, 3] (output_type="np"), or latents / VAE output tensor ("latent" / "pt").

        Candidates: `generator=[g0, g1, ...]` makes one result per generator in ONE batched denoise
        loop (batch N, prompt embeddings repeated), each equal to a single call with that generator."""
        # 1. check inputs (image uint8 [H, W, 3], mask: True / 255 / 1.0 = inpaint)
        image = validate_image(image, self.vae_scale_factor)
        mask = binarize_mask(mask, image.shape[:2])
        if num_inference_steps < 1:
            raise ValueError(f"`num_inference_steps` must be >= 1, got {num_inference_steps}.")
        batch = _batch_size(num_images_per_prompt, generator)
        device, cfg = self._execution_device, guidance_scale > 1.0
        # 2. encode the prompt (or take the given embeddings); CFG order: [negative, positive]
        embeds = self._embeddings(prompt, negative_prompt, prompt_embeds, negative_prompt_embeds, batch, cfg, device)
        # 3. timesteps and initial noise
        self.scheduler.set_timesteps(num_inference_steps, device=device)
        h, w = (s // self.vae_scale_factor for s in image.shape[:2])
        if latents is None:
            latents = randn_tensor((batch, self.unet.config.in_channels, h, w), generator=generator, device=device,
                                   dtype=self.unet.dtype)
        latents = latents.to(device=device, dtype=self.unet.dtype) * self.scheduler.init_noise_sigma
        # 4. masked-image latent + mask at latent size (drawn with `generator`, after the noise)
        cond = self._condition(image, mask, batch, generator, device)
        # 5. denoise
        for i, t in enumerate(self.progress_bar(self.scheduler.timesteps)):
            noise = self._noise_prediction(latents, t, embeds, cond, brushnet_conditioning_scale, guidance_scale)
            latents = self.scheduler.step(noise, t, latents, return_dict=False)[0]
            if callback is not None:
                callback(i, t, latents)
        # 6. decode
        if output_type == "latent":
            return latents
        decoded = self.vae.decode(latents.to(self.vae.dtype) / self.vae.config.scaling_factor, return_dict=False)[0]
        self.maybe_free_model_hooks()
        return decoded if output_type == "pt" else to_uint8(decoded)
