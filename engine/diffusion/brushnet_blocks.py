"""Building blocks of the BrushNet branch that stock diffusers does not have, or builds differently.

- `MidBlock2D`: the branch's attention-free mid block (two resnets); module names `resnets.0/1`
  as in the released checkpoints.
- `build_mid_block`: the mid block for a `mid_block_type` config value.
- `build_embeddings`: the time / class / added embeddings that sit beside the UNet-shaped body,
  with the attribute names (`time_proj`, `time_embedding`, `class_embedding`, `add_time_proj`,
  `add_embedding`, `encoder_hid_proj`) the released checkpoints use.
"""
from __future__ import annotations

import torch
from diffusers.models.embeddings import (
    TextImageProjection,
    TextImageTimeEmbedding,
    TextTimeEmbedding,
    TimestepEmbedding,
    Timesteps,
)
from diffusers.models.resnet import ResnetBlock2D
from diffusers.models.unets.unet_2d_blocks import UNetMidBlock2D
from torch import nn


class MidBlock2D(nn.Module):
    """`num_layers + 1` resnets in a row, no attention (BrushNet's mid block)."""

    has_cross_attention = False

    def __init__(self, in_channels: int, temb_channels: int, *, num_layers: int = 1, resnet_eps: float = 1e-6,
                 resnet_time_scale_shift: str = "default", resnet_act_fn: str = "swish",
                 resnet_groups: int | None = 32, output_scale_factor: float = 1.0):
        super().__init__()
        groups = resnet_groups if resnet_groups is not None else min(in_channels // 4, 32)
        self.resnets = nn.ModuleList(
            ResnetBlock2D(
                in_channels=in_channels, out_channels=in_channels, temb_channels=temb_channels, eps=resnet_eps,
                groups=groups, dropout=0.0, time_embedding_norm=resnet_time_scale_shift,
                non_linearity=resnet_act_fn, output_scale_factor=output_scale_factor, pre_norm=True,
            )
            for _ in range(num_layers + 1)
        )

    def forward(self, hidden_states: torch.Tensor, temb: torch.Tensor | None = None) -> torch.Tensor:
        for resnet in self.resnets:
            hidden_states = resnet(hidden_states, temb)
        return hidden_states


def build_mid_block(mid_block_type: str | None, channels: int, temb_channels: int, *, eps: float, act_fn: str,
                    groups: int | None, scale_factor: float, time_scale_shift: str) -> nn.Module | None:
    """`MidBlock2D` (what `from_unet` writes) = 2 resnets; `UNetMidBlock2D` = 1 resnet (the fork's default)."""
    if mid_block_type is None:
        return None
    if mid_block_type == "MidBlock2D":
        return MidBlock2D(channels, temb_channels, resnet_eps=eps, resnet_act_fn=act_fn, resnet_groups=groups,
                          output_scale_factor=scale_factor, resnet_time_scale_shift=time_scale_shift)
    if mid_block_type == "UNetMidBlock2D":
        return UNetMidBlock2D(in_channels=channels, temb_channels=temb_channels, num_layers=0, resnet_eps=eps,
                              resnet_act_fn=act_fn, output_scale_factor=scale_factor, resnet_groups=groups,
                              resnet_time_scale_shift=time_scale_shift, add_attention=False)
    raise ValueError(
        f"`mid_block_type`={mid_block_type!r} is not a BrushNet mid block; use 'MidBlock2D' or 'UNetMidBlock2D'."
    )


def build_embeddings(model: nn.Module, cfg, time_embed_dim: int) -> None:
    """Attach the embedding modules to `model` under the released checkpoints' names."""
    channels0 = cfg.block_out_channels[0]
    model.time_proj = Timesteps(channels0, cfg.flip_sin_to_cos, cfg.freq_shift)
    model.time_embedding = TimestepEmbedding(channels0, time_embed_dim, act_fn=cfg.act_fn)

    hid_type = cfg.encoder_hid_dim_type
    if hid_type is None and cfg.encoder_hid_dim is not None:
        hid_type = "text_proj"
    if hid_type is not None and cfg.encoder_hid_dim is None:
        raise ValueError(f"`encoder_hid_dim` must be set when `encoder_hid_dim_type`={hid_type!r}.")
    if hid_type == "text_proj":
        model.encoder_hid_proj = nn.Linear(cfg.encoder_hid_dim, cfg.cross_attention_dim)
    elif hid_type == "text_image_proj":
        model.encoder_hid_proj = TextImageProjection(
            text_embed_dim=cfg.encoder_hid_dim, image_embed_dim=cfg.cross_attention_dim,
            cross_attention_dim=cfg.cross_attention_dim)
    elif hid_type is None:
        model.encoder_hid_proj = None
    else:
        raise ValueError(f"`encoder_hid_dim_type`={hid_type!r} must be None, 'text_proj' or 'text_image_proj'.")

    kind = cfg.class_embed_type
    if kind is None and cfg.num_class_embeds is not None:
        model.class_embedding = nn.Embedding(cfg.num_class_embeds, time_embed_dim)
    elif kind == "timestep":
        model.class_embedding = TimestepEmbedding(channels0, time_embed_dim)
    elif kind == "identity":
        model.class_embedding = nn.Identity(time_embed_dim, time_embed_dim)
    elif kind == "projection":
        if cfg.projection_class_embeddings_input_dim is None:
            raise ValueError("`class_embed_type`='projection' needs `projection_class_embeddings_input_dim`.")
        model.class_embedding = TimestepEmbedding(cfg.projection_class_embeddings_input_dim, time_embed_dim)
    else:
        model.class_embedding = None

    added = cfg.addition_embed_type
    if added == "text":
        source_dim = cfg.encoder_hid_dim if cfg.encoder_hid_dim is not None else cfg.cross_attention_dim
        model.add_embedding = TextTimeEmbedding(source_dim, time_embed_dim, num_heads=cfg.addition_embed_type_num_heads)
    elif added == "text_image":
        model.add_embedding = TextImageTimeEmbedding(
            text_embed_dim=cfg.cross_attention_dim, image_embed_dim=cfg.cross_attention_dim,
            time_embed_dim=time_embed_dim)
    elif added == "text_time":  # SDXL: pooled text embeds + micro-conditioning time ids
        model.add_time_proj = Timesteps(cfg.addition_time_embed_dim, cfg.flip_sin_to_cos, cfg.freq_shift)
        model.add_embedding = TimestepEmbedding(cfg.projection_class_embeddings_input_dim, time_embed_dim)
    elif added is not None:
        raise ValueError(f"`addition_embed_type`={added!r} must be None, 'text', 'text_image' or 'text_time'.")


def zero_conv(channels: int) -> nn.Conv2d:
    """A 1x1 conv whose weight and bias start at zero (the branch starts as a no-op)."""
    conv = nn.Conv2d(channels, channels, kernel_size=1)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv
