"""Uploaded images and masks: type sniffed from the bytes, size limits checked from the header BEFORE
any pixel is decoded (PIL's `Image.open` is lazy), then decoded with the engine's converters.

Only raster formats are tried (never EPS/PDF, which would start Ghostscript). PIL's own
decompression-bomb guard is turned into the typed `ImageTooLargeError` (HTTP 413).
"""
from __future__ import annotations

import base64
import binascii
import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import BadImageError, BadMaskError, ImageTooLargeError
from engine.images import to_rgb

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF")
MAX_ASPECT = 20  # long side / short side
MIN_SIDE = 8


def _open_checked(data: bytes, max_pixels: int, what: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(f"The {what} is too large to decode ({exc}).",
                                 fix=f"Send at most {max_pixels:,} pixels.") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise BadImageError(f"The {what} is not a readable image (the content is checked, not the file name).",
                            fix="Send a PNG, JPEG, WebP, BMP, TIFF or GIF file.") from exc
    w, h = img.size
    if w * h > max_pixels:
        raise ImageTooLargeError(f"The {what} is {w}x{h} = {w * h:,} pixels, over the limit of {max_pixels:,}.",
                                 fix="Downscale it, or raise BRUSHEDIT_API_MAX_PIXELS on the server.")
    if min(w, h) < MIN_SIDE or max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageTooLargeError(f"The {what} is {w}x{h}: sides must be >= {MIN_SIDE} px and the long side at "
                                 f"most {MAX_ASPECT}x the short side.", fix="Crop it to a less extreme shape.")
    try:
        img.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadImageError(f"The {what} is damaged and cannot be decoded.", fix="Re-save the file.") from exc
    return img


def decode_image(data: bytes, max_pixels: int) -> np.ndarray:
    """Bytes of an uploaded photo -> uint8 RGB [H, W, 3]."""
    return to_rgb(_open_checked(data, max_pixels, "image"))


def decode_mask(data: bytes, size: tuple[int, int], max_pixels: int) -> np.ndarray:
    """Bytes of a mask (white or opaque = edit) -> bool [H, W]; `size` (W, H) must match the image."""
    img = ImageOps.exif_transpose(_open_checked(data, max_pixels, "mask"))
    if img.size != tuple(size):
        raise BadMaskError(f"The mask is {img.size[0]}x{img.size[1]} but the image is {size[0]}x{size[1]}.",
                           fix="Send a mask of the same size as the image.")
    if img.mode in ("RGBA", "LA", "PA") and np.asarray(img.getchannel("A")).min() < 255:
        return np.asarray(img.getchannel("A")) > 127
    return np.asarray(img.convert("L")) > 127


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
