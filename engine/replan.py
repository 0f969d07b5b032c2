"""The re-plan policy: what the next attempt changes, keyed by the problem of the last rejection.

ONE table (`POLICY`) maps a problem (engine.verification.Problem) to the levers to pull, in order;
each lever that can change something under the current backends is applied, and the change is
said in one line (`AttemptParams.change`). When no lever can change anything (e.g. the rules
planner cannot use a free-text reason and the classical inpainter has no seed), `next_attempt`
returns `NoChange` with a one-line reason instead of producing the same image again.

Every attempt's seeds, mask growth, inpainting method, steps and caption changes are computed here,
once; the graph's nodes only read `AttemptParams`.
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from engine.plan import EditPlan
from engine.verification import Verdict
from engine.verification_reason import refined_target

GROW_PX = 15  # target still present: grow the mask by this much more each time
SHRINK_PX = 10  # background changed: tighten it
MAX_SHRINK_PX = 30
MORE_STEPS, MAX_STEPS = 10, 100
REMOVAL_CAPTION = "empty background, nothing there, natural seamless continuation of the surroundings"

POLICY: dict[str, tuple[str, ...]] = {
    "target_still_present": ("grow", "removal", "seed"),
    "wrong_target": ("retarget", "next_detection", "feedback"),
    "target_missing": ("feedback", "seed", "steps"),
    "artifact": ("method", "seed", "steps"),
    "off_instruction": ("feedback", "seed"),
    "background_changed": ("shrink", "seed"),
    "none": ("feedback", "seed"),
}


class AttemptParams(BaseModel):
    """What one attempt uses. `seeds` has one entry per candidate."""

    n: int = 0
    seeds: list[int] = Field(default_factory=lambda: [0])
    seed_block: int = 0  # seeds = seed + block * candidates + k
    grow_px: int = 0  # added to the grounded mask (negative: eroded)
    method: str | None = None  # one of the inpainter's methods; None = its default
    steps: int | None = None  # None = settings.steps
    removal: bool = False  # removal caption and the target in the negative prompt
    target: str | None = None  # a refined target from the person's reason (re-ground)
    detection: int = 0  # which detection of the target to segment (re-ground: the next one)
    feedback: str | None = None  # the last rejection, for the planner
    tried_methods: list[str] = Field(default_factory=list)
    change: str = "first attempt"


@dataclass(frozen=True)
class Options:
    """What can vary under the current backends and inputs."""

    seed: int = 0
    candidates: int = 1
    methods: tuple[str, ...] = ()
    generative: bool = True  # the inpainter uses seed, prompt and steps (not the classical fill)
    steps: int = 50
    planner_reads_feedback: bool = True
    regroundable: bool = False  # a detector finds the target (no user box/mask fixes the region)
    detections: int = 0  # detections the last grounding found
    target: str = ""  # the plan's current target
    fill: str = "the classical inpainter"  # what makes the pixels, as said when it has nothing to vary


@dataclass(frozen=True)
class NoChange:
    reason: str


def _seeds(opts: Options, block: int) -> list[int]:
    return [opts.seed + block * opts.candidates + k for k in range(opts.candidates)]


def first_attempt(opts: Options) -> AttemptParams:
    method = opts.methods[0] if opts.methods else None
    seeds, change = _seeds(opts, 0), "first attempt"
    if not opts.generative and len(seeds) > 1:  # every seed would give the same image
        seeds, change = seeds[:1], "first attempt (1 candidate: the inpainter has no seed to vary)"
    return AttemptParams(n=0, seeds=seeds, method=method, tried_methods=[method] if method else [], change=change)


def _lever(name: str, p: AttemptParams, verdict: Verdict, opts: Options) -> tuple[dict, str] | None:
    """The update lever `name` makes to `p`, with its description; None when it changes nothing."""
    if name == "grow":
        return {"grow_px": p.grow_px + GROW_PX}, f"mask grown by {p.grow_px + GROW_PX} px"
    if name == "shrink" and p.grow_px > -MAX_SHRINK_PX:
        return {"grow_px": p.grow_px - SHRINK_PX}, f"mask tightened by {SHRINK_PX - p.grow_px} px"
    if name == "removal" and opts.generative and not p.removal:
        return {"removal": True}, "removal caption and the target in the negative prompt"
    if name == "seed" and opts.generative:
        seeds = _seeds(opts, p.seed_block + 1)
        said = f"seed {seeds[0]}" + (f"..{seeds[-1]}" if len(seeds) > 1 else "")
        return {"seeds": seeds, "seed_block": p.seed_block + 1}, said
    if name == "steps" and opts.generative and (p.steps or opts.steps) < MAX_STEPS:
        steps = min(MAX_STEPS, (p.steps or opts.steps) + MORE_STEPS)
        return {"steps": steps}, f"{steps} steps"
    if name == "method":
        untried = [m for m in opts.methods if m not in p.tried_methods]
        if untried:
            return {"method": untried[0], "tried_methods": [*p.tried_methods, untried[0]]}, f"method {untried[0]}"
    if name == "feedback" and opts.planner_reads_feedback:
        return {}, "re-planned with the reason as feedback"
    if name == "retarget" and opts.regroundable:
        target = refined_target(verdict.reason)
        if target and target != (p.target or opts.target):
            return {"target": target, "detection": 0}, f"target '{target}' (from the reason)"
    retargeted = (p.target or opts.target) != opts.target  # this round already names another target
    if name == "next_detection" and opts.regroundable and not retargeted and p.detection + 1 < opts.detections:
        return {"detection": p.detection + 1}, f"detection {p.detection + 2} of {opts.detections}"
    return None


def _why_not(problem: str, opts: Options) -> str:
    said = {"artifact": "no other fill method is left to try",
            "wrong_target": "the region is fixed by your box/mask or nothing else was detected",
            "background_changed": "the mask cannot be tightened further"}.get(problem, "")
    parts = [p for p in (
        said,
        "" if opts.planner_reads_feedback else "the rules planner cannot use a free-text reason",
        "" if opts.generative else f"{opts.fill} has no seed or prompt to vary",
    ) if p]
    return "; ".join(parts) or "nothing else varies"


def next_attempt(prev: AttemptParams, verdict: Verdict, opts: Options) -> AttemptParams | NoChange:
    """The next attempt's params after `verdict` rejected the attempt made with `prev`."""
    problem = verdict.problem if verdict.problem in POLICY else "none"
    update: dict = {"n": prev.n + 1, "feedback": _feedback(verdict)}
    said: list[str] = []
    for lever in POLICY[problem]:
        change = _lever(lever, prev.model_copy(update=update), verdict, opts)
        if change is not None:
            update.update(change[0])
            said.append(change[1])
    if not said:
        return NoChange(f"Nothing to change for '{problem.replace('_', ' ')}' ({verdict.reason.strip()[:120]}): "
                        f"{_why_not(problem, opts)}.")
    return prev.model_copy(update={**update, "change": f"{problem}: " + ", ".join(said)})


def _feedback(verdict: Verdict) -> str:
    who = "The user rejected the result" if verdict.by == "person" else f"The {verdict.by} judge rejected the result"
    return f"{who} ({verdict.problem.replace('_', ' ')}): {verdict.reason}"


def apply_to_plan(plan: EditPlan, params: AttemptParams) -> EditPlan:
    """The planner's plan with this attempt's changes: a refined target, a removal caption."""
    update: dict = {}
    if params.target:
        update["target"] = params.target
    if params.removal and plan.category == "remove":
        target = update.get("target", plan.target)
        extra = ", ".join(p for p in (target, "object, remnants, shadow, outline", plan.negative_prompt) if p)
        update.update(caption=REMOVAL_CAPTION, negative_prompt=extra)
    return plan.model_copy(update=update) if update else plan
