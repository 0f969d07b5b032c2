"""The box itself as the mask (what the `lite` profile did before it segmented inside the box).

Kept as the baseline row of benchmarks/removal.py and as a simple segmenter for tests; the `box`
setting now names the classical GrabCut segmenter (engine/vision/classical_segmenter.py).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.masks import box_mask


class BoxSegmenter:
    name = "rect"

    def segment(self, image: np.ndarray, boxes: Sequence[tuple[float, float, float, float]]) -> list[np.ndarray]:
        shape = image.shape[:2]
        return [box_mask(shape, (x0, y0, x1 - x0, y1 - y0)) for x0, y0, x1, y1 in boxes]
