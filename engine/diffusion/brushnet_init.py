"""Initialise a BrushNet branch from a UNet, as the paper does (BrushNetModel.from_unet uses these)."""
from __future__ import annotations

import torch


def config_from_unet(unet_cfg, *, conditioning_channels: int, channel_order: str, embedding_channels) -> dict:
    """BrushNetModel kwargs for a UNet config: same shape, every block attention-free."""
    get = lambda key, default=None: unet_cfg.get(key, default) if hasattr(unet_cfg, "get") else default  # noqa: E731
    n = len(unet_cfg.down_block_types)
    return dict(
        in_channels=unet_cfg.in_channels,
        conditioning_channels=conditioning_channels,
        flip_sin_to_cos=unet_cfg.flip_sin_to_cos,
        freq_shift=unet_cfg.freq_shift,
        down_block_types=["DownBlock2D"] * n,
        mid_block_type="MidBlock2D",
        up_block_types=["UpBlock2D"] * n,
        only_cross_attention=unet_cfg.only_cross_attention,
        block_out_channels=list(unet_cfg.block_out_channels),
        layers_per_block=unet_cfg.layers_per_block,
        downsample_padding=unet_cfg.downsample_padding,
        mid_block_scale_factor=unet_cfg.mid_block_scale_factor,
        act_fn=unet_cfg.act_fn,
        norm_num_groups=unet_cfg.norm_num_groups,
        norm_eps=unet_cfg.norm_eps,
        cross_attention_dim=unet_cfg.cross_attention_dim,
        transformer_layers_per_block=get("transformer_layers_per_block", 1),
        encoder_hid_dim=get("encoder_hid_dim"),
        encoder_hid_dim_type=get("encoder_hid_dim_type"),
        attention_head_dim=unet_cfg.attention_head_dim,
        num_attention_heads=unet_cfg.num_attention_heads,
        use_linear_projection=unet_cfg.use_linear_projection,
        class_embed_type=unet_cfg.class_embed_type,
        addition_embed_type=get("addition_embed_type"),
        addition_time_embed_dim=get("addition_time_embed_dim"),
        num_class_embeds=unet_cfg.num_class_embeds,
        upcast_attention=unet_cfg.upcast_attention,
        resnet_time_scale_shift=unet_cfg.resnet_time_scale_shift,
        projection_class_embeddings_input_dim=unet_cfg.projection_class_embeddings_input_dim,
        brushnet_conditioning_channel_order=channel_order,
        conditioning_embedding_out_channels=embedding_channels,
    )


@torch.no_grad()
def copy_unet_weights(model, unet) -> None:
    """conv_in into both latent slots (mask channel 0, bias copied, not tied); embeddings and resnets copied.

    The UNet's attention weights have no place in the branch and are left out (`strict=False`);
    a shape mismatch still raises. As in the original, SDXL's added embedding is not copied.
    """
    latent = unet.conv_in.weight.shape[1]
    weight = torch.zeros_like(model.conv_in_condition.weight)
    weight[:, :latent] = unet.conv_in.weight
    weight[:, latent:2 * latent] = unet.conv_in.weight
    model.conv_in_condition.weight.copy_(weight)
    model.conv_in_condition.bias.copy_(unet.conv_in.bias)
    model.time_proj.load_state_dict(unet.time_proj.state_dict())
    model.time_embedding.load_state_dict(unet.time_embedding.state_dict())
    if model.class_embedding is not None:
        model.class_embedding.load_state_dict(unet.class_embedding.state_dict())
    model.down_blocks.load_state_dict(unet.down_blocks.state_dict(), strict=False)
    model.mid_block.load_state_dict(unet.mid_block.state_dict(), strict=False)
    model.up_blocks.load_state_dict(unet.up_blocks.state_dict(), strict=False)
