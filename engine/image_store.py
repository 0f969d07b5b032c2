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
from pathlib import Path

import numpy as np
from PIL import Image

from engine.errors import StoreIntegrityError
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

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, image_id: str) -> Path:
        image_id = validate_id(image_id)
        return self.root / image_id[:2] / f"{image_id}.png"

    def put(self, array: np.ndarray) -> str:
        data = to_png_bytes(np.ascontiguousarray(array))
        image_id = hashlib.sha256(data).hexdigest()
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
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return image_id

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

    def get_image(self, image_id: str, verify: bool = False) -> np.ndarray:
        """uint8 RGB [H, W, 3]."""
        return np.asarray(self._read(image_id, verify).convert("RGB"), dtype=np.uint8)

    def get_mask(self, image_id: str, verify: bool = False) -> np.ndarray:
        """bool [H, W]."""
        return np.asarray(self._read(image_id, verify).convert("L")) > 127
