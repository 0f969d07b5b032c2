"""The pieces of `BrushNetModel.forward`: time embedding, the UNet-shaped body, residual scaling.

The body returns the hidden states the zero convs read: conv_in output + every down resnet and
downsampler output; the mid block output; every up resnet (+attention) and upsampler output.
"""
from __future__ import annotations

import torch


def _timesteps(timestep, sample: torch.Tensor) -> torch.Tensor:
    if not torch.is_tensor(timestep):
        mps = sample.device.type == "mps"
        if isinstance(timestep, float):
            dtype = torch.float32 if mps else torch.float64
        else:
            dtype = torch.int32 if mps else torch.int64
        timestep = torch.tensor([timestep], dtype=dtype, device=sample.device)
    elif timestep.ndim == 0:
        timestep = timestep[None].to(sample.device)
    return timestep.expand(sample.shape[0])


def embed_time(model, sample, timestep, encoder_hidden_states, class_labels, timestep_cond, added_cond_kwargs):
    """Time embedding (+ class and added embeddings), as the UNet computes it."""
    cfg = model.config
    t_emb = model.time_proj(_timesteps(timestep, sample)).to(dtype=sample.dtype)
    emb = model.time_embedding(t_emb, timestep_cond)
    if model.class_embedding is not None:
        if class_labels is None:
            raise ValueError("`class_labels` must be given when the config has a class embedding.")
        if cfg.class_embed_type == "timestep":
            class_labels = model.time_proj(class_labels)
        emb = emb + model.class_embedding(class_labels).to(dtype=emb.dtype)
    if cfg.addition_embed_type == "text":
        emb = emb + model.add_embedding(encoder_hidden_states)
    elif cfg.addition_embed_type == "text_time":
        kwargs = added_cond_kwargs or {}
        for key in ("text_embeds", "time_ids"):
            if key not in kwargs:
                raise ValueError(f"`addition_embed_type`='text_time' (SDXL) needs `added_cond_kwargs['{key}']`.")
        text_embeds = kwargs["text_embeds"]
        time_embeds = model.add_time_proj(kwargs["time_ids"].flatten()).reshape((text_embeds.shape[0], -1))
        emb = emb + model.add_embedding(torch.cat([text_embeds, time_embeds], dim=-1).to(emb.dtype))
    # 'text_image': the original builds the module but adds nothing in forward; so do we.
    return emb


def _run_down(model, hidden, emb, context, attention_mask, xattn_kwargs):
    states = [hidden]
    for block in model.down_blocks:
        if getattr(block, "has_cross_attention", False):
            hidden, outs = block(hidden_states=hidden, temb=emb, encoder_hidden_states=context,
                                 attention_mask=attention_mask, cross_attention_kwargs=xattn_kwargs)
        else:
            hidden, outs = block(hidden_states=hidden, temb=emb)
        states.extend(outs)
    return hidden, states


def _run_up_block(block, hidden, skips, emb, context, attention_mask, xattn_kwargs, upsample_size):
    """One up block, returning every resnet(+attention) output and the upsampler output."""
    outs = []
    attentions = getattr(block, "attentions", None) or [None] * len(block.resnets)
    for resnet, attn in zip(block.resnets, attentions):
        hidden = resnet(torch.cat([hidden, skips.pop()], dim=1), emb)
        if attn is not None:
            hidden = attn(hidden, encoder_hidden_states=context, cross_attention_kwargs=xattn_kwargs,
                          attention_mask=attention_mask, return_dict=False)[0]
        outs.append(hidden)
    if block.upsamplers is not None:
        for upsampler in block.upsamplers:
            hidden = upsampler(hidden, upsample_size)
        outs.append(hidden)
    return hidden, outs


def run_body(model, hidden, emb, context, attention_mask, xattn_kwargs):
    """(down states, mid state, up states) before the zero convs."""
    hidden, skips = _run_down(model, hidden, emb, context, attention_mask, xattn_kwargs)
    down_states = list(skips)
    if model.mid_block is not None:
        if getattr(model.mid_block, "has_cross_attention", False):
            hidden = model.mid_block(hidden, emb, encoder_hidden_states=context, attention_mask=attention_mask,
                                     cross_attention_kwargs=xattn_kwargs)
        else:
            hidden = model.mid_block(hidden, emb)
    mid_state = hidden
    up_states = []
    for i, block in enumerate(model.up_blocks):
        n = len(block.resnets)
        block_skips, skips = skips[-n:], skips[:-n]
        size = skips[-1].shape[2:] if i < len(model.up_blocks) - 1 else None
        hidden, outs = _run_up_block(block, hidden, block_skips, emb, context, attention_mask, xattn_kwargs, size)
        up_states.extend(outs)
    return down_states, mid_state, up_states


def scale_residuals(cfg, down, mid, up, conditioning_scale: float, guess_mode: bool):
    """x conditioning_scale; guess mode ramps 0.1 -> 1 (log) over down, mid, up; optional global pooling."""
    if guess_mode and not cfg.global_pool_conditions:
        scales = torch.logspace(-1, 0, len(down) + 1 + len(up), device=mid.device) * conditioning_scale
        down = [h * s for h, s in zip(down, scales[: len(down)])]
        mid = mid * scales[len(down)]
        up = [h * s for h, s in zip(up, scales[len(down) + 1:])]
    else:
        down = [h * conditioning_scale for h in down]
        mid = mid * conditioning_scale
        up = [h * conditioning_scale for h in up]
    if cfg.global_pool_conditions:
        down = [h.mean(dim=(2, 3), keepdim=True) for h in down]
        mid = mid.mean(dim=(2, 3), keepdim=True)
        up = [h.mean(dim=(2, 3), keepdim=True) for h in up]
    return down, mid, up
