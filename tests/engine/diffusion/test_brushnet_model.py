"""BrushNetModel: residual shapes, from_unet initialisation, save/load, the released checkpoint format."""
import json

import pytest
import torch
from diffusion_tiny import CROSS_DIM, randomize_zero_convs, tiny_unet
from safetensors.torch import save_file

from engine.diffusion.brushnet import BrushNetModel

SD15_SHAPE = dict(block_out_channels=(32, 32, 64, 64), layers_per_block=2, cross_attention_dim=CROSS_DIM)


def _run(model, size=16, batch=1, scale=1.0):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, 4, size, size, generator=g)
    cond = torch.randn(batch, 5, size, size, generator=g)
    ctx = torch.randn(batch, 7, CROSS_DIM, generator=g)
    with torch.no_grad():
        return model(x, 500, ctx, cond, conditioning_scale=scale, return_dict=False)


def test_sd15_shape_gives_12_down_1_mid_15_up_residuals():
    torch.manual_seed(0)
    down, mid, up = _run(BrushNetModel(mid_block_type="MidBlock2D", **SD15_SHAPE), size=32)
    assert len(down) == 12 and len(up) == 15
    down_channels = [32, 32, 32, 32, 32, 32, 32, 64, 64, 64, 64, 64]
    down_sizes = [32, 32, 32, 16, 16, 16, 8, 8, 8, 4, 4, 4]
    assert [tuple(r.shape) for r in down] == [(1, c, s, s) for c, s in zip(down_channels, down_sizes)]
    assert tuple(mid.shape) == (1, 64, 4, 4)
    up_channels = [64] * 4 + [64] * 4 + [32] * 4 + [32] * 3
    up_sizes = [4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32, 32, 32]
    assert [tuple(r.shape) for r in up] == [(1, c, s, s) for c, s in zip(up_channels, up_sizes)]


def test_outputs_scale_linearly_with_conditioning_scale():
    model = BrushNetModel(mid_block_type="MidBlock2D", **SD15_SHAPE).eval()
    randomize_zero_convs(model)
    full, half = _run(model, scale=1.0), _run(model, scale=0.5)
    for a, b in zip([*full[0], full[1], *full[2]], [*half[0], half[1], *half[2]]):
        torch.testing.assert_close(b, a * 0.5)


def test_from_unet_copies_conv_in_into_both_latent_slots_and_unties_the_bias():
    unet = tiny_unet(0)
    model = BrushNetModel.from_unet(unet)
    w = model.conv_in_condition.weight
    assert w.shape[1] == 9
    torch.testing.assert_close(w[:, :4], unet.conv_in.weight)
    torch.testing.assert_close(w[:, 4:8], unet.conv_in.weight)
    assert torch.count_nonzero(w[:, 8]) == 0
    torch.testing.assert_close(model.conv_in_condition.bias, unet.conv_in.bias)
    assert model.conv_in_condition.bias.data_ptr() != unet.conv_in.bias.data_ptr()
    torch.testing.assert_close(model.down_blocks[0].resnets[1].conv1.weight,
                               unet.down_blocks[0].resnets[1].conv1.weight)
    torch.testing.assert_close(model.mid_block.resnets[1].conv2.weight, unet.mid_block.resnets[1].conv2.weight)
    torch.testing.assert_close(model.up_blocks[1].resnets[2].conv1.weight, unet.up_blocks[1].resnets[2].conv1.weight)
    assert model.config.mid_block_type == "MidBlock2D"
    assert not any("attentions" in k for k in model.state_dict())


def test_save_and_from_pretrained_round_trip(tmp_path):
    model = BrushNetModel.from_unet(tiny_unet(0)).eval()
    randomize_zero_convs(model)
    model.save_pretrained(tmp_path / "bn")
    loaded = BrushNetModel.from_pretrained(tmp_path / "bn").eval()
    public = lambda m: {k: v for k, v in json.loads(m.to_json_string()).items() if not k.startswith("_")}  # noqa: E731
    assert public(loaded) == public(model)
    for a, b in zip(_run(model)[0] + [_run(model)[1]], _run(loaded)[0] + [_run(loaded)[1]]):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


# --- a checkpoint in the released format, built from the fork's naming scheme, not from our model ---
def _resnet(prefix, cin, cout, temb):
    keys = {f"{prefix}.norm1.weight": (cin,), f"{prefix}.norm1.bias": (cin,),
            f"{prefix}.conv1.weight": (cout, cin, 3, 3), f"{prefix}.conv1.bias": (cout,),
            f"{prefix}.time_emb_proj.weight": (cout, temb), f"{prefix}.time_emb_proj.bias": (cout,),
            f"{prefix}.norm2.weight": (cout,), f"{prefix}.norm2.bias": (cout,),
            f"{prefix}.conv2.weight": (cout, cout, 3, 3), f"{prefix}.conv2.bias": (cout,)}
    if cin != cout:
        keys.update({f"{prefix}.conv_shortcut.weight": (cout, cin, 1, 1), f"{prefix}.conv_shortcut.bias": (cout,)})
    return keys


def _conv(prefix, cin, cout, k):
    return {f"{prefix}.weight": (cout, cin, k, k), f"{prefix}.bias": (cout,)}


def released_keys(channels, layers):
    c0, temb, n = channels[0], channels[0] * 4, len(channels)
    keys = {**_conv("conv_in_condition", 9, c0, 3),
            "time_embedding.linear_1.weight": (temb, c0), "time_embedding.linear_1.bias": (temb,),
            "time_embedding.linear_2.weight": (temb, temb), "time_embedding.linear_2.bias": (temb,)}
    zero = [c0]
    cin = c0
    for i, c in enumerate(channels):
        for j in range(layers):
            keys.update(_resnet(f"down_blocks.{i}.resnets.{j}", cin if j == 0 else c, c, temb))
            zero.append(c)
        if i < n - 1:
            keys.update(_conv(f"down_blocks.{i}.downsamplers.0.conv", c, c, 3))
            zero.append(c)
        cin = c
    for k, c in enumerate(zero):
        keys.update(_conv(f"brushnet_down_blocks.{k}", c, c, 1))
    for j in range(2):
        keys.update(_resnet(f"mid_block.resnets.{j}", channels[-1], channels[-1], temb))
    keys.update(_conv("brushnet_mid_block", channels[-1], channels[-1], 1))
    rev, up_zero, prev = channels[::-1], [], channels[-1]
    for i, c in enumerate(rev):
        skip_in = rev[min(i + 1, n - 1)]
        for j in range(layers + 1):
            skip = skip_in if j == layers else c
            keys.update(_resnet(f"up_blocks.{i}.resnets.{j}", (prev if j == 0 else c) + skip, c, temb))
            up_zero.append(c)
        if i < n - 1:
            keys.update(_conv(f"up_blocks.{i}.upsamplers.0.conv", c, c, 3))
            up_zero.append(c)
        prev = c
    for k, c in enumerate(up_zero):
        keys.update(_conv(f"brushnet_up_blocks.{k}", c, c, 1))
    return keys


RELEASED_CONFIG = {
    "_class_name": "BrushNetModel", "_diffusers_version": "0.27.0.dev0", "_name_or_path": "runs/brushnetX",
    "act_fn": "silu", "addition_embed_type": None, "addition_embed_type_num_heads": 64,
    "addition_time_embed_dim": None, "attention_head_dim": 8, "block_out_channels": [32, 32, 64, 64],
    "brushnet_conditioning_channel_order": "rgb", "class_embed_type": None, "conditioning_channels": 5,
    "conditioning_embedding_out_channels": [16, 32, 96, 256], "cross_attention_dim": CROSS_DIM,
    "down_block_types": ["DownBlock2D"] * 4, "downsample_padding": 1, "encoder_hid_dim": None,
    "encoder_hid_dim_type": None, "flip_sin_to_cos": True, "freq_shift": 0, "global_pool_conditions": False,
    "in_channels": 4, "layers_per_block": 2, "mid_block_scale_factor": 1, "mid_block_type": "MidBlock2D",
    "norm_eps": 1e-05, "norm_num_groups": 32, "num_attention_heads": None, "num_class_embeds": None,
    "only_cross_attention": False, "projection_class_embeddings_input_dim": None,
    "resnet_time_scale_shift": "default", "transformer_layers_per_block": 1, "up_block_types": ["UpBlock2D"] * 4,
    "upcast_attention": False, "use_linear_projection": False,
}


def test_a_released_format_checkpoint_loads_with_no_missing_or_unexpected_keys(tmp_path):
    keys = released_keys([32, 32, 64, 64], 2)
    g = torch.Generator().manual_seed(0)
    tensors = {k: torch.randn(shape, generator=g) * 0.05 for k, shape in keys.items()}
    (tmp_path / "config.json").write_text(json.dumps(RELEASED_CONFIG))
    save_file(tensors, str(tmp_path / "diffusion_pytorch_model.safetensors"))
    model, info = BrushNetModel.from_pretrained(tmp_path, output_loading_info=True)
    assert info["missing_keys"] == [] and info["unexpected_keys"] == [] and info["mismatched_keys"] == []
    state = model.state_dict()
    assert set(state) == set(keys)
    for k in ("conv_in_condition.weight", "brushnet_up_blocks.14.weight", "mid_block.resnets.1.conv2.bias"):
        torch.testing.assert_close(state[k], tensors[k], rtol=0, atol=0)
    down, mid, up = _run(model.eval(), size=32)
    assert len(down) == 12 and len(up) == 15 and all(torch.isfinite(r).all() for r in [*down, mid, *up])


def test_bad_block_lists_are_reported():
    with pytest.raises(ValueError, match="same length"):
        BrushNetModel(block_out_channels=(32, 64), down_block_types=("DownBlock2D",) * 2,
                      up_block_types=("UpBlock2D",) * 3)


def test_sdxl_variant_uses_added_time_and_text_embeddings():
    torch.manual_seed(0)
    model = BrushNetModel(block_out_channels=(32, 64), down_block_types=("DownBlock2D",) * 2,
                          up_block_types=("UpBlock2D",) * 2, mid_block_type="MidBlock2D", cross_attention_dim=CROSS_DIM,
                          addition_embed_type="text_time", addition_time_embed_dim=8,
                          projection_class_embeddings_input_dim=16 + 6 * 8).eval()
    randomize_zero_convs(model)
    assert {"add_time_proj", "add_embedding"} <= {name for name, _ in model.named_children()}
    x, cond, ctx = torch.randn(1, 4, 16, 16), torch.randn(1, 5, 16, 16), torch.randn(1, 7, CROSS_DIM)
    time_ids = torch.tensor([[64.0, 64.0, 0.0, 0.0, 64.0, 64.0]])
    with torch.no_grad():
        a = model(x, 10, ctx, cond, added_cond_kwargs={"text_embeds": torch.zeros(1, 16), "time_ids": time_ids},
                  return_dict=False)
        b = model(x, 10, ctx, cond, added_cond_kwargs={"text_embeds": torch.ones(1, 16), "time_ids": time_ids},
                  return_dict=False)
        with pytest.raises(ValueError, match="text_embeds"):
            model(x, 10, ctx, cond, added_cond_kwargs={"time_ids": time_ids})
    assert len(a[0]) == 6 and len(a[2]) == 7
    assert not torch.allclose(a[1], b[1])
