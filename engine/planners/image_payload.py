"""The one image a VLM sees: downscaled to a max side and sent as a base64 data URL."""
from __future__ import annotations

import base64
import io
import re

import numpy as np
from PIL import Image

from engine.errors import BadImageError
from engine.images import resize_image, validate_image

_DATA_URL = re.compile(r"^data:image/[a-zA-Z0-9.+-]+;base64,(.*)$", re.DOTALL)


def shown_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """(W, H) of the image the model is shown: the longer side at most `max_side`, aspect kept."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def encode_image(image: np.ndarray, max_side: int, quality: int = 90) -> tuple[str, tuple[int, int]]:
    """uint8 RGB -> (JPEG data URL, (W, H) of the encoded image)."""
    validate_image(image)
    size = shown_size(image.shape[1], image.shape[0], max_side)
    small = resize_image(image, size)
    buf = io.BytesIO()
    Image.fromarray(small).save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), size


def decode_data_url(url: str) -> Image.Image:
    """A base64 data URL -> RGB PIL image (local backends receive images this way)."""
    match = _DATA_URL.match(url or "")
    if not match:
        raise BadImageError(f"Expected a base64 image data URL, got {url[:40]!r}…",
                            fix="Send images as data:image/<type>;base64,<data>.")
    try:
        img = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
        img.load()
    except (OSError, ValueError) as exc:
        raise BadImageError(f"The image data URL does not hold a readable image: {exc}.") from exc
    return img.convert("RGB")
