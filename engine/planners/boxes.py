"""Turn whatever box a VLM answers into (x, y, w, h) pixels of the full-resolution image.

Accepted forms: a list [a, b, c, d]; a dict {x, y, w, h} / {x, y, width, height} /
{x0, y0, x1, y1} / {x1, y1, x2, y2} / {xmin, ymin, xmax, ymax}; a string of four numbers, including
Qwen2-VL's "<|box_start|>(x0,y0),(x1,y1)<|box_end|>". Scales: fractions 0-1, Qwen2-VL's 0-1000
grid (assumed when a value exceeds the shown image but not 1000; such boxes are corners, as
Qwen2-VL answers), or pixels of the image the model was shown (`shown` = (W, H)). A pixel list is
read as x, y, w, h (what the prompt asks for) unless only the corner reading fits inside the image.
"""
from __future__ import annotations

import re

from engine.plan import Box

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_XYWH_KEYS = (("x", "y", "w", "h"), ("x", "y", "width", "height"), ("left", "top", "width", "height"))
_CORNER_KEYS = (("x0", "y0", "x1", "y1"), ("x1", "y1", "x2", "y2"), ("xmin", "ymin", "xmax", "ymax"),
                ("left", "top", "right", "bottom"))


class BoxParseError(ValueError):
    """A box value that cannot be read as four coordinates inside the image."""


def _numbers(values) -> list[float]:
    try:
        nums = [float(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise BoxParseError(f"box values must be numbers, got {values!r}") from exc
    if len(nums) != 4:
        raise BoxParseError(f"a box needs 4 numbers [x, y, w, h], got {len(nums)}: {values!r}")
    return nums


def _read(value) -> tuple[list[float], str | None, bool]:
    """(numbers, 'xywh' | 'corners' | None when unknown, is_qwen_grid)."""
    if isinstance(value, dict):
        low = {str(k).lower(): v for k, v in value.items()}
        for keys in _XYWH_KEYS:
            if all(k in low for k in keys):
                return _numbers(low[k] for k in keys), "xywh", False
        for keys in _CORNER_KEYS:
            if all(k in low for k in keys):
                return _numbers(low[k] for k in keys), "corners", False
        for key in ("bbox_2d", "bbox", "box"):
            if key in low:
                nums, _, grid = _read(low[key])
                return nums, "corners" if key == "bbox_2d" else None, grid
        raise BoxParseError(f"box keys not understood: {sorted(low)}; use [x, y, w, h]")
    if isinstance(value, str):
        grid = "box_start" in value
        return _numbers(_NUMBER.findall(value)), "corners" if grid else None, grid
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(p, (list, tuple)) for p in value):  # [[x0, y0], [x1, y1]]
            return _numbers([*value[0], *value[1]]), "corners", False
        return _numbers(value), None, False
    raise BoxParseError(f"box must be a list [x, y, w, h] or an object, got {type(value).__name__}")


def _scale(nums: list[float], shown: tuple[int, int], grid: bool) -> tuple[list[float], bool]:
    """(numbers in pixels of the shown image, whether they were on Qwen2-VL's 0-1000 grid)."""
    w, h = shown
    too_big = nums[0] > w or nums[2] > w or nums[1] > h or nums[3] > h
    if grid or (too_big and max(nums) <= 1000):
        return [nums[0] * w / 1000, nums[1] * h / 1000, nums[2] * w / 1000, nums[3] * h / 1000], True
    if max(nums) <= 1.0 and min(nums) >= 0.0:
        return [nums[0] * w, nums[1] * h, nums[2] * w, nums[3] * h], False
    return nums, False


def _as_xywh(px: list[float], form: str | None, shown: tuple[int, int]) -> list[float]:
    a, b, c, d = px
    if form == "corners":
        return [a, b, c - a, d - b]
    if form is None and (a + c > shown[0] * 1.02 or b + d > shown[1] * 1.02) and c > a and d > b \
            and c <= shown[0] * 1.02 and d <= shown[1] * 1.02:
        return [a, b, c - a, d - b]  # only the corner reading fits inside the image
    return [a, b, c, d]


def normalise_box(value, shown: tuple[int, int], full: tuple[int, int]) -> Box:
    """A model's box -> Box in pixels of the full image. `shown`/`full` are (W, H)."""
    nums, form, grid = _read(value)
    px, on_grid = _scale(nums, shown, grid)
    x, y, w, h = _as_xywh(px, form or ("corners" if on_grid else None), shown)
    x0, y0 = max(0.0, x), max(0.0, y)
    x1, y1 = min(float(shown[0]), x + w), min(float(shown[1]), y + h)
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise BoxParseError(f"box {value!r} is empty or outside the {shown[0]}x{shown[1]} image; "
                            "give [x, y, w, h] in pixels with w, h > 0")
    sx, sy = full[0] / shown[0], full[1] / shown[1]
    return Box(x=round(x0 * sx, 1), y=round(y0 * sy, 1), w=round((x1 - x0) * sx, 1), h=round((y1 - y0) * sy, 1))


def box_without_image(value) -> Box:
    """A box when no image was shown: read as given (pixels), corners converted to x, y, w, h."""
    nums, form, _ = _read(value)
    x, y, c, d = nums
    w, h = (c - x, d - y) if form == "corners" else (c, d)
    if w <= 0 or h <= 0:
        raise BoxParseError(f"box {value!r} has no area; give [x, y, w, h] with w, h > 0")
    return Box(x=x, y=y, w=w, h=h)
