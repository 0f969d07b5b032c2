"""Captions (the diffusion prompt) of a parsed step: 'a corgi', 'a blue car', 'the same scene, at night'.

Leaf module: lexicon and text helpers only.
"""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules import text as tx
from engine.planners.rules.base import Parsed

EMPTY = "empty background, natural seamless continuation of the surroundings"
_OP_WORDS = {"grayscale": "in black and white", "sepia": "in sepia tones", "vintage": "with a vintage look",
             "background_blur": "with a softly blurred background"}
_SIGNED_WORDS = {"brightness": ("brighter", "darker"), "contrast": ("with more contrast", "with less contrast"),
                 "saturation": ("more saturated", "less saturated"), "warmth": ("warmer", "cooler"),
                 "sharpness": ("sharper", "softer")}


_SUBJECT_PRONOUNS = {"we": "people", "i": "person"}
_DROPPED = lx.EVALUATIVE | lx.INCIDENTAL


def target_text(words: list[str]) -> str:
    """The target as a phrase: a pronoun as the noun it stands for, opinion, size and warmth words dropped
    ('that ugly lamp post' -> 'lamp post', 'a steaming bowl of hot soup' -> 'bowl of soup'), a list written
    with commas ('lamp and chair and rug' -> 'lamp, chair and rug')."""
    if len(words) == 1:  # the usual target: one noun
        return (lx.PRONOUNS.get(words[0]) or _SUBJECT_PRONOUNS.get(words[0], "")
                if words[0] in lx.PRONOUNS or words[0] in _SUBJECT_PRONOUNS else words[0])
    if words and words[-1] not in ("one", "ones") and words[-1] not in lx.GLOBAL_SUBJECTS and (
            not _DROPPED.isdisjoint(words) or "of" in words or any(x.endswith(("ly", "ed")) for x in words)):
        words = _without_incidental(words)
    ands = words.count("and")
    n = sum(x == "and" and not _modifier_and(words, i) for i, x in enumerate(words)) if ands > 1 else ands
    words = words[:4 * (ands + 1) if ands else 5]
    if n < 2:
        return _five(words)
    out = []
    for i, x in enumerate(words):
        if x == "and" and n > 1 and not _modifier_and(words, i):
            out[-1] += ","
            n -= 1
            continue
        out.append(x)
    return _five(out)


def _five(words: list[str]) -> str:
    """At most five words (the plan schema's limit), never ending on a dangling 'and'."""
    words = words[:5]
    while len(words) > 1 and words[-1] in ("and", "or"):
        words = words[:-1]
    return " ".join(words).rstrip(",")


def _modifier_and(words: list[str], i: int) -> bool:
    """Does the 'and' at i join two modifiers of one noun ('salt and pepper shakers'), not two objects?"""
    return i + 2 < len(words) and words[i + 2] != "and"


def _without_incidental(words: list[str]) -> list[str]:
    """Leading opinion/size words of each part of the phrase (at its start, after 'of' or 'and') dropped, never
    the noun itself ('the tiny red bird' -> red bird, 'a glass of cold lemonade' -> glass of lemonade,
    'freshly baked cookies' -> cookies)."""
    out: list[str] = []
    leading, i = True, 0
    while i < len(words):
        x = words[i]
        if leading and i + 1 < len(words) and words[i + 1] not in ("and", "of", "or"):
            if x in _DROPPED or x in lx.INCIDENTAL_AFTER_OF and out and out[-1] == "of" \
                    or tx.is_participle(x) and words[i + 1] not in lx.NP_STOPS:  # "scattered autumn leaves"
                i += 1
                continue
            if x.endswith("ly") and i + 2 < len(words) and words[i + 1].endswith("ed"):
                i += 2
                continue
        out.append(x)
        leading = x in ("of", "and", "or")
        i += 1
    return out


def ops_caption(ops) -> str:
    parts = [_SIGNED_WORDS[o.op][o.strength < 0] if o.op in _SIGNED_WORDS else _OP_WORDS[o.op] for o in ops]
    return "the same photo, " + ", ".join(parts)


def caption(p: Parsed, target: str) -> str:
    new_words = list(p.new)
    if p.category == "background" and new_words and new_words[0] in ("to", "into", "onto"):
        new_words = ["in"] + new_words[1:]  # "move the goat to a farm" -> "a goat in a farm"
    new = " ".join(new_words).strip()
    if p.category == "addition":
        return new or tx.article(target)
    if p.category == "remove":
        return f"plain empty {new}" if new else EMPTY
    if p.category == "global":
        return f"the same scene, {new}" if new else "the same scene, restyled"
    if p.category == "background":
        if target and new:
            if new_words[0] in lx.LOCATIVE_PREPS or new_words[0] in ("in", "on", "at"):
                return f"{tx.article(target)} {new}"
            return f"{tx.article(target)} in front of {tx.article(new)}"
        return new or "a new background"
    return tx.local_caption(target, new_words)
