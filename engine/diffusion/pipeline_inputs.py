"""Inputs of the BrushNet pipeline: image and mask validation, tensors, the scheduler.

Mask convention (the user's): white / True / 1 = inpaint this pixel, black / False / 0 = keep.
Accepted: bool [H, W]; uint8 [H, W] thresholded at > 127; float [H, W] in [0, 1] thresholded at
> 0.5. Images: uint8 RGB [H, W, 3]. Both sides must be multiples of the VAE factor (8).
"""
from __future__ import annotations

import numpy as np
import torch

from engine.errors import BadImageError, BadMaskError


def validate_image(image, multiple: int) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = (getattr(image, "dtype", type(image).__name__), getattr(image, "shape", None))
        raise BadImageError(f"`image` must be a uint8 RGB array [H, W, 3], got {got}.",
                            fix="Convert with engine.images.to_rgb / load_image.")
    h, w = image.shape[:2]
    if h % multiple or w % multiple:
        raise BadImageError(f"`image` is {w}x{h}; both sides must be multiples of {multiple}.",
                            fix="Resize with engine.images.working_size / resize_image first.")
    return image


def binarize_mask(mask, shape: tuple[int, int]) -> np.ndarray:
    """bool [H, W], True = inpaint, after checking size, dtype and value range."""
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        raise BadMaskError(f"`mask` must be a 2-D array [H, W], got shape {getattr(mask, 'shape', None)}.")
    if mask.shape != tuple(shape):
        raise BadMaskError(f"`mask` is {mask.shape[1]}x{mask.shape[0]} but `image` is {shape[1]}x{shape[0]}.",
                           fix="Give a mask of the image's size.")
    if mask.dtype == bool:
        return mask
    if mask.dtype == np.uint8:
        return mask > 127
    if np.issubdtype(mask.dtype, np.floating):
        if not np.isfinite(mask).all() or mask.min() < 0.0 or mask.max() > 1.0:
            raise BadMaskError(f"A float `mask` must lie in [0, 1], got [{mask.min()}, {mask.max()}].",
                               fix="Scale it to [0, 1] or pass bool / uint8.")
        return mask > 0.5
    raise BadMaskError(f"`mask` dtype {mask.dtype} is not supported.",
                       fix="Use bool, uint8 (0/255) or float in [0, 1].")


def image_tensors(image: np.ndarray, mask: np.ndarray, device, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """(masked image [1, 3, H, W] in [-1, 1] with the hole black (-1), keep-mask [1, 1, H, W]: 1 = keep)."""
    keep = torch.from_numpy((~mask).astype(np.float32))[None, None]
    pixels = torch.from_numpy(np.array(image)).permute(2, 0, 1)[None].float() / 255.0
    masked = (pixels * keep) * 2.0 - 1.0
    return masked.to(device=device, dtype=dtype), keep.to(device=device, dtype=dtype)


def latent_mask(keep: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """The keep-mask at latent size, nearest neighbour (what BrushNet was trained with)."""
    return torch.nn.functional.interpolate(keep, size=size, mode="nearest")


def unipc_scheduler(config):
    """UniPC from any SD scheduler config, keeping the original BrushNet's final step.

    Configs written before diffusers had `final_sigmas_type` (the released ones) behaved as
    `"sigma_min"`; current diffusers would default them to `"zero"`. An explicit value is kept.
    """
    from diffusers import UniPCMultistepScheduler

    final = config.get("final_sigmas_type") if hasattr(config, "get") else None
    return UniPCMultistepScheduler.from_config(config, final_sigmas_type=final or "sigma_min")


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """VAE output [B, 3, H, W] in [-1, 1] -> uint8 [B, H, W, 3]."""
    images = (images.float() / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).cpu().numpy()
    return np.round(images * 255.0).astype(np.uint8)
