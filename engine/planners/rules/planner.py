"""RulesPlanner: the offline, deterministic planner (a grammar over edit instructions).

`plan_instruction(text, history)` maps an instruction, read against the session's earlier turns, to
the plan schema the VLM planners fill, with BrushEdit's five categories: `addition` (target = the
object to add), `remove` (the object to remove), `local` (change an object's look or replace it;
target = the existing object), `global` (whole-image style, season, weather, light; target '') and
`background` (target = the subject(s) kept, '' when not named). Purely photometric requests
("a bit brighter", "black and white", "blur the background") carry adjust `operations`. Several
edits come back as `steps`; "it", "again", "instead" ... are resolved and listed in `references`.
An instruction that asks for no edit raises NotUnderstoodError with examples of instructions.

Modules: grammar (top) over clauses, references (with pronouns, mentions), sentence (the shapes: frames, arrow,
subject, questions, verbs), photometric, captions, text, base, lexicon/vocabulary (word lists).
Imports only the standard library and the plan schema: cheap to load.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Sequence

from engine.errors import EmptyInstructionError, NotUnderstoodError
from engine.plan import AdjustOp, EditPlan, PlanResult, Reference
from engine.planners.rules.captions import caption, ops_caption, target_text
from engine.planners.rules.grammar import Analysis, Step, analyse

if TYPE_CHECKING:
    from engine.protocols import PlanRequest

__all__ = ["RulesPlanner", "parse", "plan_instruction"]

EXAMPLES = ('Say what to change, e.g. "remove the dog", "make the car red", "add a hat to the man", '
            '"make it black and white", "replace the background with a beach".')
_WHY = {
    "question": ("is a question about the image, not an edit", 'Ask for a change instead, e.g. "make the car red".'),
    "not-edit": ("asks for something other than an image edit", EXAMPLES),
    "undo-only": ("only takes back the last edit", "Run `brushedit undo -s SESSION` to go back one version."),
    "no-edit": ("names no edit I can recognise", EXAMPLES),
    "no-referent": ("asks to resize 'it', but no object of this session is left for 'it' to be (none was named, "
                    "or the last one was removed)", 'Name the object, e.g. "make the cat bigger".'),
}


def _references(step: Step) -> list[Reference]:
    return [Reference(phrase=r.phrase, resolved=r.resolved, kind=r.kind, turn=r.turn, version=r.version)
            for r in step.refs]


def _reason(step: Step, undo: int) -> str:
    parts = [f"rules: {step.parsed.rule}"]
    for r in step.refs:
        where = "this instruction" if r.turn is None else (r.version or f"turn {r.turn + 1}")
        parts.append(f"'{r.phrase}' -> '{r.resolved}' ({r.kind}, {where})")
    if undo:
        parts.append(f"takes back {undo} version{'s' * (undo > 1)} first")
    if step.weaker:
        parts.append("weaker than before")
    return "; ".join(parts)


def _plan(step: Step, undo: int) -> EditPlan:
    p = step.parsed
    target = "" if p.category == "global" else target_text(p.target)
    ops = [AdjustOp(op=o.op, strength=o.strength) for o in step.ops]
    return EditPlan(
        category=p.category, target=target,
        caption=ops_caption(step.ops) if ops else caption(p, target), box=None,
        reason=_reason(step, undo), negative_prompt=target if p.category == "remove" else "",
        operations=ops, undo=undo, references=_references(step), clause=" ".join(step.words))


def plan_instruction(instruction: str, history: Sequence = ()) -> EditPlan:
    """Deterministic plan for one instruction given the earlier turns (box is always None: the rules
    see no image). Raises EmptyInstructionError, NotUnderstoodError."""
    if not instruction or not instruction.strip():
        raise EmptyInstructionError("The instruction is empty.", fix='Say what to edit, e.g. "remove the dog".')
    a: Analysis = analyse(instruction, history)
    if not a.steps:
        what, fix = _WHY[a.unclear or "no-edit"]
        raise NotUnderstoodError(f"I did not understand {instruction.strip()[:120]!r} as an edit: it {what}.",
                                 fix=fix)
    return EditPlan.from_steps([_plan(s, a.undo if i == 0 else 0) for i, s in enumerate(a.steps)])


def parse(instruction: str) -> EditPlan:
    """The plan for one instruction on its own (no earlier turns)."""
    return plan_instruction(instruction)


class RulesPlanner:
    """Planner protocol implementation around `plan_instruction`; needs no model, network or image."""

    name = "rules"

    def plan(self, request: "PlanRequest") -> PlanResult:
        start = time.perf_counter()
        plan = plan_instruction(request.instruction, request.history)
        return PlanResult(plan=plan, planner=self.name, requests=0, seconds=time.perf_counter() - start)
