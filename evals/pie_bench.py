"""PIE-Bench (Ju et al., "Direct Inversion", ICLR 2024) read in its released layout, unchanged.

    PIE-Bench_v1/
      mapping_file.json         {id: {image_path, original_prompt, editing_prompt, editing_instruction,
                                      editing_type_id: "0".."9", blended_word, mask: [start, length, ...]}}
      annotation_images/<image_path>   512x512 source images

The mask is run-length pairs over the 512x512 grid in row-major order, 1 = edited region. The
reference evaluation (cure-lab/PnPInversion, evaluation/evaluate.py, `mask_decode`) clips each run
at the end of the grid (`min(length, H*W - start)`) and then sets the one-pixel border to 1 "to
avoid annotation errors in boundary"; its prompts drop the `[` `]` that mark the edited words.
BrushEdit's PIE-Bench columns (unedited-part PSNR, LPIPS, MSE, SSIM; CLIP similarity of the target
prompt, whole image and edited part) are computed from that border-filled mask, as there.

Protocols: instruction-only (default: the agent finds the region itself; in `lite` most types need
a model and are recorded as refused with the agent's reason), or `mask_provided` (the annotated mask,
without the border fill, is the user's mask).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.errors import BrushEditError
from evals.cases import CaseSpec, TurnSpec, read_index

INDEX = "mapping_file.json"
SIZE = (512, 512)
# editing_type_id -> (PIE-Bench's name, our edit category or None when the type mixes several)
TYPES = {"0": ("random", None), "1": ("change object", "local"), "2": ("add object", "addition"),
         "3": ("delete object", "remove"), "4": ("change content", "local"), "5": ("change pose", "local"),
         "6": ("change color", "local"), "7": ("change material", "local"),
         "8": ("change background", "background"), "9": ("change style", "global")}


def mask_decode(encoded: list[int], shape: tuple[int, int] = SIZE, border: bool = True) -> np.ndarray:
    """bool [H, W] from PIE-Bench's run-length pairs [start, length, ...] (row-major, True = edited);
    with `border`, the one-pixel image border is set True as the reference evaluation does."""
    if len(encoded) % 2:
        raise BrushEditError(f"PIE-Bench mask has {len(encoded)} numbers; run-length pairs need an even count.",
                             fix="Check the `mask` field of mapping_file.json.")
    n = shape[0] * shape[1]
    flat = np.zeros(n, bool)
    for start, length in zip(encoded[0::2], encoded[1::2]):
        if start < 0 or length < 0:
            raise BrushEditError(f"PIE-Bench mask run ({start}, {length}) is negative.")
        flat[start : start + max(0, min(length, n - start))] = True
    mask = flat.reshape(shape)
    if border:
        mask[0, :] = mask[-1, :] = True
        mask[:, 0] = mask[:, -1] = True
    return mask


def _strip(prompt: str) -> str:
    return prompt.replace("[", "").replace("]", "")


def load(path: str | Path, *, mask_provided: bool = False) -> list[CaseSpec]:
    """One single-turn case per mapping entry, in the file's order."""
    root, mapping = read_index(path, INDEX, "PIE-Bench", "mapping_file.json and annotation_images/")
    if not isinstance(mapping, dict):
        raise BrushEditError(f"{root / INDEX} must be an object keyed by case id.")
    cases = []
    for key, item in mapping.items():
        missing = [f for f in ("image_path", "editing_instruction", "editing_prompt", "editing_type_id", "mask")
                   if f not in item]
        if missing:
            raise BrushEditError(f"{root / INDEX}: entry '{key}' lacks {', '.join(missing)}.")
        type_id = str(item["editing_type_id"])
        type_name, category = TYPES.get(type_id, (f"type {type_id}", None))
        raw = mask_decode(item["mask"], border=False)
        turn = TurnSpec(
            instruction=item["editing_instruction"], caption=_strip(item["editing_prompt"]),
            expect_category=category, gt_mask=mask_decode(item["mask"]), check_gt=False,
            mask=raw if mask_provided else None, gt_region="gt_mask",
            info={"editing_type_id": type_id, "editing_type": type_name, "blended_word": item.get("blended_word", ""),
                  "original_prompt": _strip(item.get("original_prompt", "")), "image_path": item["image_path"]},
        )
        cases.append(CaseSpec(id=str(key), image=str(root / "annotation_images" / item["image_path"]),
                              turns=[turn], suite=f"pie-bench/{type_id} {type_name}",
                              category=category or "mixed"))
    return cases
