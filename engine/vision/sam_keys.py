"""Key map and config inference: original segment-anything checkpoints -> transformers `SamModel`.

The original files (`sam_vit_b_01ec64.pth`, `sam_vit_l_0b3195.pth`, `sam_vit_h_4b8939.pth`) hold a
plain state dict with `image_encoder.*` (ViT with windowed + global attention and a conv neck),
`prompt_encoder.*` (random-Fourier `pe_layer`, point embeddings, `mask_downscaling` Sequential)
and `mask_decoder.*` (two-way transformer, `output_upscaling` Sequential, MLP heads whose
`layers.{0..n-1}` become `proj_in` / `layers.*` / `proj_out`).
"""
from __future__ import annotations

import re

from engine.vision.key_rules import Rule, copy, rename

RELEASED_DECODER_HEADS = 8  # TwoWayTransformer(num_heads=8) in every released SAM


def _mlp_layer(depth: int):
    """`...layers.{i}.` of an n-layer original MLP -> proj_in / layers.{i-1} / proj_out."""

    def target(m: re.Match) -> str:
        i = int(m[2])
        name = "proj_in" if i == 0 else "proj_out" if i == depth - 1 else f"layers.{i - 1}"
        return f"mask_decoder.{m[1]}.{name}."

    return target


def rules(sd: dict) -> list[Rule]:
    depth = 1 + max(int(m[1]) for k in sd if (m := re.match(r"^mask_decoder\.iou_prediction_head\.layers\.(\d+)\.", k)))
    pe = "prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"
    return [
        rename(r"^image_encoder\.patch_embed\.proj\.", "vision_encoder.patch_embed.projection."),
        rename(r"^image_encoder\.pos_embed$", "vision_encoder.pos_embed"),
        rename(r"^image_encoder\.blocks\.(\d+)\.norm(\d)\.", r"vision_encoder.layers.\1.layer_norm\2."),
        rename(r"^image_encoder\.blocks\.(\d+)\.", r"vision_encoder.layers.\1."),
        rename(r"^image_encoder\.neck\.(\d)\.", lambda m: "vision_encoder.neck." + _NECK[m[1]] + "."),
        copy(rf"^{re.escape(pe)}$", ["shared_image_embedding.positional_embedding",
                                     "prompt_encoder.shared_embedding.positional_embedding"]),
        rename(r"^prompt_encoder\.point_embeddings\.", "prompt_encoder.point_embed."),
        rename(r"^prompt_encoder\.mask_downscaling\.(\d)\.", lambda m: "prompt_encoder.mask_embed." + _MASK[m[1]] + "."),
        rename(r"^prompt_encoder\.(no_mask_embed|not_a_point_embed)\.", r"prompt_encoder.\1."),
        rename(r"^mask_decoder\.transformer\.layers\.(\d+)\.norm(\d)\.", r"mask_decoder.transformer.layers.\1.layer_norm\2."),
        rename(r"^mask_decoder\.transformer\.norm_final_attn\.", "mask_decoder.transformer.layer_norm_final_attn."),
        rename(r"^mask_decoder\.transformer\.", "mask_decoder.transformer."),
        rename(r"^mask_decoder\.output_upscaling\.(\d)\.", lambda m: "mask_decoder." + _UPSCALE[m[1]] + "."),
        rename(r"^mask_decoder\.(output_hypernetworks_mlps\.\d+|iou_prediction_head)\.layers\.(\d+)\.", _mlp_layer(depth)),
        rename(r"^mask_decoder\.(iou_token|mask_tokens)\.", r"mask_decoder.\1."),
    ]


_NECK = {"0": "conv1", "1": "layer_norm1", "2": "conv2", "3": "layer_norm2"}
_MASK = {"0": "conv1", "1": "layer_norm1", "3": "conv2", "4": "layer_norm2", "6": "conv3"}
_UPSCALE = {"0": "upscale_conv1", "1": "upscale_layer_norm", "3": "upscale_conv2"}
# Non-persistent in the original code, but older dumps may carry them.
DROP = [r"^pixel_(mean|std)$"]


def _count(sd: dict, pattern: str) -> int:
    return len({m[1] for k in sd if (m := re.match(pattern, k))})


def infer_config(sd: dict, *, decoder_heads: int = RELEASED_DECODER_HEADS):
    """A `SamConfig` that fits the shapes of an original state dict (vit_b / vit_l / vit_h or smaller)."""
    from transformers import SamConfig, SamMaskDecoderConfig, SamPromptEncoderConfig, SamVisionConfig

    patch = sd["image_encoder.patch_embed.proj.weight"]
    hidden, patch_size = patch.shape[0], patch.shape[2]
    grid = sd["image_encoder.pos_embed"].shape[1]
    layers = _count(sd, r"^image_encoder\.blocks\.(\d+)\.")
    rel = [sd[f"image_encoder.blocks.{i}.attn.rel_pos_h"].shape for i in range(layers)]
    global_idx = [i for i, s in enumerate(rel) if s[0] == 2 * grid - 1]
    local = [s[0] for s in rel if s[0] != 2 * grid - 1]
    pe = sd["prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"]
    vision = SamVisionConfig(
        hidden_size=hidden, patch_size=patch_size, image_size=grid * patch_size, num_hidden_layers=layers,
        num_attention_heads=hidden // rel[0][1], global_attn_indexes=global_idx,
        window_size=(local[0] + 1) // 2 if local else 0,
        output_channels=sd["image_encoder.neck.0.weight"].shape[0],
        mlp_ratio=sd["image_encoder.blocks.0.mlp.lin1.weight"].shape[0] / hidden, num_pos_feats=pe.shape[1],
    )
    prompt_dim = sd["prompt_encoder.no_mask_embed.weight"].shape[1]
    prompt = SamPromptEncoderConfig(
        hidden_size=prompt_dim, image_size=grid * patch_size, patch_size=patch_size,
        mask_input_channels=sd["prompt_encoder.mask_downscaling.6.weight"].shape[1],
        num_point_embeddings=_count(sd, r"^prompt_encoder\.point_embeddings\.(\d+)\."),
    )
    dec_dim = sd["mask_decoder.iou_token.weight"].shape[1]
    decoder = SamMaskDecoderConfig(
        hidden_size=dec_dim, num_attention_heads=decoder_heads,
        mlp_dim=sd["mask_decoder.transformer.layers.0.mlp.lin1.weight"].shape[0],
        num_hidden_layers=_count(sd, r"^mask_decoder\.transformer\.layers\.(\d+)\."),
        attention_downsample_rate=dec_dim // sd["mask_decoder.transformer.layers.0.cross_attn_token_to_image.q_proj.weight"].shape[0],
        num_multimask_outputs=sd["mask_decoder.mask_tokens.weight"].shape[0] - 1,
        iou_head_depth=_count(sd, r"^mask_decoder\.iou_prediction_head\.layers\.(\d+)\."),
        iou_head_hidden_dim=sd["mask_decoder.iou_prediction_head.layers.0.weight"].shape[0],
    )
    return SamConfig(vision_config=vision, prompt_encoder_config=prompt, mask_decoder_config=decoder)
