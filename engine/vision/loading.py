"""Load GroundingDINO and SAM weights + processors from a hub id, a local dir or an original checkpoint.

Every failure becomes a `ModelNotAvailableError` that names the id/path and says how to fix it.
"""
from __future__ import annotations

from pathlib import Path

from engine.errors import BrushEditError, ModelNotAvailableError

_GD_FIX = (
    "Download it (`hf download {id}`) or set BRUSHEDIT_DETECTOR_MODEL to a local dir saved with "
    "save_pretrained; or set BRUSHEDIT_DETECTOR_CHECKPOINT to the original groundingdino_swint_ogc.pth "
    "(the tokenizer then still comes from BRUSHEDIT_DETECTOR_MODEL)."
)
_SAM_FIX = (
    "Download it (`hf download {id}`) or set BRUSHEDIT_SAM_MODEL to a local dir saved with "
    "save_pretrained; or set BRUSHEDIT_SAM_CHECKPOINT to an original sam_vit_{{b,l,h}}_*.pth file."
)


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300].rstrip(".") if str(exc).strip() else type(exc).__name__


def _pretrained(loader, source: str, what: str, fix: str):
    from engine.model_check import offline_kwargs

    try:
        return loader.from_pretrained(source, **offline_kwargs(source))
    except BrushEditError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelNotAvailableError(f"Could not load the {what} from '{source}': {_short(exc)}.", fix=fix) from exc


def load_grounding_dino(model_id: str, checkpoint: Path | None):
    """(GroundingDinoForObjectDetection in eval mode, processor)."""
    from transformers import AutoProcessor, GroundingDinoForObjectDetection

    fix = _GD_FIX.format(id=model_id)
    processor = _pretrained(AutoProcessor, model_id, "GroundingDINO processor (tokenizer + image processor)", fix)
    if checkpoint is None:
        return _pretrained(GroundingDinoForObjectDetection, model_id, "GroundingDINO model", fix).eval(), processor
    from engine.vision.convert_checkpoints import build_model, convert_grounding_dino, load_original_state_dict

    model = build_model(convert_grounding_dino(load_original_state_dict(checkpoint)))
    vocab = model.config.text_config.vocab_size
    if len(processor.tokenizer) > vocab:
        raise ModelNotAvailableError(
            f"The tokenizer from '{model_id}' has {len(processor.tokenizer)} tokens but the checkpoint "
            f"'{checkpoint}' has a {vocab}-token text encoder.",
            fix="Set BRUSHEDIT_DETECTOR_MODEL to a GroundingDINO id/dir with the checkpoint's tokenizer (bert-base-uncased).",
        )
    return model, processor


def sam_processor_for(image_size: int):
    """The SAM pre/post-processor for a model whose encoder takes `image_size` square inputs."""
    from transformers import SamImageProcessorPil, SamProcessor

    mask = max(1, image_size // 4)
    image_processor = SamImageProcessorPil(
        size={"longest_edge": image_size}, pad_size={"height": image_size, "width": image_size},
        mask_size={"longest_edge": mask}, mask_pad_size={"height": mask, "width": mask},
    )
    return SamProcessor(image_processor=image_processor)


def load_sam(model_id: str, checkpoint: Path | None):
    """(SamModel in eval mode, SamProcessor)."""
    from transformers import SamModel

    fix = _SAM_FIX.format(id=model_id)
    if checkpoint is None:
        model = _pretrained(SamModel, model_id, "SAM model", fix).eval()
        if Path(model_id).is_dir() and not any(Path(model_id).glob("*processor*.json")):
            return model, sam_processor_for(model.config.vision_config.image_size)
        from transformers import AutoProcessor

        return model, _pretrained(AutoProcessor, model_id, "SAM processor", fix)
    from engine.vision.convert_checkpoints import build_model, convert_sam, load_original_state_dict

    model = build_model(convert_sam(load_original_state_dict(checkpoint)))
    return model, sam_processor_for(model.config.vision_config.image_size)
