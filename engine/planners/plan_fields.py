"""The conversation and adjustment fields of a model's plan, repaired where that is safe.

- `operations`: [{"op": "brightness", "strength": 0.3}], {"brightness": 0.3}, ["grayscale", "contrast +0.2"];
  operation synonyms ("black_and_white", "exposure", "darken", "bokeh" ...), strengths as numbers,
  percentages ("30%", 0..100) or words ("slight", "strong"), a sign taken from the verb ("darken" ->
  negative), values clamped into the operation's range. An unknown operation is an error the model is
  re-asked with.
- `undo`: a count 0..20 (true -> 1).
- `references`: [{"phrase", "resolved", "turn"}] with `turn` as numbered in the prompt (1 = oldest);
  entries that cannot be read are dropped (they only describe the plan, they do not change it).
- `not_an_edit`: the model said there is nothing to plan ({"category": "none"} or a refusal in prose).
"""
from __future__ import annotations

import re

from pydantic import ValidationError

from engine.plan import SIGNED_ADJUSTMENTS, AdjustOp, Reference

_OP_SYNONYMS: dict[str, tuple[str, int]] = {  # name -> (operation, sign the name implies; 0 = from the value)
    "grayscale": ("grayscale", 1), "greyscale": ("grayscale", 1), "black_and_white": ("grayscale", 1),
    "black_white": ("grayscale", 1), "bw": ("grayscale", 1), "b_w": ("grayscale", 1), "monochrome": ("grayscale", 1),
    "sepia": ("sepia", 1), "vintage": ("vintage", 1), "retro": ("vintage", 1), "film": ("vintage", 1),
    "background_blur": ("background_blur", 1), "blur_background": ("background_blur", 1),
    "bokeh": ("background_blur", 1), "depth_of_field": ("background_blur", 1), "defocus_background": ("background_blur", 1),
    "brightness": ("brightness", 0), "exposure": ("brightness", 0), "brighten": ("brightness", 1),
    "lighten": ("brightness", 1), "darken": ("brightness", -1), "contrast": ("contrast", 0),
    "saturation": ("saturation", 0), "vibrance": ("saturation", 0), "saturate": ("saturation", 1),
    "desaturate": ("saturation", -1), "warmth": ("warmth", 0), "temperature": ("warmth", 0), "warm": ("warmth", 1),
    "warmer": ("warmth", 1), "cool": ("warmth", -1), "cooler": ("warmth", -1), "sharpness": ("sharpness", 0),
    "sharpen": ("sharpness", 1), "soften": ("sharpness", -1), "blur": ("sharpness", -1), "detail": ("sharpness", 0),
}
_STRENGTH_WORDS = {"slight": 0.2, "slightly": 0.2, "subtle": 0.2, "low": 0.25, "small": 0.25, "little": 0.2,
                   "medium": 0.4, "moderate": 0.4, "normal": 0.4, "high": 0.7, "strong": 0.7, "large": 0.7,
                   "full": 1.0, "max": 1.0}
_DEFAULT = {"grayscale": 1.0, "sepia": 0.8, "vintage": 0.7, "background_blur": 0.6}
_NONE = {"none", "not_understood", "not understood", "unknown", "no_edit", "no edit", "n/a", "na", "null",
         "question", "not an edit", "not_an_edit", "unclear", "cannot", "refuse", "refusal", "chat"}
_REFUSAL = re.compile(r"\b(can ?not|can't|unable to|not able to|(?:don't|do not) understand|not (?:an? )?(?:image )?"
                      r"edit(?:ing)? (?:request|instruction)|no edit|isn't an edit|is not an edit|not sure what)\b", re.I)
_KINDS = ("object", "repeat", "same-edit", "alternative", "comparative", "undo")
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(%?)$")


def not_an_edit(data: dict | None, raw: str) -> bool:
    """True when the model answered that the instruction asks for no edit."""
    if isinstance(data, dict):
        value = data.get("category", data.get("type"))
        return isinstance(value, str) and value.strip().lower().replace("-", "_") in _NONE | {"none"}
    return bool(_REFUSAL.search(raw or ""))


def _strength(value, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        number, percent = float(value), False
    else:
        text = str(value).strip().lower()
        if text in _STRENGTH_WORDS:
            return _STRENGTH_WORDS[text]
        m = _NUMBER.match(text)
        if not m:
            raise ValueError(f"strength {value!r} of operation '{name}' is not a number")
        number, percent = float(m.group(1)), bool(m.group(2))
    return number / 100 if percent or abs(number) > 1 else number


def _one(name: str, value) -> AdjustOp:
    key = re.sub(r"[\s\-&/]+", "_", str(name).strip().lower()).strip("_")
    if key not in _OP_SYNONYMS:
        raise ValueError(f"unknown operation {name!r}; use one of grayscale, sepia, vintage, background_blur, "
                         f"{', '.join(SIGNED_ADJUSTMENTS)}")
    op, sign = _OP_SYNONYMS[key]
    strength = _strength(value, op)
    if strength is None:
        strength = _DEFAULT.get(op, 0.4 * (sign or 1))
    if op in SIGNED_ADJUSTMENTS:
        strength = -abs(strength) if sign < 0 else strength
        strength = max(-1.0, min(1.0, strength))
    else:
        strength = max(0.0, min(1.0, abs(strength)))
    return AdjustOp(op=op, strength=round(strength, 3))


def _split_text(item: str) -> tuple[str, str | None]:
    m = re.match(r"^\s*([A-Za-z_ &\-/]+?)\s*[:= ]?\s*([+-]?\d+(?:\.\d+)?%?)?\s*$", item)
    if not m:
        raise ValueError(f"operation {item!r} is not 'name' or 'name +0.3'")
    return m.group(1), m.group(2)


def operations(value) -> list[AdjustOp]:
    """The plan's operations in any of the accepted forms; [] for null."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, dict):
        if "op" in value or "name" in value:
            value = [value]
        else:
            return [_one(k, v) for k, v in value.items()]
    if isinstance(value, str):
        value = [value]
    out: dict[str, AdjustOp] = {}
    for item in value:
        if isinstance(item, str):
            name, amount = _split_text(item)
        elif isinstance(item, dict):
            name = item.get("op") or item.get("name") or item.get("operation") or item.get("type")
            amount = next((item[k] for k in ("strength", "amount", "value", "level") if k in item), None)
            if not name:
                raise ValueError(f"operation {item!r} has no \"op\"")
        else:
            raise ValueError(f"operation {item!r} is not an object")
        op = _one(name, amount)
        out[op.op] = op
    return list(out.values())


def undo_count(value) -> int:
    if value in (None, "", False):
        return 0
    if value is True:
        return 1
    try:
        n = int(float(value))
    except (TypeError, ValueError):
        raise ValueError(f'"undo" must be a number of edits to take back, got {value!r}') from None
    return max(0, min(20, n))


def references(value, turns: int) -> list[Reference]:
    """Readable references, `turn` mapped from the prompt's numbering (1 = oldest) to a history index."""
    out = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        turn = item.get("turn")
        try:
            turn = int(turn) - 1 if turn is not None and 1 <= int(turn) <= turns else None
            kind = item.get("kind") if item.get("kind") in _KINDS else "object"
            out.append(Reference(phrase=str(item.get("phrase", "")), resolved=str(item.get("resolved", "")),
                                 kind=kind, turn=turn))
        except (TypeError, ValueError, ValidationError):
            continue
    return out
