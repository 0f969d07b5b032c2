"""A model's raw answer -> a validated `EditPlan`, repairing what is safely repairable.

Repairs: the JSON itself (see json_repair), key synonyms ("object" -> target, "prompt" -> caption,
"bbox" -> box ...), category casing and synonyms ("Removal" -> remove, "replace" -> local,
"style" -> global ...), missing optional fields (box, reason; target for global edits), and the box
(normalised to pixels of the full image, see boxes). A missing category or caption, an unknown
category, or an addition without a usable box is not guessed: `PlanParseError(raw=...)` says what is
wrong so the planner can re-ask the model with that message.
"""
from __future__ import annotations

import re

from pydantic import ValidationError

from engine.errors import PlanParseError
from engine.planners.boxes import BoxParseError, box_without_image, normalise_box
from engine.planners.json_repair import JSONRepairError, extract_json_object
from engine.plan import CATEGORIES, EditPlan

_KEY_SYNONYMS = {
    "category": ("category", "edit_category", "edit_type", "type", "task", "operation", "action", "kind"),
    "target": ("target", "object", "target_object", "subject", "item", "target_name"),
    "caption": ("caption", "target_caption", "output_caption", "prompt", "description", "output", "result"),
    "box": ("box", "bbox", "bbox_2d", "bounding_box", "position", "location", "region"),
    "reason": ("reason", "reasoning", "explanation", "rationale", "why"),
    "negative_prompt": ("negative_prompt", "negative"),
}
_CATEGORY_SYNONYMS = {
    "addition": ("add", "adding", "addition", "insert", "insertion", "object addition", "place", "put"),
    "remove": ("remove", "removal", "removing", "delete", "deletion", "erase", "object removal", "eliminate"),
    "local": ("local", "replace", "replacement", "change", "modify", "modification", "edit", "attribute",
              "color", "colour", "recolor", "object replacement", "local editing", "swap", "transform"),
    "global": ("global", "style", "style transfer", "stylize", "whole image", "season", "weather", "lighting",
               "global editing", "filter"),
    "background": ("background", "bg", "background change", "background replacement", "background editing",
                   "replace background", "change background"),
}
_CATEGORY_LOOKUP = {syn: cat for cat, syns in _CATEGORY_SYNONYMS.items() for syn in syns}


class PlanValidationError(PlanParseError):
    """PlanParseError whose `reason` (without the raw answer) is what the model is re-asked with."""

    def __init__(self, reason: str, *, raw: str):
        self.reason = reason
        super().__init__(f"The planning model's answer is not a valid plan: {reason}.", raw=raw,
                         fix="Re-ask the model, or use a stronger model / --planner rules.")


def normalise_category(value) -> str:
    """'Removal' / 'REPLACE' / 'style_transfer' / 'Category: remove' -> one of CATEGORIES, else ValueError."""
    text = re.sub(r"[_\-]+", " ", str(value)).strip().strip(".\"'").lower()
    text = re.sub(r"^(category|type)\s*[:=]\s*", "", text)
    text = re.sub(r"\s+(edit|edits|editing|task)$", "", text).strip()
    if text in CATEGORIES:
        return text
    if text in _CATEGORY_LOOKUP:
        return _CATEGORY_LOOKUP[text]
    raise ValueError(f"unknown category {value!r}; use one of {', '.join(CATEGORIES)}")


def _canonical_keys(data: dict) -> dict:
    low = {re.sub(r"[\s\-]+", "_", str(k).strip().lower()): v for k, v in data.items()}
    out = {}
    for field, names in _KEY_SYNONYMS.items():
        for name in names:
            if low.get(name) not in (None, ""):
                out[field] = low[name]
                break
    return out


def _fields(data: dict, shown: tuple[int, int] | None, full: tuple[int, int] | None) -> dict:
    fields = _canonical_keys(data.get("plan") if isinstance(data.get("plan"), dict) else data)
    if "category" not in fields:
        raise ValueError('missing "category"; use one of ' + ", ".join(CATEGORIES))
    fields["category"] = normalise_category(fields["category"])
    if "caption" not in fields:
        raise ValueError('missing "caption": describe the desired output image in one sentence')
    if fields["category"] == "global":
        fields.setdefault("target", "")
    elif "target" not in fields:
        raise ValueError('missing "target": name the object to edit in at most 5 words')
    for key in ("target", "caption", "reason", "negative_prompt"):
        if key in fields and not isinstance(fields[key], str):
            fields[key] = str(fields[key])
    box = fields.pop("box", None)
    if box is not None:
        try:
            fields["box"] = normalise_box(box, shown, full) if shown and full else box_without_image(box)
        except BoxParseError:
            if fields["category"] == "addition":
                raise
    if fields["category"] == "addition" and "box" not in fields:
        raise ValueError('an "addition" plan needs "box": [x, y, w, h] in pixels of the image shown')
    return fields


def parse_plan(raw: str, shown: tuple[int, int] | None = None, full: tuple[int, int] | None = None) -> EditPlan:
    """Parse a model answer. `shown` and `full` are the (W, H) of the image the model saw and of the
    full-resolution image; boxes are mapped from the first to the second. Raises PlanParseError."""
    try:
        data = extract_json_object(raw or "")
        plan = EditPlan.model_validate(_fields(data, shown, full))
    except (JSONRepairError, BoxParseError, ValueError) as exc:
        raise PlanValidationError(_message(exc), raw=raw or "") from exc
    return plan


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return str(exc)
