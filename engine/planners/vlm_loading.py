"""Load a local VLM (Qwen2-VL, Qwen2.5-VL, LLaVA, LLaVA-Next) + its processor from a hub id or dir.

The architecture comes from config.json's `model_type`. Processors come from AutoProcessor; for the
Qwen family, when the combined processor cannot be built (transformers requires torchvision for its
video processor), `QwenVLInputs` combines the tokenizer and the image processor the same way:
one `<|image_pad|>` per merged vision patch. Every failure is a `ModelNotAvailableError`.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from engine.errors import BrushEditError, ModelNotAvailableError
from engine.torch_runtime import resolve_device, resolve_dtype

ARCHITECTURES = {
    "qwen2_vl": "Qwen2VLForConditionalGeneration",
    "qwen2_5_vl": "Qwen2_5_VLForConditionalGeneration",
    "llava": "LlavaForConditionalGeneration",
    "llava_next": "LlavaNextForConditionalGeneration",
}
_FIX = ("Download it (`hf download {id}`) or set BRUSHEDIT_VLM_MODEL to a local dir saved with "
        "save_pretrained (Qwen2-VL, Qwen2.5-VL, LLaVA or LLaVA-Next).")


class QwenVLInputs:
    """Tokenizer + Qwen2-VL image processor -> model inputs, like Qwen2VLProcessor does."""

    def __init__(self, tokenizer, image_processor, image_token: str = "<|image_pad|>"):
        self.tokenizer, self.image_processor, self.image_token = tokenizer, image_processor, image_token

    def apply_chat_template(self, conversation, **kwargs) -> str:
        return self.tokenizer.apply_chat_template(conversation, **kwargs)

    def __call__(self, text: list[str], images=None, return_tensors: str = "pt"):
        extra = {}
        if images:
            extra = dict(self.image_processor(images=images, return_tensors=return_tensors))
            merge = getattr(self.image_processor, "merge_size", 2) ** 2
            counts = [int(g.prod()) // merge for g in extra["image_grid_thw"]]
            text = [self._expand(t, counts) for t in text]
        enc = self.tokenizer(text, return_tensors=return_tensors, padding=True)
        return {**enc, **extra}

    def _expand(self, text: str, counts: list[int]) -> str:
        parts = text.split(self.image_token)
        if len(parts) - 1 != len(counts):
            raise BrushEditError(f"The prompt has {len(parts) - 1} image placeholders for {len(counts)} images.")
        return "".join(p + (self.image_token * counts[i] if i < len(counts) else "") for i, p in enumerate(parts))

    def batch_decode(self, ids, **kwargs) -> list[str]:
        return self.tokenizer.batch_decode(ids, **kwargs)


@dataclass
class LoadedVLM:
    model: object
    processor: object
    model_type: str
    device: torch.device


def _short(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def pick_dtype(name: str, device: torch.device) -> torch.dtype:
    """`auto` -> bfloat16 on CUDA that supports it (Qwen overflows in float16), else resolve_dtype."""
    if name == "auto" and device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return resolve_dtype(name, device)


def _processor(source: str, model_type: str, **kw):
    import transformers

    try:
        return transformers.AutoProcessor.from_pretrained(source, **kw)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ImportError) as exc:
        if not model_type.startswith("qwen"):
            raise ModelNotAvailableError(f"Could not load the processor of '{source}': {_short(exc)}.",
                                         fix=_FIX.format(id=source)) from exc
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kw)
    return QwenVLInputs(tokenizer, transformers.AutoImageProcessor.from_pretrained(source, **kw))


def load_vlm(source: str, device: str = "auto", dtype: str = "auto") -> LoadedVLM:
    """Model (eval, on device) and processor for `source` (hub id or local dir)."""
    import transformers

    from engine.model_check import offline_kwargs

    kw = offline_kwargs(source)  # offline: the cache only, failing at once instead of retrying the hub
    try:
        config = transformers.AutoConfig.from_pretrained(source, **kw)
        if config.model_type not in ARCHITECTURES:
            raise ModelNotAvailableError(
                f"'{source}' is a '{config.model_type}' model; the transformers planner supports "
                f"{', '.join(ARCHITECTURES)}.", fix="Use one of those, or serve it and use --planner openai.")
        dev = resolve_device(device)
        cls = getattr(transformers, ARCHITECTURES[config.model_type])
        model = cls.from_pretrained(source, dtype=pick_dtype(dtype, dev), **kw).to(dev).eval()
        processor = _processor(source, config.model_type, **kw)
    except BrushEditError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelNotAvailableError(f"Could not load the VLM '{source}': {_short(exc)}.",
                                     fix=_FIX.format(id=source)) from exc
    return LoadedVLM(model=model, processor=processor, model_type=config.model_type, device=dev)
