"""The bundled suite: 37 cases on scikit-image's public-domain photos, offline, with ground truth.

- removal (18): objects pasted at known places (evals/synthetic.py); the clean photo is the ground
  truth image, the paste mask the ground-truth mask; 16 prompted with a box, 2 with a painted mask;
- adjust (7): photo adjustments whose direction is computable (grayscale has an exact expected
  image; brighter / darker / contrast / warmer / saturation / background blur are checked as
  properties of the result against the source, evals/properties.py);
- session (4): multi-turn sessions with undo, redo, checkout and a branch, a two-object removal with
  ground truth per turn, and a scripted reviewer that rejects once ("looks like a smudge");
- refusal (8): inputs that must fail with a clear typed error and leave the head where it was.
Deterministic: the same cases for the same scikit-image photos.
"""
from __future__ import annotations

import numpy as np

from engine.masks import box_mask, dilate
from evals.cases import CaseSpec, TurnSpec, Verdict
from evals.synthetic import SyntheticRemoval, photo, removal_cases

SAY = {"ellipse": ("remove the oval", "oval"), "horse": ("remove the horse", "horse"),
       "logo": ("erase the logo", "logo"), "blob": ("get rid of the blob", "blob")}


def _removal_turn(c: SyntheticRemoval, truth=None, **kw) -> TurnSpec:
    say, target = SAY[c.shape]
    return TurnSpec(instruction=say, box=c.box, expect_category="remove", expect_target=target,
                    gt_mask=c.mask, gt_image=c.clean if truth is None else truth, **kw)


def removals(syn: list[SyntheticRemoval]) -> list[CaseSpec]:
    cases = [CaseSpec(id=f"removal/{c.id}", image=c.image, turns=[_removal_turn(c)], suite="removal",
                      note=f"{c.shape} cut from {c.texture} pasted on {c.photo}; box = what a user would draw")
             for c in syn[:16]]
    for c in syn[16:18]:
        say, target = SAY[c.shape]
        brush = dilate(c.mask, 4)
        cases.append(CaseSpec(id=f"removal/{c.id}-painted", image=c.image, suite="removal",
                              note="the user painted over the object (mask = paste mask grown by 4 px)",
                              turns=[TurnSpec(instruction=say, mask=brush, expect_category="remove",
                                              expect_target=target, gt_mask=c.mask, gt_image=c.clean,
                                              gt_region="gt_mask")]))
    return cases


def _gray(image: np.ndarray) -> np.ndarray:
    y = np.clip(np.round(image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])), 0, 255).astype(np.uint8)
    return np.repeat(y[..., None], 3, axis=-1)


def adjustments() -> list[CaseSpec]:
    keep = {"luma_correlation": [0.9, 1.0]}
    specs = [
        ("grayscale", "chelsea", dict(instruction="make it black and white", expect_category="global",
                                      gt_image=_gray(photo("chelsea")), gt_region="whole",
                                      props={"gray_spread": [0, 3]})),
        ("brighter", "coffee", dict(instruction="make it brighter", expect_category="global",
                                    props={"luma_delta": [8, 128], **keep})),
        ("darker", "astronaut", dict(instruction="make the photo darker", expect_category="global",
                                     props={"luma_delta": [-128, -8], **keep})),
        ("contrast", "rocket", dict(instruction="increase the contrast", expect_category="global",
                                    props={"contrast_ratio": [1.08, 4.0], **keep})),
        ("warmer", "motorcycle", dict(instruction="make it warmer", expect_category="global",
                                      props={"warmth_delta": [4, 128], **keep})),
        ("saturated", "astronaut", dict(instruction="make the colors more saturated", expect_category="global",
                                        props={"saturation_ratio": [1.08, 4.0], **keep})),
        ("background-blur", "chelsea", dict(instruction="blur the background", box=(100, 20, 250, 260),
                                            expect_category="background", gt_mask=box_mask((300, 451), (100, 20, 250, 260)),
                                            props={"sharpness_outside": [0.0, 0.7]})),
    ]
    return [CaseSpec(id=f"adjust/{name}", image=f"skimage:{img}", suite="adjust", turns=[TurnSpec(**kw)],
                     note="photometric: no diffusion model needed") for name, img, kw in specs]


def sessions(syn: list[SyntheticRemoval]) -> list[CaseSpec]:
    a, b = syn[0], syn[10]  # the same astronaut photo, two objects that do not overlap
    both = b.image.copy()
    both[a.mask] = a.image[a.mask]
    undo_branch = CaseSpec(id="session/two-objects-undo-branch", image=both, suite="session", category="remove",
                           note="remove one object, then the other; undo, check out v0 and branch", turns=[
        _removal_turn(a, truth=b.image, expect_parent="v0"),
        _removal_turn(b, expect_parent="v1"),
        TurnSpec(action="undo", expect_head="v1"),
        TurnSpec(action="checkout:v0", expect_head="v0"),
        _removal_turn(b, truth=a.image, expect_parent="v0", expect_head="v3"),
        TurnSpec(action="redo", expect_error="NothingToUndoError"),
    ])
    adjust_undo = CaseSpec(id="session/adjust-undo-adjust", image="skimage:coffee", suite="session", category="global",
                           turns=[
        TurnSpec(instruction="make it black and white", expect_category="global", gt_image=_gray(photo("coffee")),
                 gt_region="whole", props={"gray_spread": [0, 3]}, then="undo", expect_head="v0"),
        TurnSpec(instruction="make it warmer", expect_category="global", expect_parent="v0",
                 props={"warmth_delta": [4, 128]}),
    ])
    c = syn[2]
    reviewed = CaseSpec(id="session/reviewer-rejects-once", image=c.image, suite="session", category="remove",
                        note="a scripted reviewer rejects the first result as a smudge, then accepts", turns=[
        _removal_turn(c, judge=[Verdict(ok=False, reason="the patch looks like a smudge"), Verdict(ok=True)],
                      expect_attempts=2)])
    d = syn[3]
    navigate = CaseSpec(id="session/painted-undo-redo", image=d.image, suite="session", category="remove", turns=[
        TurnSpec(instruction="remove the blob", mask=dilate(d.mask, 4), expect_category="remove", gt_mask=d.mask,
                 gt_image=d.clean, gt_region="gt_mask"),
        TurnSpec(action="undo", expect_head="v0"),
        TurnSpec(action="redo", expect_head="v1"),
        TurnSpec(action="checkout:v7", expect_error="VersionNotFoundError"),
    ])
    return [undo_branch, adjust_undo, reviewed, navigate]


def refusals() -> list[CaseSpec]:
    black = np.zeros((400, 600), bool)
    specs = [
        ("empty-instruction", "bundled:coffee", [], dict(instruction="   ", expect_error="EmptyInstructionError")),
        ("recolor-needs-diffusion", "bundled:coffee", ["lite"],
         dict(instruction="make the cup blue", box=(170, 20, 240, 260), expect_error="UnsupportedEditError")),
        ("find-needs-detector", "bundled:coffee", ["lite"],
         dict(instruction="remove the spoon", expect_error="UnsupportedEditError")),
        ("add-needs-diffusion", "skimage:chelsea", ["lite"],
         dict(instruction="add a hat to the cat", box=(150, 10, 120, 80), expect_error="UnsupportedEditError")),
        ("box-outside-image", "bundled:coffee", [],
         dict(instruction="remove the spoon", box=(700, 500, 50, 50), expect_error="BadBoxError")),
        ("black-mask", "bundled:coffee", [], dict(instruction="remove the stain", mask=black,
                                                   expect_error="BrushEditError")),
        ("gibberish", "bundled:coffee", [], dict(instruction="asdf qwerty zxcv", expect_error="NotUnderstoodError")),
        ("undo-at-root", "bundled:coffee", [], dict(action="undo", expect_error="NothingToUndoError")),
    ]
    return [CaseSpec(id=f"refusal/{name}", image=img, suite="refusal", profiles=profiles, turns=[TurnSpec(**kw)])
            for name, img, profiles, kw in specs]


def cases(seed: int = 0) -> list[CaseSpec]:
    syn = removal_cases(18, seed=seed)
    return removals(syn) + adjustments() + sessions(syn) + refusals()
