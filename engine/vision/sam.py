"""SAM box-prompted segmenter (transformers), the `Segmenter` of the `full` profile.

Weights come from a hub id or local dir (`settings.sam_model`, default facebook/sam-vit-huge) or
from an original `sam_vit_{b,l,h}_*.pth` (`settings.sam_checkpoint`), converted by key mapping.
The image embedding (the expensive ViT pass) is computed once per image version and reused by
every later prompt on the same pixels (LRU keyed by a hash of the image bytes).
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from engine.errors import BadBoxError
from engine.images import validate_image
from engine.settings import Settings
from engine.vision.cache import LRUCache, image_key
from engine.torch_runtime import resolve_device, resolve_dtype


@dataclass(frozen=True)
class ImageEmbedding:
    embeddings: torch.Tensor  # [1, C, h, w] on the model's device
    original_size: tuple[int, int]  # (H, W) of the image given
    reshaped_size: tuple[int, int]  # (H, W) after resizing the long side to the encoder size


def _check_boxes(boxes: Sequence, width: int, height: int) -> list[tuple[float, float, float, float]]:
    out = []
    for box in boxes:
        if len(box) != 4 or not all(math.isfinite(float(v)) for v in box):
            raise BadBoxError(f"Box {tuple(box)} must be 4 finite numbers x0, y0, x1, y1.")
        x0, y0 = max(0.0, float(box[0])), max(0.0, float(box[1]))
        x1, y1 = min(float(width), float(box[2])), min(float(height), float(box[3]))
        if x1 <= x0 or y1 <= y0:
            raise BadBoxError(f"Box {tuple(box)} (x0, y0, x1, y1) is empty inside the {width}x{height} image.",
                              fix="Give corners with x1 > x0 and y1 > y0 that overlap the image.")
        out.append((x0, y0, x1, y1))
    return out


class SamSegmenter:
    """`segment(image, boxes)` -> the best mask (highest predicted IoU) per box, bool [H, W]."""

    name = "sam"

    def __init__(self, model_id: str, checkpoint: Path | None = None, device: str = "auto", dtype: str = "auto",
                 cache_size: int = 4):
        self.model_id = model_id
        self.checkpoint = Path(checkpoint) if checkpoint else None
        self.device_name, self.dtype_name = device, dtype
        self._loaded: tuple | None = None
        self._lock = threading.Lock()
        self.embeddings = LRUCache(cache_size)  # .hits / .misses count reuse

    @classmethod
    def from_settings(cls, settings: Settings) -> "SamSegmenter":
        return cls(settings.sam_model, settings.sam_checkpoint, settings.device, settings.dtype)

    @classmethod
    def from_model(cls, model, processor, device: str = "cpu", cache_size: int = 4) -> "SamSegmenter":
        """Wrap an already built model + processor (benchmarks, tests); nothing is loaded later."""
        seg = cls(getattr(model.config, "_name_or_path", "") or "in-memory", device=device, cache_size=cache_size)
        seg._loaded = (model.eval(), processor)
        return seg

    def _load(self) -> tuple:
        with self._lock:
            if self._loaded is None:
                from engine.vision.loading import load_sam

                device = resolve_device(self.device_name)
                dtype = resolve_dtype(self.dtype_name, device)
                model, processor = load_sam(self.model_id, self.checkpoint)
                self._loaded = (model.to(device=device, dtype=dtype).eval(), processor)
            return self._loaded

    def embed(self, image: np.ndarray) -> ImageEmbedding:
        """The image embedding of `image`, from the cache when these exact pixels were seen."""
        validate_image(image)
        key = image_key(image)
        cached = self.embeddings.get(key)
        if cached is not None:
            return cached
        model, processor = self._load()
        inputs = processor(images=image, return_tensors="pt")
        param = next(model.parameters())
        with torch.inference_mode():
            emb = model.get_image_embeddings(inputs["pixel_values"].to(param.device, param.dtype))
        result = ImageEmbedding(emb, tuple(inputs["original_sizes"][0].tolist()),
                                tuple(inputs["reshaped_input_sizes"][0].tolist()))
        self.embeddings.put(key, result)
        return result

    def segment(self, image: np.ndarray, boxes: Sequence[tuple[float, float, float, float]]) -> list[np.ndarray]:
        """One bool [H, W] mask per box (x0, y0, x1, y1 pixels of `image`)."""
        validate_image(image)
        height, width = image.shape[:2]
        checked = _check_boxes(boxes, width, height)
        if not checked:
            return []
        emb = self.embed(image)
        model, processor = self._load()
        sy, sx = emb.reshaped_size[0] / height, emb.reshaped_size[1] / width
        prompt = torch.tensor([[[x0 * sx, y0 * sy, x1 * sx, y1 * sy] for x0, y0, x1, y1 in checked]],
                              dtype=emb.embeddings.dtype, device=emb.embeddings.device)
        with torch.inference_mode():
            out = model(image_embeddings=emb.embeddings, input_boxes=prompt, multimask_output=True)
        masks = processor.image_processor.post_process_masks(
            out.pred_masks.float().cpu(), [list(emb.original_size)], [list(emb.reshaped_size)], binarize=True
        )[0]  # [boxes, candidates, H, W]
        best = out.iou_scores[0].float().argmax(dim=-1).cpu()
        return [masks[i, int(best[i])].numpy().astype(bool) for i in range(len(checked))]
