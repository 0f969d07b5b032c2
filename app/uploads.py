"""Uploaded images and masks: decoded by the engine's loader (engine.images), so an upload meets the
same formats (sniffed from the bytes, raster only: never EPS/PDF, which would start Ghostscript) and
the same limits (Settings.image_limits, checked from the header BEFORE any pixel is decoded) as a
file given to the CLI or the Session API. Over a limit: `ImageTooLargeError` (HTTP 413).
"""
from __future__ import annotations

import base64
import binascii

import numpy as np

from engine.errors import BadMaskError, ImageTooLargeError
from engine.images import ImageLimits, load_image, load_mask


def decode_image(data: bytes, limits: ImageLimits) -> np.ndarray:
    """Bytes of an uploaded photo -> uint8 RGB [H, W, 3]."""
    return load_image(bytes(data), limits)


def decode_mask(data: bytes, size: tuple[int, int], limits: ImageLimits) -> np.ndarray:
    """Bytes of a mask (white or opaque = edit) -> bool [H, W]; `size` (W, H) must match the image."""
    return load_mask(bytes(data), size, limits)


def b64_bytes(text: str, max_bytes: int, what: str = "mask_png_base64") -> bytes:
    """A base64 string (optionally a data: URL) -> bytes; malformed or too long -> typed errors."""
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    if len(payload) * 3 // 4 > max_bytes:
        raise ImageTooLargeError(f"`{what}` decodes to more than {max_bytes:,} bytes.",
                                 fix="Send a smaller PNG (a mask compresses well as 1-bit PNG).")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadMaskError(f"`{what}` is not valid base64.",
                           fix="Send the PNG bytes base64-encoded (a data:image/png;base64,... URL also works).") from exc
