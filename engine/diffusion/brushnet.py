"""BrushNet: the attention-free, UNet-shaped branch that conditions a frozen SD UNet on a masked image.

Module names and config keys are those of the released checkpoints (TencentARC BrushNet SD1.5 /
SDXL and BrushEdit `brushnetX`), so their `config.json` + `diffusion_pytorch_model.safetensors`
load with `BrushNetModel.from_pretrained` unchanged. Shapes: `sample` [B, 4, h, w] (noisy latent),
`brushnet_cond` [B, 5, h, w] (VAE latent of the masked image, then the mask at latent size with
1 = keep, 0 = hole). Output: residual lists for the UNet's down path (conv_in + every resnet and
downsampler), mid block and up path (every resnet and upsampler), each already x conditioning_scale.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from diffusers.models.unets.unet_2d_blocks import get_down_block, get_up_block
from diffusers.utils import BaseOutput
from torch import nn

from engine.diffusion.brushnet_blocks import build_embeddings, build_mid_block, zero_conv
from engine.diffusion.brushnet_forward import embed_time, run_body, scale_residuals


@dataclass
class BrushNetOutput(BaseOutput):
    down_block_res_samples: list[torch.Tensor]
    mid_block_res_sample: torch.Tensor
    up_block_res_samples: list[torch.Tensor]


def _per_block(value, n: int) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,) * n


class BrushNetModel(ModelMixin, ConfigMixin):
    """The BrushNet branch. Config keys as in the released `config.json` (several are kept only for that)."""

    _supports_gradient_checkpointing = False

    @register_to_config
    def __init__(
        self,
        in_channels: int = 4,
        conditioning_channels: int = 5,
        flip_sin_to_cos: bool = True,
        freq_shift: int = 0,
        down_block_types: tuple[str, ...] = ("DownBlock2D",) * 4,
        mid_block_type: str | None = "UNetMidBlock2D",
        up_block_types: tuple[str, ...] = ("UpBlock2D",) * 4,
        only_cross_attention: bool | tuple[bool, ...] = False,
        block_out_channels: tuple[int, ...] = (320, 640, 1280, 1280),
        layers_per_block: int = 2,
        downsample_padding: int = 1,
        mid_block_scale_factor: float = 1,
        act_fn: str = "silu",
        norm_num_groups: int | None = 32,
        norm_eps: float = 1e-5,
        cross_attention_dim: int = 1280,
        transformer_layers_per_block: int | tuple[int, ...] = 1,
        encoder_hid_dim: int | None = None,
        encoder_hid_dim_type: str | None = None,
        attention_head_dim: int | tuple[int, ...] = 8,
        num_attention_heads: int | tuple[int, ...] | None = None,
        use_linear_projection: bool = False,
        class_embed_type: str | None = None,
        addition_embed_type: str | None = None,
        addition_time_embed_dim: int | None = None,
        num_class_embeds: int | None = None,
        upcast_attention: bool = False,
        resnet_time_scale_shift: str = "default",
        projection_class_embeddings_input_dim: int | None = None,
        brushnet_conditioning_channel_order: str = "rgb",
        conditioning_embedding_out_channels: tuple[int, ...] | None = (16, 32, 96, 256),
        global_pool_conditions: bool = False,
        addition_embed_type_num_heads: int = 64,
    ):
        super().__init__()
        n = len(down_block_types)
        if len(up_block_types) != n or len(block_out_channels) != n:
            raise ValueError(
                f"`down_block_types` ({n}), `up_block_types` ({len(up_block_types)}) and `block_out_channels` "
                f"({len(block_out_channels)}) must have the same length."
            )
        if encoder_hid_dim_type is None and encoder_hid_dim is not None:
            self.register_to_config(encoder_hid_dim_type="text_proj")
        time_dim = block_out_channels[0] * 4
        self.conv_in_condition = nn.Conv2d(in_channels + conditioning_channels, block_out_channels[0], 3, padding=1)
        build_embeddings(self, self.config, time_dim)
        heads = _per_block(num_attention_heads or attention_head_dim, n)
        head_dims = _per_block(attention_head_dim, n)
        cross_only = _per_block(only_cross_attention, n)
        tlayers = _per_block(transformer_layers_per_block, n)
        common = dict(temb_channels=time_dim, resnet_eps=norm_eps, resnet_act_fn=act_fn, resnet_groups=norm_num_groups,
                      cross_attention_dim=cross_attention_dim, use_linear_projection=use_linear_projection,
                      upcast_attention=upcast_attention, resnet_time_scale_shift=resnet_time_scale_shift)

        per_block = dict(heads=heads, head_dims=head_dims, cross_only=cross_only, tlayers=tlayers)
        self._build_down(common, **per_block)
        mid_ch = block_out_channels[-1]
        self.brushnet_mid_block = zero_conv(mid_ch)
        self.mid_block = build_mid_block(mid_block_type, mid_ch, time_dim, eps=norm_eps, act_fn=act_fn,
                                         groups=norm_num_groups, scale_factor=mid_block_scale_factor,
                                         time_scale_shift=resnet_time_scale_shift)
        self.num_upsamplers = n - 1
        self._build_up(common, **per_block)

    def _build_down(self, common: dict, *, heads, head_dims, cross_only, tlayers) -> None:
        """down_blocks (attention-free in released checkpoints) + a zero conv per residual they yield."""
        cfg = self.config
        channels, layers, n = cfg.block_out_channels, cfg.layers_per_block, len(cfg.down_block_types)
        self.down_blocks = nn.ModuleList()
        self.brushnet_down_blocks = nn.ModuleList([zero_conv(channels[0])])
        out_ch = channels[0]
        for i, kind in enumerate(cfg.down_block_types):
            in_ch, out_ch, last = out_ch, channels[i], i == n - 1
            self.down_blocks.append(get_down_block(
                kind, num_layers=layers, transformer_layers_per_block=tlayers[i], in_channels=in_ch,
                out_channels=out_ch, add_downsample=not last, num_attention_heads=heads[i],
                attention_head_dim=head_dims[i] if head_dims[i] is not None else out_ch,
                downsample_padding=cfg.downsample_padding, only_cross_attention=cross_only[i], **common))
            self.brushnet_down_blocks.extend(zero_conv(out_ch) for _ in range(layers + (not last)))

    def _build_up(self, common: dict, *, heads, head_dims, cross_only, tlayers) -> None:
        """up_blocks (layers_per_block + 1 resnets each) + a zero conv per resnet and upsampler."""
        cfg = self.config
        rev, layers, n = list(reversed(cfg.block_out_channels)), cfg.layers_per_block, len(cfg.up_block_types)
        rheads, rtl, rcross = heads[::-1], tlayers[::-1], cross_only[::-1]
        self.up_blocks = nn.ModuleList()
        self.brushnet_up_blocks = nn.ModuleList()
        out_ch = rev[0]
        for i, kind in enumerate(cfg.up_block_types):
            prev_ch, out_ch, last = out_ch, rev[i], i == n - 1
            self.up_blocks.append(get_up_block(  # the original indexes attention_head_dim unreversed here
                kind, num_layers=layers + 1, transformer_layers_per_block=rtl[i],
                in_channels=rev[min(i + 1, n - 1)], out_channels=out_ch, prev_output_channel=prev_ch,
                add_upsample=not last, resolution_idx=i, num_attention_heads=rheads[i], only_cross_attention=rcross[i],
                attention_head_dim=head_dims[i] if head_dims[i] is not None else out_ch, **common))
            self.brushnet_up_blocks.extend(zero_conv(out_ch) for _ in range(layers + 2 - last))

    @classmethod
    def from_unet(cls, unet, *, conditioning_channels: int = 5, load_weights_from_unet: bool = True,
                  brushnet_conditioning_channel_order: str = "rgb",
                  conditioning_embedding_out_channels: tuple[int, ...] | None = (16, 32, 96, 256)) -> "BrushNetModel":
        """A branch shaped like `unet` (attention dropped), initialised from its weights as the paper does.

        conv_in's weights go into both latent slots of `conv_in_condition` (noisy latent and masked-image
        latent); the mask channel starts at zero. Unlike the original, the bias is copied, not shared.
        """
        from engine.diffusion.brushnet_init import config_from_unet, copy_unet_weights

        model = cls(**config_from_unet(unet.config, conditioning_channels=conditioning_channels,
                                       channel_order=brushnet_conditioning_channel_order,
                                       embedding_channels=conditioning_embedding_out_channels))
        if load_weights_from_unet:
            copy_unet_weights(model, unet)
        return model

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor | float | int,
        encoder_hidden_states: torch.Tensor | None,
        brushnet_cond: torch.Tensor,
        conditioning_scale: float = 1.0,
        class_labels: torch.Tensor | None = None,
        timestep_cond: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        added_cond_kwargs: dict[str, torch.Tensor] | None = None,
        cross_attention_kwargs: dict | None = None,
        guess_mode: bool = False,
        return_dict: bool = True,
    ) -> BrushNetOutput | tuple:
        order = self.config.brushnet_conditioning_channel_order
        if order == "bgr":
            brushnet_cond = torch.flip(brushnet_cond, dims=[1])  # the original flips all 5 channels
        elif order != "rgb":
            raise ValueError(f"`brushnet_conditioning_channel_order`={order!r} must be 'rgb' or 'bgr'.")
        if attention_mask is not None:
            attention_mask = ((1 - attention_mask.to(sample.dtype)) * -10000.0).unsqueeze(1)
        emb = embed_time(self, sample, timestep, encoder_hidden_states, class_labels, timestep_cond, added_cond_kwargs)
        hidden = self.conv_in_condition(torch.cat([sample, brushnet_cond], dim=1))
        down, mid, up = run_body(self, hidden, emb, encoder_hidden_states, attention_mask, cross_attention_kwargs)
        down = [conv(h) for conv, h in zip(self.brushnet_down_blocks, down)]
        mid = self.brushnet_mid_block(mid)
        up = [conv(h) for conv, h in zip(self.brushnet_up_blocks, up)]
        down, mid, up = scale_residuals(self.config, down, mid, up, conditioning_scale, guess_mode)
        if not return_dict:
            return down, mid, up
        return BrushNetOutput(down_block_res_samples=down, mid_block_res_sample=mid, up_block_res_samples=up)
