"""A small least-recently-used cache and the content key of an image."""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any, Hashable

import numpy as np


def image_key(image: np.ndarray) -> str:
    """sha256 of the pixels plus shape/dtype: equal keys mean the same image version."""
    digest = hashlib.sha256(np.ascontiguousarray(image).tobytes())
    digest.update(f"{image.shape}{image.dtype}".encode())
    return digest.hexdigest()


class LRUCache:
    """At most `size` entries; a hit moves the entry to the back, an insert evicts the oldest."""

    def __init__(self, size: int = 4):
        self.size = max(1, size)
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
