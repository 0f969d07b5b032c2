"""The image store's file formats and the id of a pixel array.

An id is the sha256 of a canonical encoding of the PIXELS, never of a file's bytes:

    image (uint8 [H, W, 3] RGB):  b"brushedit-pixels-v1 rgb8 {H}x{W}\\n" + the RGB bytes in C order
    mask  (bool [H, W]):          b"brushedit-pixels-v1 mask {H}x{W}\\n" + one byte per pixel, 0 or 1

so changing how files are encoded never changes what an id means. Files (chosen by measurement,
benchmarks/codecs.py and docs/benchmarks.md): images are QOI (the `qoi` package, ~10x faster than
PNG level 1 both ways at ~1.2x its size on photos), masks are 8-bit grayscale PNG 0/255 (OpenCV,
no row filter: ~1 ms at 1024², a few KB). Stores written before this scheme hold `<id>.png` files
whose id is the sha256 of the FILE bytes; `verify_decoded` accepts either meaning for a PNG.
Heavy codec modules (OpenCV, qoi) are imported on first use, so model-free commands stay light.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where pixels are touched: model-free commands start without it
    import numpy as np

PIXELS_V1 = b"brushedit-pixels-v1"
IMAGE_EXT, MASK_EXT, LEGACY_EXT = ".qoi", ".png", ".png"


def kind_of(array: np.ndarray) -> str:
    """'image' for uint8 [H, W, 3], 'mask' for bool [H, W]; ValueError for anything else."""
    if array.dtype == "uint8" and array.ndim == 3 and array.shape[2] == 3:
        return "image"
    if array.dtype == bool and array.ndim == 2:
        return "mask"
    raise ValueError(f"the image store holds uint8 [H, W, 3] RGB images and bool [H, W] masks, "
                     f"got {array.dtype} {array.shape}")


def pixel_hasher(array: np.ndarray, kind: str):
    """A running sha256 over the canonical header and the pixels (array must be C-contiguous)."""
    h, w = array.shape[:2]
    tag = b"rgb8" if kind == "image" else b"mask"
    digest = hashlib.sha256(b"%s %s %dx%d\n" % (PIXELS_V1, tag, h, w))
    digest.update(memoryview(array).cast("B"))  # hashlib releases the GIL on large buffers
    return digest


def pixel_id(array: np.ndarray) -> str:
    import numpy as np

    return pixel_hasher(np.ascontiguousarray(array), kind_of(array)).hexdigest()


def encode(array: np.ndarray, kind: str) -> tuple[bytes, str]:
    """(file bytes, extension) of a C-contiguous image or mask."""
    import numpy as np

    if kind == "image":
        import qoi

        return qoi.encode(array), IMAGE_EXT
    import cv2

    params = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE]
    ok, buf = cv2.imencode(".png", array.view(np.uint8) * np.uint8(255), params)
    if not ok:  # pragma: no cover - OpenCV only fails on unsupported arrays, excluded by kind_of
        raise ValueError("OpenCV could not encode the mask as PNG")
    return buf.tobytes(), MASK_EXT


def decode(data: bytes, ext: str) -> np.ndarray:
    """The stored array: uint8 RGB [H, W, 3] or uint8 gray [H, W] (masks). ValueError if unreadable."""
    import numpy as np

    if ext == IMAGE_EXT:
        import qoi

        try:
            arr = qoi.decode(data, channels=3)
        except Exception as exc:  # the Rust decoder raises ValueError/RuntimeError variants
            raise ValueError(f"not a QOI image ({exc})") from exc
        return np.ascontiguousarray(arr)
    import cv2

    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None or arr.dtype != np.uint8 or arr.ndim not in (2, 3):
        raise ValueError("not an 8-bit PNG")
    if arr.ndim == 3:
        code = cv2.COLOR_BGRA2RGB if arr.shape[2] == 4 else cv2.COLOR_BGR2RGB
        arr = cv2.cvtColor(arr, code)
    return arr


def canonical(decoded: np.ndarray) -> tuple[np.ndarray, str]:
    """Decoded file array -> (array as the store hands it out, kind): gray 0/255 becomes a bool mask."""
    if decoded.ndim == 2:
        return decoded > 127, "mask"
    return decoded, "image"


def read_verified(image_id: str, data: bytes, ext: str) -> tuple[np.ndarray, str]:
    """Decode a stored file and check it is what `image_id` names: (array, kind), else ValueError.

    A legacy `.png` passes when sha256(file bytes) == id (how those ids were made); every other
    file passes when the pixel hash of what it decodes to == id. A mask file must hold only 0
    and 255, so no byte of it can change unnoticed.
    """
    import numpy as np

    legacy = ext == LEGACY_EXT and hashlib.sha256(data).hexdigest() == image_id
    decoded = decode(data, ext)
    array, kind = canonical(decoded)
    if legacy:
        return array, kind
    if kind == "mask" and not np.array_equal(array.view(np.uint8) * np.uint8(255), decoded):
        raise ValueError("a mask file holds values other than 0 and 255")
    if pixel_hasher(np.ascontiguousarray(array), kind).hexdigest() != image_id:
        raise ValueError("its pixels do not hash to its id")
    return array, kind


def convert(array: np.ndarray, stored_kind: str, wanted: str) -> np.ndarray:
    """An image read as a mask (luma > 127) or a mask read as an image (0/255 gray RGB)."""
    import numpy as np

    if stored_kind == wanted:
        return array
    if wanted == "mask":
        luma = array.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        return luma > 127.5
    return np.repeat((array.view(np.uint8) * np.uint8(255))[..., None], 3, axis=2)
