"""Original GroundingDINO / SAM checkpoints -> transformers models, by key mapping.

    converted = convert_grounding_dino(load_original_state_dict("groundingdino_swint_ogc.pth"))
    model = build_model(converted)          # GroundingDinoForObjectDetection, eval mode

Every original key is either mapped (renamed, q/k/v split, or copied to tied weights) or on an
explicit drop list (buffers the transformers model recomputes); every target key is either
produced or on an explicit fill list (parameters the forward pass never reads). Anything else is
a `CheckpointConversionError` listing the missing and unexpected keys.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from engine.errors import CheckpointConversionError, ModelNotAvailableError
from engine.vision import gdino_keys, sam_keys
from engine.vision.key_rules import apply_rules


@dataclass
class Converted:
    """A transformers config + a state dict that fills it exactly."""

    model_class: str  # "GroundingDinoForObjectDetection" | "SamModel"
    config: Any
    state_dict: dict[str, torch.Tensor]
    dropped: list[str] = field(default_factory=list)  # original keys deliberately ignored
    filled: dict[str, str] = field(default_factory=dict)  # target key -> "ones"/"zeros" (unused by forward)


def load_original_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read an original `.pth` (plain state dict, or `{"model": ...}` / `{"state_dict": ...}`)."""
    path = Path(path)
    if not path.is_file():
        raise ModelNotAvailableError(f"Checkpoint file not found: '{path}'.",
                                     fix="Check the path, or download the original release file there.")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for corrupt / non-torch files
        raise CheckpointConversionError(f"'{path}' is not a readable PyTorch checkpoint ({exc}).",
                                        fix="Download the file again; it may be truncated.") from exc
    for key in ("model", "state_dict"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]
    if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise CheckpointConversionError(f"'{path}' does not hold a state dict of tensors.")
    return {k.removeprefix("module."): v for k, v in data.items()}


def convert_grounding_dino(original: dict[str, torch.Tensor], *, num_heads: int = gdino_keys.RELEASED_HEADS,
                           text_num_heads: int = gdino_keys.RELEASED_TEXT_HEADS) -> Converted:
    """Original IDEA-Research GroundingDINO state dict -> `GroundingDinoForObjectDetection` weights."""
    _require(original, "backbone.0.patch_embed.proj.weight", "GroundingDINO")
    config = gdino_keys.infer_config(original, num_heads=num_heads, text_num_heads=text_num_heads)
    renamed = apply_rules(original, gdino_keys.RULES, gdino_keys.DROP)
    return _finish("GroundingDinoForObjectDetection", config, renamed, gdino_keys.FILL)


def convert_sam(original: dict[str, torch.Tensor], *, decoder_heads: int = sam_keys.RELEASED_DECODER_HEADS) -> Converted:
    """Original segment-anything state dict (vit_b / vit_l / vit_h) -> `SamModel` weights."""
    _require(original, "image_encoder.patch_embed.proj.weight", "SAM")
    config = sam_keys.infer_config(original, decoder_heads=decoder_heads)
    renamed = apply_rules(original, sam_keys.rules(original), sam_keys.DROP)
    return _finish("SamModel", config, renamed, {})


def _require(sd: dict, key: str, what: str) -> None:
    if key not in sd:
        raise CheckpointConversionError(
            f"This does not look like an original {what} checkpoint: key '{key}' is absent "
            f"(first keys: {', '.join(list(sd)[:3])}).",
            fix="Point the checkpoint setting at the original release file, or a hub id/dir at the model setting.",
        )


def _finish(model_class: str, config, renamed, fill: dict[str, str]) -> Converted:
    if renamed.unmatched:
        raise CheckpointConversionError(f"{len(renamed.unmatched)} checkpoint keys have no {model_class} counterpart.",
                                        unexpected=renamed.unmatched)
    return Converted(model_class, config, renamed.state_dict, renamed.dropped, dict(fill))


def _empty_model(model_class: str, config):
    import transformers

    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # older transformers
        no_init_weights = contextlib.nullcontext
    with no_init_weights():
        return getattr(transformers, model_class)(config)


def build_model(converted: Converted):
    """Instantiate the transformers model and load the converted weights strictly (eval mode)."""
    model = _empty_model(converted.model_class, converted.config)
    expected = model.state_dict()
    state = dict(converted.state_dict)
    for key, value in converted.filled.items():
        if key in expected:
            state[key] = torch.ones_like(expected[key]) if value == "ones" else torch.zeros_like(expected[key])
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointConversionError(
            f"The converted checkpoint does not fill {converted.model_class} exactly.", missing=missing,
            unexpected=unexpected, fix="The file may be from another model variant, or transformers changed its names.",
        )
    bad = [f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}" for k, v in expected.items() if state[k].shape != v.shape]
    if bad:
        raise CheckpointConversionError(f"Shape mismatch for {len(bad)} keys: {'; '.join(bad[:5])}.")
    model.load_state_dict(state, strict=True)
    return model.eval()
