"""Add BrushNet residuals into a STOCK diffusers `UNet2DConditionModel` with forward hooks.

The hooks sit exactly where the BrushNet fork adds its residuals, so any SD1.5 (or SDXL) UNet
works as base without a forked UNet class:

- down residual 0: added to the input of the first down block, i.e. after conv_in, while the
  skip connection the UNet stored before calling that block keeps the value from BEFORE the add;
- down blocks: after each resnet (or resnet + attention, hooked on the attention) and after the
  downsampler; the block stores its skip connection after the add, as the fork does;
- mid: after the whole mid block;
- up blocks: after each resnet (+ attention) and after the upsampler.

Hooks live only inside the `inject_residuals` context: they are removed on exit, also when the
UNet raises, so nothing leaks between calls. One injection per UNet at a time. Inference only: with
gradient checkpointing, the backward recompute would run after the hooks are gone.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import torch
from torch import nn

_ACTIVE = "_brushnet_injection_active"


def _layer_points(block: nn.Module, samplers: str) -> list[nn.Module]:
    """The modules whose outputs receive a residual inside one down/up block, in call order."""
    attentions = getattr(block, "attentions", None)
    points = list(attentions) if attentions is not None and len(attentions) else list(block.resnets)
    extra = getattr(block, samplers, None)
    if extra is not None and len(extra):
        points.append(extra[-1])
    return points


def injection_points(unet: nn.Module) -> tuple[list[nn.Module], nn.Module, list[nn.Module]]:
    """(down modules after conv_in's residual, mid block, up modules); down[i] takes residual i + 1."""
    down = [m for block in unet.down_blocks for m in _layer_points(block, "downsamplers")]
    up = [m for block in unet.up_blocks for m in _layer_points(block, "upsamplers")]
    return down, unet.mid_block, up


def residual_counts(unet: nn.Module) -> tuple[int, int]:
    """(number of down residuals incl. conv_in's, number of up residuals) the UNet takes."""
    down, _, up = injection_points(unet)
    return len(down) + 1, len(up)


def _adder(residual: torch.Tensor):
    def hook(module, args, output):
        if isinstance(output, tuple):  # Transformer2DModel(..., return_dict=False) -> (sample,)
            return (output[0] + residual,) + tuple(output[1:])
        return output + residual

    return hook


def _pre_adder(residual: torch.Tensor):
    def hook(module, args, kwargs):
        if "hidden_states" in kwargs:
            kwargs = {**kwargs, "hidden_states": kwargs["hidden_states"] + residual}
        else:
            args = (args[0] + residual,) + tuple(args[1:])
        return args, kwargs

    return hook


def _check_counts(unet, down: Sequence, up: Sequence) -> None:
    n_down, n_up = residual_counts(unet)
    if len(down) != n_down or len(up) != n_up:
        raise ValueError(
            f"This UNet takes {n_down} down and {n_up} up residuals, got {len(down)} and {len(up)}. "
            "The BrushNet checkpoint does not match the base UNet's shape (block_out_channels / layers_per_block)."
        )


@contextmanager
def inject_residuals(unet: nn.Module, down: Sequence[torch.Tensor], mid: torch.Tensor,
                     up: Sequence[torch.Tensor]) -> Iterator[nn.Module]:
    """Inside the block, every call of `unet` adds these residuals (already scaled) where BrushNet does."""
    _check_counts(unet, down, up)
    if getattr(unet, _ACTIVE, False):
        raise RuntimeError("BrushNet residuals are already being injected into this UNet (nested or concurrent use).")
    down_points, mid_point, up_points = injection_points(unet)
    handles = []
    setattr(unet, _ACTIVE, True)
    try:
        handles.append(unet.down_blocks[0].register_forward_pre_hook(_pre_adder(down[0]), with_kwargs=True))
        for module, residual in zip(down_points, down[1:]):
            handles.append(module.register_forward_hook(_adder(residual)))
        handles.append(mid_point.register_forward_hook(_adder(mid)))
        for module, residual in zip(up_points, up):
            handles.append(module.register_forward_hook(_adder(residual)))
        yield unet
    finally:
        for handle in handles:
            handle.remove()
        setattr(unet, _ACTIVE, False)


def unet_with_residuals(unet: nn.Module, sample: torch.Tensor, timestep, encoder_hidden_states: torch.Tensor,
                        down: Sequence[torch.Tensor], mid: torch.Tensor, up: Sequence[torch.Tensor],
                        **unet_kwargs) -> torch.Tensor:
    """One UNet call with the BrushNet residuals added; returns the predicted noise."""
    with inject_residuals(unet, down, mid, up):
        return unet(sample, timestep, encoder_hidden_states=encoder_hidden_states, return_dict=False,
                    **unet_kwargs)[0]
