"""A model's raw answer -> a validated `EditPlan`, repairing what is safely repairable.

Several edits come as {"steps": [plan, ...]} (or a top-level list of plans); operations, undo and
references are read by engine.planners.plan_fields. {"category": "none"} or a refusal in prose
("I cannot plan this, it is a question") raises NotUnderstoodError, which is not re-asked.

Repairs: the JSON itself (see json_repair), key synonyms ("object" -> target, "prompt" -> caption,
"bbox" -> box ...), category casing and synonyms ("Removal" -> remove, "replace" -> local,
"style" -> global ...), missing optional fields (box, reason; target for global edits), and the box
(normalised to pixels of the full image, see boxes). A missing category or caption, an unknown
category, or an addition without a usable box is not guessed: `PlanParseError(raw=...)` says what is
wrong so the planner can re-ask the model with that message.
"""
from __future__ import annotations

import json
import re

from pydantic import ValidationError

from engine.errors import NotUnderstoodError, PlanParseError
from engine.planners.boxes import BoxParseError, box_without_image, normalise_box
from engine.planners.json_repair import JSONRepairError, extract_json_object
from engine.plan import CATEGORIES, EditPlan
from engine.planners import plan_fields

_KEY_SYNONYMS = {
    "category": ("category", "edit_category", "edit_type", "type", "task", "operation", "action", "kind"),
    "target": ("target", "object", "target_object", "subject", "item", "target_name"),
    "caption": ("caption", "target_caption", "output_caption", "prompt", "description", "output", "result"),
    "box": ("box", "bbox", "bbox_2d", "bounding_box", "position", "location", "region"),
    "reason": ("reason", "reasoning", "explanation", "rationale", "why"),
    "negative_prompt": ("negative_prompt", "negative"),
    "operations": ("operations", "ops", "adjustments", "adjust", "photometric"),
    "undo": ("undo", "undo_count", "take_back"),
    "references": ("references", "resolution", "resolutions", "refs"),
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


def _fields(data: dict, shown: tuple[int, int] | None, full: tuple[int, int] | None, turns: int = 0) -> dict:
    if not isinstance(data, dict):
        raise ValueError(f"a step must be a JSON object, got {str(data)[:60]!r}")
    fields = _canonical_keys(data.get("plan") if isinstance(data.get("plan"), dict) else data)
    fields["operations"] = plan_fields.operations(fields.get("operations"))
    fields["undo"] = plan_fields.undo_count(fields.get("undo"))
    fields["references"] = plan_fields.references(fields.get("references"), turns)
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


def parse_plan(raw: str, shown: tuple[int, int] | None = None, full: tuple[int, int] | None = None,
               turns: int = 0) -> EditPlan:
    """Parse a model answer. `shown` and `full` are the (W, H) of the image the model saw and of the
    full-resolution image; boxes are mapped from the first to the second; `turns` = earlier turns shown
    (references number them from 1). Raises PlanParseError, or NotUnderstoodError when the model says
    the instruction is not an edit."""
    try:
        data = _plan_list(raw or "") or extract_json_object(raw or "")
    except JSONRepairError as exc:
        if plan_fields.not_an_edit(None, raw):
            raise _not_understood(raw, raw) from exc
        raise PlanValidationError(_message(exc), raw=raw or "") from exc
    if plan_fields.not_an_edit(data, raw):
        raise _not_understood(str(data.get("reason") or data.get("explanation") or ""), raw)
    try:
        steps = data.get("steps") if isinstance(data.get("steps"), list) and data.get("steps") else None
        if steps is None:
            return EditPlan.model_validate(_fields(data, shown, full, turns))
        plans = [EditPlan.model_validate(_fields(s, shown, full, turns)) for s in steps]
        top = {k: v for k, v in _canonical_keys(data).items() if k in ("undo", "references")}
        if top:
            plans[0] = plans[0].model_copy(update={
                "undo": plan_fields.undo_count(top.get("undo")) or plans[0].undo,
                "references": plan_fields.references(top.get("references"), turns) or plans[0].references})
        return EditPlan.from_steps(plans)
    except (BoxParseError, ValueError) as exc:
        raise PlanValidationError(_message(exc), raw=raw or "") from exc


def _plan_list(raw: str) -> dict | None:
    """A top-level JSON list of plans ('[{...}, {...}]', maybe in a code fence) read as steps."""
    text = raw.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return {"steps": value} if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) else None


def _not_understood(reason: str, raw: str) -> NotUnderstoodError:
    why = " ".join(str(reason).split())[:200] or "no edit in the instruction"
    return NotUnderstoodError(f"The planning model did not find an edit to make: {why}.",
                              fix='Say what to change, e.g. "remove the dog", "make the car red", "add a hat to '
                                  'the man", "make it black and white".')


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return str(exc)
