"""Eval cases: one model for every source (our JSONL, the bundled suite, PIE-Bench, MagicBrush).

A case is a session: an image and a list of turns. A turn is an edit (`instruction`, with an
optional user `box` x,y,w,h in pixels or painted `mask`, white = edit) or a head move (`action`:
undo | redo | checkout:vN), with what to expect of it. Images are file paths (relative to the
cases file), `bundled:coffee` (app/assets), `skimage:NAME` (scikit-image's bundled photos), or,
for suites built in code, numpy arrays (uint8 RGB [H, W, 3]; masks bool [H, W]).

JSONL: one case per line, `{"id", "image", "turns": [...]}`; a single-turn case may put the turn's
fields at the top level instead of `turns`. Unknown keys are an error (typos must not pass silently).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import BrushEditError

BUNDLED = {"coffee": Path(__file__).resolve().parents[1] / "app" / "assets" / "coffee.png"}
ImageRef = Any  # str (path / bundled:NAME / skimage:NAME) or np.ndarray

# defaults of the pass thresholds (a case or turn may set its own)
MIN_RECALL = 0.98  # a removal's mask must cover this share of the object (else remnants stay)
# a removal must beat the smear of a classical fill of the user's box (or painted mask) by this much,
# in PSNR against the ground truth inside the region; at or above PSNR_ENOUGH it passes regardless
BEAT_SMEAR_DB = 1.0
PSNR_ENOUGH = 30.0  # dB
MIN_WHOLE_PSNR = 30.0  # dB, result vs ground-truth image over the whole image (adjustments)


class Verdict(BaseModel):
    """A scripted reviewer's decision on a pending result: accept, or reject with a reason."""

    model_config = ConfigDict(extra="forbid")
    ok: bool
    reason: str = ""


class TurnSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    instruction: str | None = None
    action: str | None = None  # undo | redo | checkout:vN (a head move instead of an edit)
    box: tuple[float, float, float, float] | None = None
    mask: ImageRef | None = None  # the user's painted mask (white = edit)
    seed: int | None = None
    # ground truth and expectations
    expect_category: str | None = None
    expect_target: str | None = None
    expect_error: str | None = None  # an error class name (or a base class name)
    expect_head: str | None = None  # head version after the turn (and its `then`)
    expect_parent: str | None = None  # parent of the committed version
    expect_attempts: int | None = None
    gt_mask: ImageRef | None = None
    gt_image: ImageRef | None = None
    gt_region: Literal["box", "gt_mask", "whole"] = "box"  # where PSNR/SSIM vs gt_image are checked
    caption: str | None = None  # text the result should show (CLIP similarity)
    props: dict[str, list[float]] = Field(default_factory=dict)  # evals.metrics.PROPERTIES name -> [lo, hi]
    judge: list[Verdict] = Field(default_factory=list)  # scripted review decisions, in order
    min_iou: float | None = None  # checked only when given (the agent's dilation dominates small objects)
    min_recall: float = MIN_RECALL
    min_psnr: float | None = None  # absolute PSNR floor; None = beat the smear (regions) / MIN_WHOLE_PSNR (whole)
    check_gt: bool = True  # False: report the ground-truth metrics without pass/fail (benchmarks)
    then: str | None = None  # legacy: a head move after the edit
    info: dict[str, Any] = Field(default_factory=dict)  # loader-specific (PIE type id, MagicBrush files)

    @model_validator(mode="after")
    def _one_kind(self) -> "TurnSpec":
        if (self.instruction is None) == (self.action is None):
            raise ValueError("a turn needs exactly one of `instruction` (an edit) or `action` (undo|redo|checkout:vN)")
        for move in (self.action, self.then):
            if move is not None and move not in ("undo", "redo") and not move.startswith("checkout:"):
                raise ValueError(f"unknown head move {move!r}: use undo, redo or checkout:vN")
        return self


class CaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    id: str
    image: ImageRef
    turns: list[TurnSpec] = Field(min_length=1)
    suite: str = "cases"  # report grouping: which suite / part of a suite
    category: str = ""  # report grouping: the expected edit category ('' = from the first turn)
    profiles: list[str] = Field(default_factory=list)  # profiles the case applies to ([] = all)
    note: str = ""

    @model_validator(mode="after")
    def _default_category(self) -> "CaseSpec":
        if not self.category:
            first = self.turns[0]
            self.category = first.expect_category or ("refusal" if first.expect_error else "session")
        return self

    def fingerprint(self) -> str:
        """sha256 of everything that defines the case, arrays included (resume skips a case only if it matches)."""
        h = hashlib.sha256()
        _feed(h, self.model_dump(mode="python"))
        return h.hexdigest()


def _feed(h, value) -> None:
    if isinstance(value, np.ndarray):
        h.update(f"nd{value.shape}{value.dtype}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, dict):
        for k in sorted(value):
            h.update(f"k{k}".encode())
            _feed(h, value[k])
    elif isinstance(value, (list, tuple)):
        h.update(f"l{len(value)}".encode())
        for v in value:
            _feed(h, v)
    else:
        h.update(json.dumps(value, default=str).encode())


_TURN_KEYS = set(TurnSpec.model_fields)


def parse_case(data: dict, base: Path, where: str) -> CaseSpec:
    """One JSON object -> CaseSpec; relative image paths resolve against `base`."""
    data = dict(data)
    if "turns" not in data:
        data["turns"] = [{k: data.pop(k) for k in list(data) if k in _TURN_KEYS}]
    try:
        case = CaseSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise BrushEditError(f"{where} is not a valid eval case: {loc}: {first['msg']}.",
                             fix="See evals/README.md (Case format) for the fields.") from exc
    case.image = _resolve(case.image, base)
    for t in case.turns:
        t.mask, t.gt_mask, t.gt_image = (_resolve(v, base) for v in (t.mask, t.gt_mask, t.gt_image))
    return case


def _resolve(ref, base: Path):
    if isinstance(ref, str) and not ref.startswith(("bundled:", "skimage:")):
        return str(base / ref)
    return ref


def load_jsonl(path: str | Path) -> list[CaseSpec]:
    """Read our JSONL case file; a bad line raises BrushEditError naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise BrushEditError(f"Cases file not found: '{path}'.", fix="Pass e.g. evals/cases/edit_offline.jsonl.")
    cases, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BrushEditError(f"{path}:{n} is not JSON: {exc.msg}.", fix="One JSON object per line.") from exc
        case = parse_case(data, path.parent, f"{path}:{n}")
        if case.id in seen:
            raise BrushEditError(f"{path}:{n}: duplicate case id '{case.id}'.", fix="Give every case its own id.")
        seen.add(case.id)
        cases.append(case)
    return cases


def load_image_ref(ref, *, mask: bool = False, size: tuple[int, int] | None = None) -> np.ndarray | None:
    """Resolve an ImageRef to uint8 RGB [H, W, 3] (or a bool mask [H, W], white = True)."""
    if ref is None:
        return None
    if isinstance(ref, np.ndarray):
        return ref.astype(bool) if mask else ref
    from engine.images import load_image, load_mask

    if ref.startswith("skimage:"):
        from evals.synthetic import photo

        return photo(ref[8:])
    if ref.startswith("bundled:"):
        if ref[8:] not in BUNDLED:
            raise BrushEditError(f"Unknown bundled image '{ref}'.", fix=f"Use one of: {', '.join(BUNDLED)}.")
        ref = str(BUNDLED[ref[8:]])
    return load_mask(ref, size) if mask else load_image(ref)


def read_index(path: str | Path, index: str, dataset: str, layout: str) -> tuple[Path, Any]:
    """(root folder, parsed JSON) of a data set's index file; `path` is the folder or the file itself."""
    path = Path(path)
    root = path.parent if path.name == index else path
    if not (root / index).is_file():
        raise BrushEditError(f"No {dataset} {index} in '{root}'.", fix=f"Pass the {dataset} folder holding {layout}.")
    try:
        return root, json.loads((root / index).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BrushEditError(f"{root / index} is not valid JSON: {exc.msg} (line {exc.lineno}).") from exc
