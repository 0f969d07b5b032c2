"""What every tool needs: settings, the image store and the (lazy) backends."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.backends import Backends
from engine.image_store import ImageStore
from engine.settings import Settings


@dataclass(frozen=True)
class ToolContext:
    settings: Settings
    store: ImageStore
    backends: Backends

    def image(self, image_id: str) -> np.ndarray:
        return self.store.get_image(image_id)

    def mask(self, mask_id: str) -> np.ndarray:
        return self.store.get_mask(mask_id)
