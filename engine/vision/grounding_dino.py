"""GroundingDINO text-prompted box detector (transformers), the `Detector` of the `full` profile.

Weights come from a hub id or local dir (`settings.detector_model`, default
IDEA-Research/grounding-dino-base) or from the original IDEA-Research checkpoint
(`settings.detector_checkpoint`, e.g. groundingdino_swint_ogc.pth, the file BrushEdit's app
downloads), converted by key mapping; the tokenizer/image processor then come from
`settings.detector_model`. Nothing is loaded before the first `detect`.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from PIL import Image

from engine.images import validate_image
from engine.protocols import Detection
from engine.settings import Settings
from engine.vision.cache import LRUCache, image_key
from engine.torch_runtime import resolve_device, resolve_dtype

DUPLICATE_IOU = 0.8  # boxes overlapping a better one this much are the same object


def caption_for(text: str) -> str:
    """GroundingDINO's prompt format: lower case, phrases ended by ' .'."""
    text = " ".join(text.lower().split())
    return text if text.endswith(".") else text + " ."


def clean_label(label: str, special_tokens: list[str]) -> str:
    """Drop tokenizer specials ([SEP] ...) and the phrase dots from a decoded label."""
    for token in special_tokens:
        label = label.replace(token, " ")
    return " ".join(label.replace(".", " ").split())


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def label_matches(label: str, target: str) -> bool:
    """A label (the prompt words GroundingDINO tied to a box) matches if it is made of target words."""
    words = _words(label)
    return bool(words) and words <= _words(target)


def _iou(a: tuple, b: tuple) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def merge_duplicates(dets: list[Detection], iou: float = DUPLICATE_IOU) -> list[Detection]:
    """Best-first; drop boxes that overlap an already kept box by more than `iou`."""
    kept: list[Detection] = []
    for det in sorted(dets, key=lambda d: -d.score):
        if all(_iou(det.box, k.box) <= iou for k in kept):
            kept.append(det)
    return kept


@dataclass
class _Loaded:
    model: object
    processor: object


class GroundingDinoDetector:
    """`detect(image, text)` -> every box whose label matches `text` above the thresholds."""

    name = "grounding-dino"

    def __init__(self, model_id: str, checkpoint: Path | None = None, device: str = "auto", dtype: str = "auto"):
        self.model_id = model_id
        self.checkpoint = Path(checkpoint) if checkpoint else None
        self.device_name, self.dtype_name = device, dtype
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._raw = LRUCache(4)  # (image, caption) -> raw outputs, reused down the threshold ladder
        self.forward_calls = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> "GroundingDinoDetector":
        return cls(settings.detector_model, settings.detector_checkpoint, settings.device, settings.dtype)

    @classmethod
    def from_model(cls, model, processor, device: str = "cpu") -> "GroundingDinoDetector":
        """Wrap an already built model + processor (benchmarks, tests); nothing is loaded later."""
        det = cls(getattr(model.config, "_name_or_path", "") or "in-memory", device=device)
        det._loaded = _Loaded(model.eval(), processor)
        return det

    # --- loading ------------------------------------------------------------------------------
    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                from engine.vision.loading import load_grounding_dino

                device = resolve_device(self.device_name)
                dtype = resolve_dtype(self.dtype_name, device, half_ok=False)
                model, processor = load_grounding_dino(self.model_id, self.checkpoint)
                self._loaded = _Loaded(model.to(device=device, dtype=dtype).eval(), processor)
            return self._loaded

    # --- inference ----------------------------------------------------------------------------
    def _raw_outputs(self, image: np.ndarray, caption: str) -> SimpleNamespace:
        key = (image_key(image), caption)
        cached = self._raw.get(key)
        if cached is not None:
            return cached
        loaded = self._load()
        model = loaded.model
        inputs = loaded.processor(images=Image.fromarray(image), text=caption, return_tensors="pt")
        param = next(model.parameters())
        inputs = {k: (v.to(param.device, param.dtype) if v.is_floating_point() else v.to(param.device))
                  for k, v in inputs.items() if isinstance(v, torch.Tensor)}
        with torch.inference_mode():
            out = model(**inputs)
        self.forward_calls += 1
        raw = SimpleNamespace(logits=out.logits.float().cpu(), pred_boxes=out.pred_boxes.float().cpu(),
                              input_ids=inputs["input_ids"].cpu())
        self._raw.put(key, raw)
        return raw

    def detect(
        self, image: np.ndarray, text: str, box_threshold: float = 0.3, text_threshold: float = 0.25
    ) -> list[Detection]:
        """Boxes (x0, y0, x1, y1 pixels of `image`), best first, duplicates merged."""
        validate_image(image)
        if not text.strip():
            return []
        caption = caption_for(text)
        raw = self._raw_outputs(image, caption)
        h, w = image.shape[:2]
        processor = self._load().processor
        specials = list(getattr(processor.tokenizer, "all_special_tokens", []))
        result = processor.post_process_grounded_object_detection(
            raw, raw.input_ids, threshold=box_threshold, text_threshold=text_threshold, target_sizes=[(h, w)]
        )[0]
        dets = []
        for score, box, label in zip(result["scores"].tolist(), result["boxes"].tolist(), result["text_labels"]):
            label = clean_label(label, specials)
            x0, y0, x1, y1 = max(0.0, box[0]), max(0.0, box[1]), min(float(w), box[2]), min(float(h), box[3])
            if x1 > x0 and y1 > y0 and label_matches(label, text):
                dets.append(Detection((x0, y0, x1, y1), float(score), label))
        return merge_duplicates(dets)
