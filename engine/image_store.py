"""Content-addressed image store: PNG files named by the sha256 of their bytes.

Ids are 64 lowercase hex characters and are validated before any path is built, so no
path ever comes from user input. Masks (bool arrays) are stored as 8-bit PNG (0/255).
Writes are atomic (temp file + rename); re-putting the same pixels is a no-op.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image

from engine.errors import StoreIntegrityError, os_error
from engine.images import to_png_bytes

_ID = re.compile(r"^[0-9a-f]{64}$")


def validate_id(image_id: str) -> str:
    if not isinstance(image_id, str) or not _ID.match(image_id):
        raise StoreIntegrityError(
            f"'{image_id}' is not an image id (64 lowercase hex characters).",
            fix="Use an id returned by the store (see `brushedit history`).",
        )
    return image_id


class ImageStore:
    """Stores uint8 RGB images and bool masks; returns their sha256 ids."""

    def __init__(self, root: str | Path, cache_size: int = 8):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def _remember(self, key: tuple[str, str], array: np.ndarray) -> np.ndarray:
        array.setflags(write=False)  # cached arrays are shared: callers must copy to modify
        self._cache[key] = array
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return array

    def path(self, image_id: str) -> Path:
        image_id = validate_id(image_id)
        return self.root / image_id[:2] / f"{image_id}.png"

    def put(self, array: np.ndarray) -> str:
        data = to_png_bytes(np.ascontiguousarray(array))
        image_id = hashlib.sha256(data).hexdigest()
        kind = "mask" if array.dtype == bool else "image"
        self._remember((kind, image_id), np.array(array, copy=True))
        target = self.path(image_id)
        if target.exists():
            return image_id
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):  # disk full / read-only: typed, with the bytes it needed
                raise os_error(exc, target, len(data)) from exc
            raise
        return image_id

    def ids(self):
        """Every stored id (files with a valid id name only)."""
        for path in self.root.glob("??/*.png"):
            if _ID.match(path.stem):
                yield path.stem

    def remove(self, image_id: str) -> int:
        """Delete one stored image; returns the bytes freed (0 if it was not there)."""
        path = self.path(image_id)
        size = path.stat().st_size if path.exists() else 0
        path.unlink(missing_ok=True)
        self._cache.pop(("image", image_id), None)
        self._cache.pop(("mask", image_id), None)
        return size

    def exists(self, image_id: str) -> bool:
        return self.path(image_id).exists()

    def _read(self, image_id: str, verify: bool) -> Image.Image:
        path = self.path(image_id)
        if not path.exists():
            raise StoreIntegrityError(f"Image '{image_id}' is not in the store at {self.root}.")
        data = path.read_bytes()
        if verify and hashlib.sha256(data).hexdigest() != image_id:
            raise StoreIntegrityError(f"Stored file for '{image_id}' does not match its hash (corrupt).")
        import io

        img = Image.open(io.BytesIO(data))
        img.load()
        return img

    def _get(self, kind: str, image_id: str, verify: bool) -> np.ndarray:
        hit = None if verify else self._cache.get((kind, image_id))
        if hit is not None:
            self._cache.move_to_end((kind, image_id))
            return hit
        img = self._read(image_id, verify)
        arr = np.asarray(img.convert("RGB"), dtype=np.uint8) if kind == "image" else np.asarray(img.convert("L")) > 127
        return self._remember((kind, image_id), np.array(arr, copy=True))

    def get_image(self, image_id: str, verify: bool = False) -> np.ndarray:
        """uint8 RGB [H, W, 3], read-only (copy it to modify)."""
        return self._get("image", image_id, verify)

    def get_mask(self, image_id: str, verify: bool = False) -> np.ndarray:
        """bool [H, W], read-only (copy it to modify)."""
        return self._get("mask", image_id, verify)
