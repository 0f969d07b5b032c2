"""PIE-Bench style edits written as a pair of prompts: "source prompt -> edited prompt".

The words the two prompts do not share decide: nothing on the right -> remove; only new
words -> addition; a style word -> global; a different place after a preposition ->
background; otherwise the differing object of the source prompt is the local target.
"""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules.base import Ctx, Parsed, addition_plan
from engine.planners.rules.text import has_global_cue, is_adjective, noun_phrase


def arrow(w: list[str], ctx: Ctx) -> Parsed | None:
    """'a cat on a bench -> a dog on a bench': the words that differ name the edit."""
    if "->" not in w:
        return None
    k = w.index("->")
    a, b = w[:k], w[k + 1:]
    if not b or b[0] in ("nothing", "none", "empty", "removed", "gone", "no"):
        return Parsed("remove", noun_phrase(a, 0)[0], [], "arrow-remove")
    if a and a[-1] in lx.BACKGROUND_WORDS and len(a) <= 3:  # "background -> beach"
        return Parsed("background", [], b, "arrow-background")
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(len(a), len(b)) - p and a[-1 - s] == b[-1 - s]:
        s += 1
    da, db = a[p:len(a) - s], b[p:len(b) - s]
    if has_global_cue(db) and not any(x in lx.PLACES for x in db):
        return Parsed("global", [], b, "arrow-global")
    if not da:  # "a dog -> a dog wearing a hat": the added noun phrase
        i = next((j for j, x in enumerate(db) if x in lx.DETERMINERS), 0)
        added = addition_plan(noun_phrase(db, i)[0], "a", [])
        if added.category == "addition":
            added.new = b
        return added
    if any(x in lx.LOCATIVE_PREPS for x in a[1:p]) and not all(is_adjective(x) for x in da):
        i = max(j for j in range(1, p) if a[j] in lx.LOCATIVE_PREPS)
        return Parsed("background", noun_phrase(a, 0)[0], b[i:], "arrow-place")
    start = p
    while start > 0 and a[start - 1] not in lx.DETERMINERS and a[start - 1] not in lx.NP_STOPS:
        start -= 1
    return Parsed("local", noun_phrase(a, start)[0], b, "arrow-local")
