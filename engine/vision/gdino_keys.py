"""Key map and config inference: original IDEA-Research GroundingDINO -> transformers.

The original checkpoint (`groundingdino_swint_ogc.pth`, `groundingdino_swinb_cogcoor.pth`) is a
`{"model": state_dict}` whose names come from the original code: `backbone.0.*` (Swin, timm
style, fused `qkv`), `bert.*` (a BertModel with pooler), `transformer.encoder.{layers,
text_layers,fusion_layers}.*`, `transformer.decoder.layers.*` (nn.MultiheadAttention with fused
`in_proj_weight`), `feat_map`, `input_proj`, `bbox_embed` and a few `transformer.*` extras.
Target names are those of `GroundingDinoForObjectDetection` in transformers 5.
"""
from __future__ import annotations

import math
import re

from engine.vision.key_rules import Rule, rename, split3

SWIN = "model.backbone.conv_encoder.model.swin."
NORMS = "model.backbone.conv_encoder.model.hidden_states_norms."
_BLOCK = r"^backbone\.0\.layers\.(\d+)\.blocks\.(\d+)\."
_HF_BLOCK = SWIN + r"encoder.layers.\1.blocks.\2."
_ENC = r"^transformer\.encoder\.{}\.(\d+)\."
_DEC = r"^transformer\.decoder\.layers\.(\d+)\."
_HF_DEC = r"model.decoder.layers.\1."

# Released GroundingDINO constants that shapes alone do not reveal.
RELEASED_HEADS = 8  # nheads of the deformable transformer
RELEASED_TEXT_HEADS = 12  # bert-base-uncased
RELEASED_MAX_TEXT_LEN = 256


def _sub(src_prefix: str, dst_prefix: str, names: dict[str, str]) -> list[Rule]:
    return [rename(src_prefix + re.escape(a), dst_prefix + b) for a, b in names.items()]


_SWIN_RULES = [
    rename(r"^backbone\.0\.patch_embed\.proj\.", SWIN + "embeddings.patch_embeddings.projection."),
    rename(r"^backbone\.0\.patch_embed\.norm\.", SWIN + "embeddings.norm."),
    split3(_BLOCK + r"attn\.qkv\.(weight|bias)$", [_HF_BLOCK + f"attention.{p}_proj." + r"\3" for p in "qkv"]),
    *_sub(_BLOCK, _HF_BLOCK, {
        "norm1.": "layernorm_before.", "norm2.": "layernorm_after.", "attn.proj.": "attention.o_proj.",
        "mlp.": "mlp.", "attn.relative_position_bias_table": "attention.relative_position_bias.relative_position_bias_table",
    }),
    rename(r"^backbone\.0\.layers\.(\d+)\.downsample\.", SWIN + r"encoder.layers.\1.downsample."),
    rename(r"^backbone\.0\.norm(\d)\.", lambda m: f"{NORMS}stage{int(m[1]) + 1}."),
]

_ENCODER_RULES = [
    *_sub(_ENC.format("layers"), r"model.encoder.layers.\1.deformable_layer.", {
        "self_attn.": "self_attn.", "norm1.": "self_attn_layer_norm.", "linear1.": "fc1.", "linear2.": "fc2.",
        "norm2.": "final_layer_norm.",
    }),
    split3(_ENC.format("text_layers") + r"self_attn\.in_proj_(weight|bias)$",
           [rf"model.encoder.layers.\1.text_enhancer_layer.self_attn.{n}.\2" for n in ("query", "key", "value")]),
    *_sub(_ENC.format("text_layers"), r"model.encoder.layers.\1.text_enhancer_layer.", {
        "self_attn.out_proj.": "self_attn.out_proj.", "linear1.": "fc1.", "linear2.": "fc2.",
        "norm1.": "layer_norm_before.", "norm2.": "layer_norm_after.",
    }),
    *_sub(_ENC.format("fusion_layers"), r"model.encoder.layers.\1.fusion_layer.", {
        "gamma_v": "vision_param", "gamma_l": "text_param", "layer_norm_v.": "layer_norm_vision.",
        "layer_norm_l.": "layer_norm_text.", "attn.v_proj.": "attn.vision_proj.", "attn.l_proj.": "attn.text_proj.",
        "attn.values_v_proj.": "attn.values_vision_proj.", "attn.values_l_proj.": "attn.values_text_proj.",
        "attn.out_v_proj.": "attn.out_vision_proj.", "attn.out_l_proj.": "attn.out_text_proj.",
    }),
]

_DECODER_RULES = [
    split3(_DEC + r"self_attn\.in_proj_(weight|bias)$", [_HF_DEC + f"self_attn.{n}." + r"\2" for n in ("query", "key", "value")]),
    split3(_DEC + r"ca_text\.in_proj_(weight|bias)$",
           [_HF_DEC + f"encoder_attn_text.{n}." + r"\2" for n in ("query", "key", "value")]),
    *_sub(_DEC, _HF_DEC, {
        "cross_attn.": "encoder_attn.", "norm1.": "encoder_attn_layer_norm.", "ca_text.out_proj.": "encoder_attn_text.out_proj.",
        "catext_norm.": "encoder_attn_text_layer_norm.", "self_attn.out_proj.": "self_attn.out_proj.",
        "norm2.": "self_attn_layer_norm.", "linear1.": "fc1.", "linear2.": "fc2.", "norm3.": "final_layer_norm.",
    }),
    rename(r"^transformer\.decoder\.norm\.", "model.decoder.layer_norm."),
    rename(r"^transformer\.decoder\.ref_point_head\.", "model.decoder.reference_points_head."),
    rename(r"^transformer\.decoder\.bbox_embed\.", "model.decoder.bbox_embed."),
]

RULES: list[Rule] = [
    *_SWIN_RULES, *_ENCODER_RULES, *_DECODER_RULES,
    rename(r"^transformer\.level_embed$", "model.level_embed"),
    rename(r"^transformer\.tgt_embed\.", "model.query_position_embeddings."),
    rename(r"^transformer\.enc_output(_norm)?\.", r"model.enc_output\1."),
    rename(r"^transformer\.enc_out_bbox_embed\.", "model.encoder_output_bbox_embed."),
    rename(r"^bert\.(embeddings|encoder)\.", r"model.text_backbone.\1."),
    rename(r"^feat_map\.", "model.text_projection."),
    rename(r"^input_proj\.", "model.input_proj_vision."),
    rename(r"^bbox_embed\.", "bbox_embed."),
]

# Saved by the original code but not used by (or computed inside) the transformers model.
DROP = [r"\.relative_position_index$", r"^bert\.pooler\.", r"^bert\.embeddings\.position_ids$"]
# In the transformers model but unused by its forward pass (SwinModel's final norm: the backbone
# returns the per-stage `hidden_states_norms` instead); filled with the identity.
FILL = {SWIN + "layernorm.weight": "ones", SWIN + "layernorm.bias": "zeros"}


def _count(sd: dict, pattern: str) -> int:
    return len({m[1] for k in sd if (m := re.match(pattern, k))})


def infer_config(sd: dict, *, num_heads: int = RELEASED_HEADS, text_num_heads: int = RELEASED_TEXT_HEADS):
    """A `GroundingDinoConfig` that fits the shapes of an original state dict."""
    from transformers import BertConfig, GroundingDinoConfig, SwinConfig

    patch = sd["backbone.0.patch_embed.proj.weight"]
    stages = _count(sd, r"^backbone\.0\.layers\.(\d+)\.")
    depths = [_count(sd, rf"^backbone\.0\.layers\.{i}\.blocks\.(\d+)\.") for i in range(stages)]
    tables = [sd[f"backbone.0.layers.{i}.blocks.0.attn.relative_position_bias_table"] for i in range(stages)]
    window = (math.isqrt(tables[0].shape[0]) + 1) // 2
    out_indices = sorted(int(m[1]) + 1 for k in sd if (m := re.match(r"^backbone\.0\.norm(\d)\.weight$", k)))
    swin = SwinConfig(
        embed_dim=patch.shape[0], patch_size=patch.shape[2], depths=depths, num_heads=[t.shape[1] for t in tables],
        window_size=window, image_size=window * 32, out_indices=out_indices,
    )
    words = sd["bert.embeddings.word_embeddings.weight"]
    text = BertConfig(
        vocab_size=words.shape[0], hidden_size=words.shape[1], num_attention_heads=text_num_heads,
        num_hidden_layers=_count(sd, r"^bert\.encoder\.layer\.(\d+)\."),
        intermediate_size=sd["bert.encoder.layer.0.intermediate.dense.weight"].shape[0],
        max_position_embeddings=sd["bert.embeddings.position_embeddings.weight"].shape[0],
        type_vocab_size=sd["bert.embeddings.token_type_embeddings.weight"].shape[0],
    )
    levels, d_model = sd["transformer.level_embed"].shape
    enc_offsets = sd["transformer.encoder.layers.0.self_attn.sampling_offsets.weight"].shape[0]
    dec_offsets = sd["transformer.decoder.layers.0.cross_attn.sampling_offsets.weight"].shape[0]
    return GroundingDinoConfig(
        backbone_config=swin, text_config=text, d_model=d_model, num_feature_levels=levels,
        encoder_layers=_count(sd, _ENC.format("layers")), decoder_layers=_count(sd, _DEC),
        encoder_ffn_dim=sd["transformer.encoder.layers.0.linear1.weight"].shape[0],
        decoder_ffn_dim=sd["transformer.decoder.layers.0.linear1.weight"].shape[0],
        encoder_attention_heads=num_heads, decoder_attention_heads=num_heads,
        encoder_n_points=enc_offsets // (num_heads * levels * 2), decoder_n_points=dec_offsets // (num_heads * levels * 2),
        num_queries=sd["transformer.tgt_embed.weight"].shape[0], max_text_len=RELEASED_MAX_TEXT_LEN,
        two_stage=True, decoder_bbox_embed_share=_shared_box_head(sd), two_stage_bbox_embed_share=False,
    )


def _shared_box_head(sd: dict) -> bool:
    first, second = sd.get("bbox_embed.0.layers.0.weight"), sd.get("bbox_embed.1.layers.0.weight")
    return first is None or second is None or bool((first == second).all())
