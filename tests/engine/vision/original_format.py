"""Test-side writer of ORIGINAL-format state dicts from transformers models (the converters' inverse).

Written independently of engine/vision/*_keys.py as a plain replacement table, so a renaming bug
in the converter is not mirrored here. Key names and shapes are checked against
data/*_tiny_original_keys.txt, dumped from the original repositories' code at the same size.
"""
from __future__ import annotations

import re
from pathlib import Path

import torch

DATA = Path(__file__).parent / "data"

_SW = "model.backbone.conv_encoder.model.swin."
GD_TABLE = [
    (_SW + "embeddings.patch_embeddings.projection.", "backbone.0.patch_embed.proj."),
    (_SW + "embeddings.norm.", "backbone.0.patch_embed.norm."),
    (_SW + "encoder.layers.", "backbone.0.layers."),
    (".layernorm_before.", ".norm1."), (".layernorm_after.", ".norm2."),
    (".attention.o_proj.", ".attn.proj."),
    (".attention.relative_position_bias.relative_position_bias_table", ".attn.relative_position_bias_table"),
    ("model.encoder.layers.{i}.deformable_layer.self_attn_layer_norm.", "transformer.encoder.layers.{i}.norm1."),
    ("model.encoder.layers.{i}.deformable_layer.final_layer_norm.", "transformer.encoder.layers.{i}.norm2."),
    ("model.encoder.layers.{i}.deformable_layer.fc", "transformer.encoder.layers.{i}.linear"),
    ("model.encoder.layers.{i}.deformable_layer.", "transformer.encoder.layers.{i}."),
    ("model.encoder.layers.{i}.text_enhancer_layer.layer_norm_before.", "transformer.encoder.text_layers.{i}.norm1."),
    ("model.encoder.layers.{i}.text_enhancer_layer.layer_norm_after.", "transformer.encoder.text_layers.{i}.norm2."),
    ("model.encoder.layers.{i}.text_enhancer_layer.fc", "transformer.encoder.text_layers.{i}.linear"),
    ("model.encoder.layers.{i}.text_enhancer_layer.", "transformer.encoder.text_layers.{i}."),
    ("model.encoder.layers.{i}.fusion_layer.vision_param", "transformer.encoder.fusion_layers.{i}.gamma_v"),
    ("model.encoder.layers.{i}.fusion_layer.text_param", "transformer.encoder.fusion_layers.{i}.gamma_l"),
    ("model.encoder.layers.{i}.fusion_layer.", "transformer.encoder.fusion_layers.{i}."),
    (".layer_norm_vision.", ".layer_norm_v."), (".layer_norm_text.", ".layer_norm_l."),
    (".attn.vision_proj.", ".attn.v_proj."), (".attn.text_proj.", ".attn.l_proj."),
    (".attn.values_vision_proj.", ".attn.values_v_proj."), (".attn.values_text_proj.", ".attn.values_l_proj."),
    (".attn.out_vision_proj.", ".attn.out_v_proj."), (".attn.out_text_proj.", ".attn.out_l_proj."),
    ("model.decoder.layers.{i}.encoder_attn_text_layer_norm.", "transformer.decoder.layers.{i}.catext_norm."),
    ("model.decoder.layers.{i}.encoder_attn_text.", "transformer.decoder.layers.{i}.ca_text."),
    ("model.decoder.layers.{i}.encoder_attn_layer_norm.", "transformer.decoder.layers.{i}.norm1."),
    ("model.decoder.layers.{i}.encoder_attn.", "transformer.decoder.layers.{i}.cross_attn."),
    ("model.decoder.layers.{i}.self_attn_layer_norm.", "transformer.decoder.layers.{i}.norm2."),
    ("model.decoder.layers.{i}.final_layer_norm.", "transformer.decoder.layers.{i}.norm3."),
    ("model.decoder.layers.{i}.fc", "transformer.decoder.layers.{i}.linear"),
    ("model.decoder.layers.", "transformer.decoder.layers."),
    ("model.decoder.layer_norm.", "transformer.decoder.norm."),
    ("model.decoder.reference_points_head.", "transformer.decoder.ref_point_head."),
    ("model.decoder.bbox_embed.", "transformer.decoder.bbox_embed."),
    ("model.level_embed", "transformer.level_embed"),
    ("model.query_position_embeddings.", "transformer.tgt_embed."),
    ("model.enc_output", "transformer.enc_output"),
    ("model.encoder_output_bbox_embed.", "transformer.enc_out_bbox_embed."),
    ("model.text_backbone.", "bert."), ("model.text_projection.", "feat_map."),
    ("model.input_proj_vision.", "input_proj."),
]
_FUSED = {  # HF q/k/v triplets -> one original fused tensor
    r"(backbone\.0\.layers\.\d+\.blocks\.\d+)\.attention\.([qkv])_proj\.(weight|bias)$": ("{0}.attn.qkv.{2}", "qkv"),
    r"(.*(?:text_layers\.\d+\.self_attn|layers\.\d+\.self_attn|ca_text))\.(query|key|value)\.(weight|bias)$":
        ("{0}.in_proj_{2}", ("query", "key", "value")),
}


def _rename(key: str, table) -> str:
    for old, new in table:
        if "{i}" in old:
            pattern = re.escape(old).replace(r"\{i\}", r"(\d+)")
            key = re.sub("^" + pattern, lambda m: new.replace("{i}", m[1]), key)
        else:
            key = key.replace(old, new)
    return key


def _fuse(state: dict) -> dict:
    out, groups = {}, {}
    for key, value in state.items():
        for pattern, (template, order) in _FUSED.items():
            m = re.match(pattern, key)
            if m:
                groups.setdefault(template.format(m[1], None, m[3]), {})[list(order).index(m[2])] = value
                break
        else:
            out[key] = value
    for key, parts in groups.items():
        out[key] = torch.cat([parts[0], parts[1], parts[2]], dim=0)
    return out


def grounding_dino_to_original(model) -> dict:
    """The state dict the original GroundingDINO code would save for `model`'s weights."""
    state = {k: v for k, v in model.state_dict().items() if not k.startswith(_SW + "layernorm.")}
    norms = re.compile(r"^model\.backbone\.conv_encoder\.model\.hidden_states_norms\.stage(\d)\.")
    renamed = {norms.sub(lambda m: f"backbone.0.norm{int(m[1]) - 1}.", _rename(k, GD_TABLE)): v.clone()
               for k, v in state.items()}
    out = _fuse(renamed)
    for name, buf in model.named_buffers():
        if name.endswith("relative_position_index"):
            m = re.search(r"layers\.(\d+)\.blocks\.(\d+)\.", name)
            side = int(round(buf.numel() ** 0.5))  # original stores it [w*w, w*w]
            out[f"backbone.0.layers.{m[1]}.blocks.{m[2]}.attn.relative_position_index"] = buf.clone().reshape(side, side)
    hidden = model.config.text_config.hidden_size
    out["bert.pooler.dense.weight"] = torch.randn(hidden, hidden)
    out["bert.pooler.dense.bias"] = torch.zeros(hidden)
    return out


SAM_TABLE = [
    ("vision_encoder.patch_embed.projection.", "image_encoder.patch_embed.proj."),
    ("vision_encoder.layers.", "image_encoder.blocks."), ("vision_encoder.", "image_encoder."),
    ("image_encoder.neck.conv1.", "image_encoder.neck.0."), ("image_encoder.neck.layer_norm1.", "image_encoder.neck.1."),
    ("image_encoder.neck.conv2.", "image_encoder.neck.2."), ("image_encoder.neck.layer_norm2.", "image_encoder.neck.3."),
    (".layer_norm1.", ".norm1."), (".layer_norm2.", ".norm2."), (".layer_norm3.", ".norm3."), (".layer_norm4.", ".norm4."),
    ("prompt_encoder.shared_embedding.positional_embedding", "prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"),
    ("prompt_encoder.point_embed.", "prompt_encoder.point_embeddings."),
    ("mask_embed.conv1.", "mask_downscaling.0."), ("mask_embed.norm1.", "mask_downscaling.1."),
    ("mask_embed.conv2.", "mask_downscaling.3."), ("mask_embed.norm2.", "mask_downscaling.4."),
    ("mask_embed.conv3.", "mask_downscaling.6."),
    ("transformer.layer_norm_final_attn.", "transformer.norm_final_attn."),
    ("mask_decoder.upscale_conv1.", "mask_decoder.output_upscaling.0."),
    ("mask_decoder.upscale_layer_norm.", "mask_decoder.output_upscaling.1."),
    ("mask_decoder.upscale_conv2.", "mask_decoder.output_upscaling.3."),
]


def _sam_mlp(key: str) -> str:
    m = re.match(r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.(proj_in|proj_out|layers\.(\d+))\.(.*)$", key)
    if not m:
        return key
    index = 0 if m[2] == "proj_in" else 2 if m[2] == "proj_out" else int(m[3]) + 1  # 3-layer heads
    return f"{m[1]}.layers.{index}.{m[4]}"


def sam_to_original(model) -> dict:
    """The state dict segment-anything's `Sam` would save for `model`'s weights."""
    state = {k: v for k, v in model.state_dict().items() if k != "shared_image_embedding.positional_embedding"}
    return {_sam_mlp(_rename(k, SAM_TABLE)): v.clone() for k, v in state.items()}


def reference_keys(name: str) -> dict[str, tuple[int, ...]]:
    """{key: shape} from data/<name>_tiny_original_keys.txt (dumped from the original code)."""
    out = {}
    for line in (DATA / f"{name}_tiny_original_keys.txt").read_text().splitlines():
        key, shape = line.split(" ", 1)
        out[key] = tuple(int(x) for x in re.findall(r"\d+", shape))
    return out
