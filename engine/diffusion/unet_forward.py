"""A hook-free forward of a stock SD1.5-type `UNet2DConditionModel` that adds BrushNet residuals.

Same placement and numbers as engine.diffusion.unet_injection (the hooks), but as one plain
function of tensors, so `torch.compile` can trace it without guarding on per-call hooks. It runs the
UNet's own submodules; it covers the SD1.5 family (text cross-attention, no class / added
embeddings) and refuses other UNets, which keep using the hooks.
"""
from __future__ import annotations

from typing import Sequence

import torch

from engine.diffusion.unet_injection import residual_counts


def supports_plain_forward(unet) -> bool:
    cfg = unet.config
    return (cfg.class_embed_type is None and cfg.num_class_embeds is None and cfg.addition_embed_type is None
            and getattr(unet, "encoder_hid_proj", None) is None and cfg.time_cond_proj_dim is None)


def check_plain_forward(unet, n_down: int, n_up: int) -> None:
    if not supports_plain_forward(unet):
        raise ValueError("brushnet_unet_forward covers SD1.5-type UNets only; use unet_injection for this one.")
    want_down, want_up = residual_counts(unet)
    if (n_down, n_up) != (want_down, want_up):
        raise ValueError(f"This UNet takes {want_down} down and {want_up} up residuals, got {n_down} and {n_up}.")


def _layers(block):
    attentions = getattr(block, "attentions", None)
    return zip(block.resnets, attentions if attentions is not None else [None] * len(block.resnets))


def brushnet_unet_forward(unet, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor,
                          down: Sequence[torch.Tensor], mid: torch.Tensor, up: Sequence[torch.Tensor], *,
                          check: bool = True) -> torch.Tensor:
    """Noise prediction of `unet` with the (already scaled) BrushNet residuals added.

    `check=False` skips the Python-side checks (for callers that validated once, e.g. a compiled step).
    """
    if check:
        check_plain_forward(unet, len(down), len(up))
    down, up = iter(down), iter(up)
    t = timestep.reshape(-1).expand(sample.shape[0]) if torch.is_tensor(timestep) else \
        torch.full((sample.shape[0],), timestep, device=sample.device)
    emb = unet.time_embedding(unet.time_proj(t).to(dtype=sample.dtype))
    hidden = unet.conv_in(sample)
    skips = [hidden]  # conv_in's skip keeps the value from before the first residual
    hidden = hidden + next(down)
    for block in unet.down_blocks:
        for resnet, attn in _layers(block):
            hidden = resnet(hidden, emb)
            if attn is not None:
                hidden = attn(hidden, encoder_hidden_states=encoder_hidden_states, return_dict=False)[0]
            hidden = hidden + next(down)
            skips.append(hidden)
        if block.downsamplers is not None:
            hidden = block.downsamplers[0](hidden) + next(down)
            skips.append(hidden)
    if getattr(unet.mid_block, "has_cross_attention", False):
        hidden = unet.mid_block(hidden, emb, encoder_hidden_states=encoder_hidden_states)
    else:
        hidden = unet.mid_block(hidden, emb)
    hidden = hidden + mid
    for i, block in enumerate(unet.up_blocks):
        for resnet, attn in _layers(block):
            hidden = resnet(torch.cat([hidden, skips.pop()], dim=1), emb)
            if attn is not None:
                hidden = attn(hidden, encoder_hidden_states=encoder_hidden_states, return_dict=False)[0]
            hidden = hidden + next(up)
        if block.upsamplers is not None:
            hidden = block.upsamplers[0](hidden, skips[-1].shape[2:]) + next(up)
    if unet.conv_norm_out is not None:
        hidden = unet.conv_act(unet.conv_norm_out(hidden))
    return unet.conv_out(hidden)
