"""RulesPlanner: the offline, deterministic planner (a small grammar over edit instructions).

`parse(instruction)` maps an instruction to the plan schema the VLM planners fill, with
BrushEdit's five categories: `addition` (add an object; target = the object to add),
`remove` (target = the object to remove), `local` (change an object's look or replace it;
target = the existing object), `global` (whole-image style, season, weather, time of day,
lighting; target ''), `background` (target = the subject(s) to keep, '' when not named).

The grammar reads the sentence as a clause: politeness and "keep the X" clauses are
stripped, then the first matching shape decides (a PIE-Bench style "a -> b" edit, "what if
...", "there should be ...", "the X should be ...", "I'd like ...", an imperative verb, or
a bare phrase). Imports only the standard library and the plan schema: cheap to load.
Modules: rules_text (tokens, noun phrases, captions), rules_lexicon (word lists),
rules_clauses / rules_questions / rules_verbs / rules_arrow (the sentence shapes).
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from engine.errors import EmptyInstructionError
from engine.planners.rules import lexicon as lx
from engine.planners.rules import text as tx
from engine.planners.rules.base import Ctx, Parsed
from engine.planners.rules.grammar import parse_words
from engine.plan import EditPlan, PlanResult

if TYPE_CHECKING:
    from engine.protocols import PlanRequest

__all__ = ["RulesPlanner", "parse"]

_EMPTY = "empty background, natural seamless continuation of the surroundings"
_PREFIXES = sorted((p.split() for p in lx.POLITE_PREFIXES), key=len, reverse=True)  # longest first


def _strip_polite(w: list[str]) -> list[str]:
    changed = True
    while changed and w:
        changed = False
        for p in _PREFIXES:
            if w[: len(p)] == p and len(w) > len(p):
                w, changed = w[len(p):], True
                break
    while w and w[-1] in ("please", "thanks", "thank", "you", "now", "too"):
        w = w[:-1]
    return w


def _keep_clause(clause: list[str]) -> list[str] | None:
    """Words of X in 'do not touch the X' / 'keep the X (unchanged)'; None if not such a clause."""
    for lead in (["do", "not"], ["but", "do", "not"], ["and", "do", "not"], ["keep"], ["leave"], ["without"]):
        if clause[: len(lead)] == lead:
            rest = clause[len(lead):]
            if lead[-1] == "not" or lead == ["without"]:
                if not rest or rest[0] not in ("touch", "change", "changing", "touching", "alter",
                                               "modify", "move", "edit", "affect", "altering"):
                    return None
                rest = rest[1:]
            words, _, _ = tx.noun_phrase(rest, 0)
            return words
    return None


def _split_keep(clause: list[str]) -> list[list[str]]:
    """'keep the tree but change ...' -> ['keep the tree'], ['change ...']."""
    if _keep_clause(clause) is None:
        return [clause]
    for i, x in enumerate(clause):
        if x in ("but", "and", "just", "only") and i > 1:
            return [clause[:i], clause[i + 1:]]
    return [clause]


def _clauses(words: list[str]) -> tuple[list[str], list[str]]:
    """(main words, words of the subject to keep) after dropping 'do not touch the X' clauses."""
    clauses, cur = [], []
    for x in words:
        if x in ",;.!?":
            clauses.append(cur)
            cur = []
        elif x == ":":
            cur.append("to")
        else:
            cur.append(x)
    clauses.append(cur)
    clauses = [part for c in clauses for part in _split_keep(c)]
    keep: list[str] = []
    kept: list[list[str]] = []
    for clause in clauses:
        for cut in range(len(clause)):  # "... without changing the people"
            if clause[cut] in ("without", "but") and cut > 0:
                found = _keep_clause(clause[cut:])
                if found is not None:
                    keep = keep or found
                    clause = clause[:cut]
                    break
        found = _keep_clause(clause) if clause else None
        if found is not None:
            keep = keep or found
        elif _strip_polite(clause):
            kept.append(_strip_polite(clause))
    if not kept:
        return [], keep
    main = kept[0]
    if main[0] in lx.LOCATIVE_PREPS and len(kept) > 1:  # "in the sky, add a moon"
        main = kept[1] + main
    return main, keep


def _prepare(instruction: str) -> tuple[list[str], list[str], frozenset[str]]:
    words, proper = tx.tokenize(instruction)
    main, keep = _clauses(words)
    main = _strip_polite(main)
    main = [tx.fix_typo(x) if i < 2 or x.startswith("back") else x for i, x in enumerate(main)]
    return _strip_polite(main), keep, proper


def _target_text(words: list[str]) -> str:
    if len(words) == 1 and words[0] in lx.PRONOUNS:
        return lx.PRONOUNS[words[0]]
    return " ".join(words[:5])


def _caption(p: Parsed, target: str) -> str:
    if p.category == "background" and p.new and p.new[0] in ("to", "into", "onto"):
        p.new = ["in"] + p.new[1:]  # "move the goat to a farm" -> "a goat in a farm"
    new = " ".join(p.new).strip()
    if p.category == "addition":
        return new or tx.article(target)
    if p.category == "remove":
        return f"plain empty {new}" if new else _EMPTY
    if p.category == "global":
        return f"the same scene, {new}" if new else "the same scene, restyled"
    if p.category == "background":
        if target and new:
            if p.new[0] in lx.LOCATIVE_PREPS or p.new[0] in ("in", "on", "at"):
                return f"{tx.article(target)} {new}"
            return f"{tx.article(target)} in front of {tx.article(new)}"
        return new or "a new background"
    return tx.local_caption(target, list(p.new))


def parse(instruction: str) -> EditPlan:
    """Deterministic plan for one instruction (box is always None: the rules see no image)."""
    if not instruction or not instruction.strip():
        raise EmptyInstructionError(
            "The instruction is empty.", fix='Say what to edit, e.g. "remove the dog".'
        )
    words, keep, proper = _prepare(instruction)
    p = parse_words(words, Ctx(proper, parse_words))
    if p.category == "global":
        p.target = []
    if p.category == "background" and keep and _target_text(p.target) == "":
        p.target = keep  # "keep the tree but change everything around it"
    target = _target_text(p.target)
    return EditPlan(
        category=p.category,
        target=target,
        caption=_caption(p, target),
        box=None,
        reason=f"rules: {p.rule}",
        negative_prompt=target if p.category == "remove" else "",
    )


class RulesPlanner:
    """Planner protocol implementation around `parse`; needs no model, network or image."""

    name = "rules"

    def plan(self, request: "PlanRequest") -> PlanResult:
        start = time.perf_counter()
        plan = parse(request.instruction)
        return PlanResult(plan=plan, planner=self.name, requests=0, seconds=time.perf_counter() - start)
