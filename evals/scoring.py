"""Score one committed edit: metrics (numbers, or a string saying why there is none) and checks.

Metrics, by where they look:
- preservation: `outside_unchanged` (pixels beyond the blend band bit-identical), and PIE-Bench's
  unedited-part PSNR / MSE / SSIM / LPIPS, the edited part being the ground-truth mask when the case
  has one, else the agent's mask plus its blend band;
- the edit itself: mask IoU against the ground-truth mask; PSNR / SSIM / L1 / L2 against the
  ground-truth image (in the box, the ground-truth mask, or the whole image); the offline quality
  judge's score (engine/quality.py) for inpainted edits; CLIP similarity to the caption, whole and
  edited part; MagicBrush's CLIP-I / DINO / CLIP-T; the case's named properties (evals/properties.py).
A check is {name, ok, value, want}; a turn passes when every check does.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from engine.blending import band
from engine.masks import box_mask
from evals import metrics as M
from evals.cases import BEAT_SMEAR_DB, MIN_WHOLE_PSNR, PSNR_ENOUGH, TurnSpec
from evals.learned import MISSING
from evals.properties import measure

INPAINTED = ("remove", "local", "addition")
NO_JUDGE = "judge not present (engine/quality.py)"


@lru_cache(maxsize=1)
def quality_module():
    try:
        from engine import quality
    except ImportError:
        return None
    return quality


def check(name: str, ok: bool, value=None, want=None) -> dict:
    return {"name": name, "ok": bool(ok), "value": value, "want": want}


def _region(spec: TurnSpec, shape, gt_mask, agent_mask) -> np.ndarray:
    if spec.gt_region == "whole":
        return np.ones(shape, bool)
    if spec.gt_region == "box" and spec.box is not None:
        return box_mask(shape, spec.box)
    return gt_mask if gt_mask is not None else agent_mask


def smear_reference(source: np.ndarray, region: np.ndarray) -> np.ndarray:
    """What smearing the region gives: OpenCV Telea (radius 3) over it at full resolution, no blend.
    A removal that is not closer to the ground truth than this has not removed the object well."""
    import cv2

    return cv2.inpaint(np.ascontiguousarray(source), region.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA)


def _vs_truth(spec, source, result, truth, region, fill_region, plan, out: dict, checks: list) -> None:
    whole = spec.gt_region == "whole"
    out["gt_psnr_whole"] = M.psnr(result, truth)
    out["gt_l1"] = M.magicbrush_distance(result, truth, "l1")
    out["gt_l2"] = M.magicbrush_distance(result, truth, "l2")
    if not whole:
        out["gt_psnr_region"] = M.masked_psnr(result, truth, region)
        out["gt_ssim_region"] = M.region_ssim(result, truth, region)
    if not spec.check_gt:
        return
    if whole or spec.min_psnr is not None:
        key, want = ("gt_psnr_whole" if whole else "gt_psnr_region"), spec.min_psnr or MIN_WHOLE_PSNR
        checks.append(check(key, out[key] >= want, out[key], f">= {want:g} dB"))
    elif plan.get("category") == "remove" and fill_region is not None:
        smear = M.masked_psnr(smear_reference(source, fill_region), truth, region)
        out["smear_psnr_region"] = smear
        out["gt_psnr_gain"] = out["gt_psnr_region"] - smear  # dB over smearing the same region
        want = min(smear + BEAT_SMEAR_DB, PSNR_ENOUGH)
        checks.append(check("gt_psnr_region", out["gt_psnr_region"] >= want, out["gt_psnr_region"],
                            f">= {want:.2f} dB (smearing the region with Telea gives {smear:.2f}; "
                            f"+{BEAT_SMEAR_DB:g}, at most {PSNR_ENOUGH:g})"))


def _learned(spec, source, result, truth, edit_region, models, protocol, out: dict) -> None:
    if models is None:
        return
    if not edit_region.all():
        keep = (~edit_region).astype(np.float64)
        net = models.get("lpips")
        out["unedited_lpips"] = _or_missing(net, lambda: _lpips(net, source, result, keep))
    if spec.caption:
        clip = models.get("clip")
        out["clip_whole"] = _or_missing(clip, lambda: _clip(clip, result, spec.caption))
        out["clip_edited"] = _or_missing(clip, lambda: _clip(clip, result, spec.caption, edit_region))
    if protocol == "magicbrush" and truth is not None:
        from evals.learned import clip_image_similarity, clip_text_similarity, dino_similarity

        clip_i, dino = models.get("clip_i"), models.get("dino")
        out["clip_i"] = _or_missing(clip_i, lambda: clip_image_similarity(clip_i, result, truth))
        out["dino"] = _or_missing(dino, lambda: dino_similarity(dino, result, truth))
        if spec.caption:
            out["clip_t"] = _or_missing(clip_i, lambda: clip_text_similarity(clip_i, result, spec.caption))


def _or_missing(model, compute):
    return MISSING if model is None else compute()


def _lpips(net, a, b, keep):
    from evals.learned import lpips

    return lpips(net, a, b, keep)


def _clip(clip, image, text, mask=None):
    from evals.learned import clip_score

    return clip_score(clip, image, text, mask)


def _quality(source, result, mask, plan: dict, out: dict, checks: list) -> None:
    if plan.get("category") not in INPAINTED or plan.get("operations"):
        return
    q = quality_module()
    if q is None:
        out["quality_score"] = NO_JUDGE
        return
    rep = q.assess(source, result, mask)
    out.update(quality_score=float(rep.score), quality_ok=bool(rep.ok), quality_problem=rep.problem,
               quality_reason=rep.reason)
    checks.append(check("quality", rep.ok, round(float(rep.score), 4), f">= {q.QUALITY_THRESHOLD:g} ({rep.reason})"))


def score_edit(spec: TurnSpec, source: np.ndarray, result: np.ndarray, mask: np.ndarray, plan: dict, *,
               gt_mask=None, truth=None, user_mask=None, models=None, blur_kernel: int = 21, protocol: str = "cases"):
    """(metrics, checks) of one committed edit; source and result uint8 [H, W, 3], mask bool [H, W]."""
    out: dict = {"outside_unchanged": M.outside_unchanged(source, result, mask, blur_kernel),
                 "mask_coverage": float(mask.mean()),
                 "changed_in_mask": float(np.any(source != result, axis=2)[mask].mean()) if mask.any() else 0.0}
    checks = [check("preserved", out["outside_unchanged"] == 1.0, out["outside_unchanged"],
                    "1.0 (every pixel beyond the blend band unchanged)")]
    edit_region = gt_mask if gt_mask is not None else band(mask, blur_kernel) | mask
    out["unedited_region"] = "ground-truth mask" if gt_mask is not None else "agent mask + blend band"
    if not edit_region.all():
        out.update({f"unedited_{k}": v for k, v in M.pie_preservation(source, result, edit_region).items()})
    if gt_mask is not None:
        out["mask_iou"] = M.mask_iou(mask, gt_mask)
        out["mask_recall"] = float((mask & gt_mask).sum() / max(1, gt_mask.sum()))
        if spec.check_gt and spec.min_iou is not None:
            checks.append(check("mask_iou", out["mask_iou"] >= spec.min_iou, out["mask_iou"], f">= {spec.min_iou:g}"))
        if spec.check_gt and plan.get("category") == "remove":
            checks.append(check("mask_recall", out["mask_recall"] >= spec.min_recall, out["mask_recall"],
                                f">= {spec.min_recall:g} of the object inside the mask"))
    if truth is not None:
        fill = box_mask(mask.shape, spec.box) if spec.box is not None else user_mask
        _vs_truth(spec, source, result, truth, _region(spec, mask.shape, gt_mask, mask), fill, plan, out, checks)
    _quality(source, result, mask, plan, out, checks)
    for name, (lo, hi) in spec.props.items():
        value = measure(name, source, result, gt_mask)
        out[f"prop_{name}"] = value
        checks.append(check(name, lo <= value <= hi, value, f"in [{lo:g}, {hi:g}]"))
    if not edit_region.all() or spec.caption or protocol == "magicbrush":
        _learned(spec, source, result, truth, edit_region, models, protocol, out)
    return out, checks

