"""Offline inpainting without weights: OpenCV Telea / Navier-Stokes fill, for `remove` only.

It reconstructs background from the mask border; it cannot draw new content, so every
other category raises UnsupportedEditError naming the model that can.
"""
from __future__ import annotations

import cv2
import numpy as np

from engine.errors import UnsupportedEditError
from engine.images import validate_image, validate_mask
from engine.protocols import InpaintRequest


class ClassicalInpainter:
    name = "classical-telea"
    methods = ("telea", "ns")

    def __init__(self, radius: int = 7, method: str = "telea"):
        self.radius = radius
        self.flag = cv2.INPAINT_TELEA if method == "telea" else cv2.INPAINT_NS

    def supports(self, category: str) -> bool:
        return category == "remove"

    def inpaint(self, request: InpaintRequest) -> np.ndarray:
        if not self.supports(request.category):
            raise UnsupportedEditError(
                f"A '{request.category}' edit needs a diffusion inpainter; the offline classical "
                "backend can only remove objects.",
                fix="Use --profile full (BrushNet on SD1.5; weights from TencentARC/BrushEdit) "
                "or --inpainter sd-inpaint.",
            )
        image = validate_image(request.image)
        mask = validate_mask(request.mask, image.shape[:2]).astype(np.uint8) * 255
        bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        # Large images: fill at <= ~1024 px and upsample the fill (fast, coherent colour), keeping
        # every known pixel. Others: fill at full resolution.
        h, w = mask.shape
        step = max(1, int(np.ceil(max(h, w) / 1024)))
        if step > 1:
            size = (max(1, w // step), max(1, h // step))
            small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
            small_mask = cv2.dilate(cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST), np.ones((3, 3), np.uint8))
            fill = cv2.resize(cv2.inpaint(small, small_mask, self.radius, self.flag), (w, h), interpolation=cv2.INTER_CUBIC)
            out = np.where(mask[..., None] > 0, fill, bgr)
        else:
            out = cv2.inpaint(bgr, mask, self.radius, self.flag)
        return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)
