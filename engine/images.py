"""Load, normalise and resize images and masks.

Conventions used everywhere in this project:
- an image is a numpy array `uint8[H, W, 3]`, RGB;
- a mask is a numpy array `bool[H, W]`, True = edit this pixel;
- a box is `(x, y, w, h)` in pixels of the image it refers to.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import BadImageError, BadMaskError, ImageTooLargeError

@dataclass(frozen=True)
class ImageLimits:
    """What an input image (or mask) may be; checked from the file header BEFORE any pixel is decoded.
    Each field is a setting (`Settings.image_limits`, env BRUSHEDIT_<NAME>)."""

    max_image_pixels: int = 40_000_000
    max_image_side: int = 20_000
    min_image_side: int = 8
    max_image_aspect: float = 10.0


# the formats we decode, everywhere (files, uploads); raster only: never EPS/PDF (Ghostscript)
FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF")
FORMAT_NAMES = "PNG, JPEG, WebP, BMP, TIFF or GIF"

DEFAULT_LIMITS = ImageLimits()  # what a session accepts (Settings.image_limits holds the configured ones)
DECODE_LIMITS = ImageLimits(min_image_side=1, max_image_aspect=float("inf"))  # no limits given: bombs only
MAX_PIXELS = DEFAULT_LIMITS.max_image_pixels
WORKING_MAX_ASPECT = 3  # the working image's long side is at most 3x its short side


def _too(what: str, value: str, limit: str, setting: str, fix: str) -> ImageTooLargeError:
    return ImageTooLargeError(f"{what} is {value}; the limit is {limit} (setting {setting}, env "
                              f"BRUSHEDIT_{setting.upper()}).", fix=fix)


def check_image_size(width: int, height: int, limits: ImageLimits | None = None, what: str = "The image") -> None:
    """ImageTooLargeError (BadImageError when too small) unless width x height is within `limits`
    (default: the decompression-bomb caps only)."""
    lim = limits or DECODE_LIMITS
    size = f"{width}x{height}"
    if width * height > lim.max_image_pixels:
        raise _too(what, f"{size} = {width * height / 1e6:.1f} MP", f"{lim.max_image_pixels / 1e6:g} MP",
                   "max_image_pixels", "Downscale it first (e.g. to 4000 px on the long side).")
    if max(width, height) > lim.max_image_side:
        raise _too(what, size, f"{lim.max_image_side} px per side", "max_image_side", "Downscale it first.")
    if min(width, height) < lim.min_image_side:
        raise BadImageError(f"{what} is {size}; each side must be at least {lim.min_image_side} px "
                            "(setting min_image_side, env BRUSHEDIT_MIN_IMAGE_SIDE).", fix="Use a larger image.")
    aspect = max(width, height) / min(width, height)
    if aspect > lim.max_image_aspect:
        raise _too(what, f"{size} (aspect {aspect:.0f}:1)", f"{lim.max_image_aspect:g}:1", "max_image_aspect",
                   "Crop it to a less elongated shape.")


def _bomb(source, exc: Exception, limits: ImageLimits) -> ImageTooLargeError:
    found = re.search(r"\((\d+) pixels\)", str(exc))
    value = f"{int(found.group(1)) / 1e6:.0f} MP" if found else "too many pixels"
    return _too(f"'{_name(source)}'", f"{value} (a decompression bomb?)", f"{limits.max_image_pixels / 1e6:g} MP",
                "max_image_pixels", "Downscale it first.")


def _name(source) -> str:
    return "<bytes>" if isinstance(source, (bytes, bytearray)) else str(source)


def _label(what: str, source) -> str:
    """'The image' (uploaded bytes) or "The image 'path'" (a file)."""
    return what if isinstance(source, (bytes, bytearray)) else f"{what} '{source}'"


def _open(source: str | Path | bytes, limits: ImageLimits | None = None,
          size: tuple[int, int] | None = None, what: str = "The image") -> Image.Image:
    """Open, check the header's size against `limits` (and `size` = (W, H) when given), then decode.
    Without `limits` only the pixel and side caps apply (decompression bombs); shape limits come with settings."""
    lim = limits or DECODE_LIMITS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if isinstance(source, (bytes, bytearray)):
                img = Image.open(io.BytesIO(source), formats=FORMATS)
            else:
                path = Path(source)
                if not path.is_file():
                    raise BadImageError(f"Image file not found: '{path}'.", fix="Check the path.")
                img = Image.open(path, formats=FORMATS)
            if size is not None and tuple(img.size) not in (tuple(size), tuple(size)[::-1]):  # EXIF may rotate
                raise BadMaskError(f"{what} is {img.width}x{img.height} but the image is {size[0]}x{size[1]}.",
                                   fix="Give a mask of the same size as the image.")
            check_image_size(img.width, img.height, lim, _label(what, source))
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(source, exc, lim) from exc
    except UnidentifiedImageError as exc:
        raise BadImageError(
            f"{_label(what, source)} is not a readable image: its content (not its name) must be {FORMAT_NAMES}.",
            fix=f"Convert it to PNG or JPEG (the formats read are {FORMAT_NAMES}).",
        ) from exc
    except OSError as exc:
        raise BadImageError(f"Could not read {_label(what.lower(), source)}: {exc}.", fix="Re-save the file.") from exc
    except MemoryError as exc:
        raise _too(f"'{_name(source)}'", "too large to decode in the memory available",
                   f"{lim.max_image_pixels / 1e6:g} MP", "max_image_pixels", "Downscale it first.") from exc
    return img


def to_rgb(img: Image.Image) -> np.ndarray:
    """Any PIL mode (RGBA, LA, P, CMYK, I;16, I, F, L, 1) -> uint8 RGB, EXIF orientation applied."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        if img.mode == "F" and arr.max() <= 1.0:
            hi = 1.0  # float images in 0..1
        elif img.mode.startswith("I;16") or arr.max() > 255:
            hi = 65535.0
        else:
            hi = 255.0
        arr = np.clip(arr / hi * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(arr[..., None], 3, axis=2)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def load_image(source: str | Path | bytes, limits: ImageLimits | None = None, what: str = "The image") -> np.ndarray:
    """Read an image file (or bytes) as uint8 RGB [H, W, 3]; its size is checked against `limits` first."""
    return to_rgb(_open(source, limits, what=what))


def load_mask(source: str | Path | bytes, size: tuple[int, int] | None = None,
              limits: ImageLimits | None = None) -> np.ndarray:
    """Read a mask file: white (>127, or opaque alpha for RGBA) = edit. `size` is (W, H) to check
    (from the header, before decoding)."""
    img = ImageOps.exif_transpose(_open(source, limits, size=size, what="The mask"))
    if img.mode in ("RGBA", "LA") and np.asarray(img.getchannel("A")).min() < 255:
        arr = np.asarray(img.getchannel("A")) > 127
    else:
        arr = np.asarray(img.convert("L")) > 127
    if size is not None and (arr.shape[1], arr.shape[0]) != tuple(size):
        raise BadMaskError(
            f"Mask is {arr.shape[1]}x{arr.shape[0]} but the image is {size[0]}x{size[1]}.",
            fix="Give a mask of the same size as the image.",
        )
    return arr


def validate_image(image: np.ndarray, name: str = "image", limits: ImageLimits | None = None) -> np.ndarray:
    """`image` if it is uint8 RGB [H, W, 3] (and, with `limits`, within them), else BadImageError."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = getattr(image, "dtype", type(image).__name__), getattr(image, "shape", None)
        raise BadImageError(f"`{name}` must be uint8 [H, W, 3] RGB, got {got}.")
    if limits is not None:
        check_image_size(image.shape[1], image.shape[0], limits, f"`{name}`")
    return image


def validate_mask(mask: np.ndarray, shape: tuple[int, int], name: str = "mask") -> np.ndarray:
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        raise BadMaskError(f"`{name}` must be a 2-D array, got shape {getattr(mask, 'shape', None)}.")
    if mask.shape != tuple(shape):
        raise BadMaskError(f"`{name}` is {mask.shape[1]}x{mask.shape[0]}, image is {shape[1]}x{shape[0]}.")
    return mask.astype(bool) if mask.dtype != bool else mask


def working_size(width: int, height: int, short_side: int = 640, multiple: int = 8) -> tuple[int, int]:
    """(W, H) with the short side scaled to `short_side`, both rounded to a multiple of `multiple`;
    the long side is capped at WORKING_MAX_ASPECT x `short_side` (an elongated image gets a shorter
    short side rather than a huge long one: 10000x1000 -> 1920x192, not 6400x640)."""
    if width <= 0 or height <= 0:
        raise BadImageError(f"Image size must be positive, got {width}x{height}.")
    scale = min(short_side / min(width, height), WORKING_MAX_ASPECT * short_side / max(width, height))
    w = max(multiple, int(round(width * scale / multiple)) * multiple)
    h = max(multiple, int(round(height * scale / multiple)) * multiple)
    return w, h


def resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize uint8 RGB to (W, H) with Lanczos (down) / bicubic (up)."""
    if (image.shape[1], image.shape[0]) == tuple(size):
        return image
    down = size[0] < image.shape[1]
    method = Image.Resampling.LANCZOS if down else Image.Resampling.BICUBIC
    return np.asarray(Image.fromarray(image).resize(size, method), dtype=np.uint8)


def resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a bool mask to (W, H) with nearest neighbour (exact for integer ratios)."""
    if (mask.shape[1], mask.shape[0]) == tuple(size):
        return mask
    img = Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.Resampling.NEAREST)
    return np.asarray(img) > 127


def to_png_bytes(array: np.ndarray, compress_level: int = 1) -> bytes:
    """Lossless PNG. Level 1 encodes ~5x faster than the default 6 for ~10 % more bytes."""
    buf = io.BytesIO()
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    Image.fromarray(array).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()
