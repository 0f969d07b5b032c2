"""MagicBrush (Zhang et al., NeurIPS 2023) test split read in its released layout, unchanged.

    test/
      edit_sessions.json        {session_id: [{input, mask, instruction, output}, ...]}  (turns in order)
      images/<session_id>/      <id>-input.png, <id>-mask1.png, <id>-output1.png, ...
      global_descriptions.json  optional {session_id: {image file: caption}}  (CLIP-T captions;
      local_descriptions.json   optional, same shape; used when there is no global file)

A session is a multi-turn case: turn k edits the previous turn's result ("iterative", MagicBrush's
final-turn setting). With `independent`, every turn becomes its own single-turn case that starts
from the ground-truth input of that turn (MagicBrush's all-turn setting). Each turn's result is
scored against that turn's ground-truth output with MagicBrush's metrics (L1, L2, CLIP-I, DINO,
CLIP-T; see evals/learned.py). The mask is the dataset card's "free-form mask image (white
region)"; with `mask_provided` it is the user's mask (MagicBrush's mask-provided setting).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from engine.errors import BrushEditError
from evals.cases import CaseSpec, TurnSpec, read_index

INDEX = "edit_sessions.json"
CAPTIONS = ("global_descriptions.json", "local_descriptions.json")


def read_mask(path: Path, like: np.ndarray | None = None) -> np.ndarray:
    """bool [H, W], True = the painted (white) region. A mask that is a copy of the photo with white
    strokes painted on it is told from the photo by comparing with the turn's input (`like`)."""
    from engine.images import load_image

    rgb = load_image(path)
    white = (rgb >= 250).all(axis=-1)
    if like is None or like.shape != rgb.shape:
        return white
    grey_ish = ((rgb.max(axis=-1) - rgb.min(axis=-1)) < 8) & ((rgb < 6).all(axis=-1) | white)
    if grey_ish.mean() > 0.98:  # a black-and-white mask image
        return white
    from scipy.ndimage import binary_fill_holes

    painted = white & (rgb != like).any(axis=-1)  # white where the photo was not white: the strokes
    return painted | (white & binary_fill_holes(painted))


def _captions(root: Path) -> dict:
    for name in CAPTIONS:
        if (root / name).is_file():
            return json.loads((root / name).read_text(encoding="utf-8"))
    return {}


def _turn(root: Path, sid: str, t: dict, k: int, captions: dict, mask_provided: bool) -> TurnSpec:
    missing = [f for f in ("input", "mask", "instruction", "output") if f not in t]
    if missing:
        raise BrushEditError(f"{root / INDEX}: session '{sid}' turn {k + 1} lacks {', '.join(missing)}.")
    folder = root / "images" / sid
    for f in (t["input"], t["mask"], t["output"]):
        if not (folder / f).is_file():
            raise BrushEditError(f"MagicBrush image not found: '{folder / f}'.",
                                 fix="Unpack the test split so that images/<session_id>/ holds its PNGs.")
    from engine.images import load_image

    mask = read_mask(folder / t["mask"], load_image(folder / t["input"]))
    caption = (captions.get(sid) or {}).get(t["output"])
    return TurnSpec(instruction=t["instruction"], gt_image=str(folder / t["output"]), gt_mask=mask,
                    mask=mask if mask_provided else None, caption=caption, check_gt=False, gt_region="whole",
                    info={"session": sid, "turn": k + 1, "input": t["input"], "mask_file": t["mask"],
                          "output": t["output"], "caption": caption or "(no caption file)"})


def load(path: str | Path, *, mask_provided: bool = False, independent: bool = False) -> list[CaseSpec]:
    root, sessions = read_index(path, INDEX, "MagicBrush", "edit_sessions.json and images/")
    if not isinstance(sessions, dict):
        raise BrushEditError(f"{root / INDEX} must be an object {{session_id: [turns]}}.")
    captions, cases = _captions(root), []
    for sid, turns in sessions.items():
        if not isinstance(turns, list) or not turns:
            raise BrushEditError(f"{root / INDEX}: session '{sid}' has no turns.")
        specs = [_turn(root, str(sid), t, k, captions, mask_provided) for k, t in enumerate(turns)]
        if independent:
            cases += [CaseSpec(id=f"{sid}#{k + 1}", image=str(root / "images" / str(sid) / t["input"]),
                               turns=[s], suite=f"magicbrush/turn {k + 1}", category="magicbrush")
                      for k, (t, s) in enumerate(zip(turns, specs))]
        else:
            cases.append(CaseSpec(id=str(sid), image=str(root / "images" / str(sid) / turns[0]["input"]),
                                  turns=specs, suite=f"magicbrush/{len(specs)}-turn", category="magicbrush"))
    return cases
