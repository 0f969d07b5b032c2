"""Offline segmenter: the mask of a box is the box itself (used by the `lite` profile)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.masks import box_mask


class BoxSegmenter:
    name = "box"

    def segment(self, image: np.ndarray, boxes: Sequence[tuple[float, float, float, float]]) -> list[np.ndarray]:
        shape = image.shape[:2]
        return [box_mask(shape, (x0, y0, x1 - x0, y1 - y0)) for x0, y0, x1, y1 in boxes]
