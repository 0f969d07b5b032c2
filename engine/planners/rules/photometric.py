"""Photometric clauses -> adjust operations ("make it a bit brighter" -> brightness +0.2).

A clause is photometric when every word is an operation word ("brighter", "sepia", "black and
white", "out of focus"), a direction ("more", "lower"), an intensity ("a bit", "a lot") or a neutral
word ("make", "the", "image", "colors"): then the edit is an adjustment, not a diffusion edit.
Anything else ("winter", "stormy", "golden hour glow", "the dog") makes it a semantic edit and the
scan returns nothing. `problem_ops` reads complaints ("it's too dark") as the fix they ask for.

Leaf module: word lists only.
"""
from __future__ import annotations

from typing import NamedTuple

from engine.planners.rules import vocabulary as vb
from engine.planners.rules.text import Phrases

_SIGNED = ("brightness", "contrast", "saturation", "warmth", "sharpness")
_PHRASES = Phrases(vb.OP_PHRASES)
_PHOTOMETRIC = frozenset(vb.OP_WORDS).union(vb.OP_NEUTRAL, vb.SMALL_WORDS, vb.LARGE_WORDS, vb.BACKGROUND_SCOPE,
                                            vb.UP_WORDS, vb.DOWN_WORDS, {"too"})  # the words _collect accepts
_MAYBE_PHOTOMETRIC = _PHOTOMETRIC | {x for phrase in vb.OP_PHRASES for x in phrase}  # before phrases are joined


class Op(NamedTuple):
    """One adjustment: an operation name of engine.plan.AdjustName and its strength (signed ones -1..1)."""

    op: str
    strength: float


class Scan(NamedTuple):
    """Result of a photometric scan: the operations and whether they apply to the background only."""

    ops: tuple[Op, ...]
    background: bool


def _phrases(words: list[str]) -> list[str]:
    if not _PHRASES.any_in(words):
        return words
    out, i = [], 0
    while i < len(words):
        phrase = _PHRASES.match(words, i)
        if phrase is None:
            out.append(words[i])
            i += 1
        else:
            out.append(vb.OP_PHRASES[phrase])
            i += len(phrase)
    return out


def _factor(words: list[str]) -> float:
    if not vb.SMALL_WORDS.isdisjoint(words):
        return 0.5
    if not vb.LARGE_WORDS.isdisjoint(words):
        return 1.6
    return 1.0


def _strength(op: str, sign: int, factor: float) -> float:
    value = min(1.0, vb.OP_BASE[op] * factor)
    return round(sign * value if op in _SIGNED else value, 3)


def _collect(words: list[str], background: bool, description: bool = False) -> list[tuple[str, int]] | None:
    """(op, sign) pairs in order, or None when a word is not photometric."""
    found: list[tuple[str, int, bool]] = []  # op, sign, was the sign set by a direction word
    pending = 0
    for x in words:
        if x in vb.OP_WORDS:
            op, sign = vb.OP_WORDS[x]
            if background and x in vb.BLUR_OPS:
                op, sign = "background_blur", 1
            directed = pending != 0
            sign = (sign or 1) * (pending or 1)
            found.append((op, sign, directed or vb.OP_WORDS[x][1] != 0))
            pending = 0
        elif x == "too":  # "too dark": the fix is the other way
            pending = -1
        elif x in vb.UP_WORDS or x in vb.DOWN_WORDS:
            d = 1 if x in vb.UP_WORDS else -1
            if found and not found[-1][2] and x in ("up", "down", "higher", "lower"):
                op, sign, _ = found[-1]  # "the brightness down"
                found[-1] = (op, sign * d, True)
            elif x not in ("up", "down") or not found:
                pending = d
        elif x not in vb.OP_NEUTRAL and x not in vb.SMALL_WORDS and x not in vb.LARGE_WORDS \
                and x not in vb.BACKGROUND_SCOPE:
            return None
    if found and not description and all(x in vb.OP_PLAIN_ADJECTIVES for x in words if x in vb.OP_WORDS) and not any(
            x in vb.OP_VERBS or x in vb.UP_WORDS or x in vb.DOWN_WORDS or x in vb.SMALL_WORDS or x in vb.LARGE_WORDS
            or x == "too" for x in words):
        return None  # "cool photo", "nice warm light": a description, not a request
    return [(op, sign) for op, sign, _ in found]


def scan(words: list[str], *, background: bool = False) -> Scan | None:
    """The operations of a purely photometric clause, or None. `background` = the clause is about the
    background (blur there means background_blur)."""
    if not _MAYBE_PHOTOMETRIC.issuperset(words):  # a word in no operation, direction or phrase: no adjustment
        return None
    words = _phrases(words)
    if not _PHOTOMETRIC.issuperset(words):  # a word that is no operation, direction or neutral word
        return None
    background = background or not vb.BACKGROUND_SCOPE.isdisjoint(words)
    pairs = _collect(words, background)
    if pairs is None:
        return None
    if not pairs:  # photometric words only, but no operation named ("fix it", "tone it down")
        return Scan((), background)
    factor = _factor(words)
    ops: dict[str, Op] = {}
    for op, sign in pairs:
        if op not in _SIGNED and sign < 0:  # "less sepia": a weaker version
            factor = min(factor, 0.5)
            sign = 1
        ops[op] = Op(op, _strength(op, sign, factor))
    on_background = background or "background_blur" in ops
    return Scan(tuple(ops.values()), on_background)


_COMPLAINT_FRAMES = [f.split() for f in ("i do not like how", "i hate how", "i do not love how", "i dislike how",
                                         "i do not like that", "i hate that", "it bothers me how")]


def is_complaint(words: list[str]) -> bool:
    """'too dark', 'I don't like how dark it is': a description that asks for the opposite."""
    return "too" in words or any(words[:len(f)] == f for f in _COMPLAINT_FRAMES)


def problem_ops(words: list[str]) -> tuple[Op, ...]:
    """The fix a description asks for: 'it is way too dark' -> brightness +, 'the picture looks washed out'
    -> saturation +, 'the photo is too saturated' -> saturation -."""
    for frame in _COMPLAINT_FRAMES:  # "I don't like how dark it is" -> "dark it is"
        if words[:len(frame)] == frame:
            words = words[len(frame):]
            break
    words = _phrases([x for x in words if x != "too"])
    pairs = _collect(words, False, description=True)
    if not pairs:
        return ()
    return tuple(Op(op, _strength(op, -sign, _factor(words))) for op, sign in pairs if op in _SIGNED)


def scaled(ops: tuple[Op, ...], factor: float) -> tuple[Op, ...]:
    """The same operations with strengths multiplied by `factor` (kept in range)."""
    out = []
    for o in ops:
        lo = -1.0 if o.op in _SIGNED else 0.0
        out.append(Op(o.op, round(max(lo, min(1.0, o.strength * factor)), 3)))
    return tuple(out)
