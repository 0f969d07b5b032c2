"""What every sentence shape returns (`Parsed`), the context it gets (`Ctx`: proper nouns and the
recursion into the whole grammar, passed in by grammar.py) and the plan builders they share.

Leaf module: imports only the lexicon and the text helpers.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.text import article, head, is_ing, noun_phrase



class Parsed:
    """What the grammar found: a category, the target words and the new-content words.
    (Plain classes rather than dataclasses in this package: they cost nothing at import.)"""

    __slots__ = ("category", "target", "new", "rule")

    def __init__(self, category: str, target: list[str] | None = None, new: list[str] | None = None, rule: str = ""):
        self.category, self.target, self.new, self.rule = category, list(target or []), list(new or []), rule

    def __repr__(self) -> str:
        return f"Parsed({self.category!r}, {self.target!r}, {self.new!r}, {self.rule!r})"


class Ctx(NamedTuple):
    """What a sentence shape may use besides the words: the proper nouns of the instruction and
    `parse`, the whole grammar (for a clause inside a clause: "I'd like you to remove the cat")."""

    proper: frozenset[str]
    parse: Callable[[list[str], "Ctx"], Parsed]


def hung(rest: list[str]) -> bool:
    """'(the picture) hanging above the bed', '(the photo) on the wall': a picture that is an object in the scene."""
    if not rest:
        return False
    k = 1 if rest[0] in vb.POSITION_VERBS else 0
    return k < len(rest) and rest[k] in lx.LOCATIVE_PREPS and rest[k + 1:k + 2] == ["the"] and bool(rest[k + 2:k + 3]) \
        and rest[k + 2] not in lx.GLOBAL_SUBJECTS and rest[k + 2] not in vb.FRAME_PARTS


def is_global(np: list[str], det: str) -> bool:
    if not np:
        return False
    if det == "pron":
        return np[0] in ("it", "this", "that")
    h = head(np)
    if np[0] in ("whole", "entire", "overall"):  # "the whole thing", not "the whole family"
        return len(np) == 1 or h in lx.GLOBAL_SUBJECTS or h in ("thing", "shot", "frame", "lot")
    if h not in lx.GLOBAL_SUBJECTS:
        return False
    return len(np) == 1 or h in ("image", "photo", "picture", "scene", "day")


def words_after(words: list[str], marks: tuple[str, ...] = lx.MARKS) -> list[str]:
    """The words after the first of `marks` ('to a beach' -> 'a beach'); all words if none."""
    for i, x in enumerate(words):
        if x in marks:
            return words[i + 1:]
    return words


def global_new(rest: list[str]) -> list[str]:
    skip = ("look", "looks", "like", "be", "into", "to", "as", "seem", "appear", "become", "is", "from")
    while rest and rest[0] in skip:
        rest = rest[1:]
    return rest


def behind_subject(rest: list[str]) -> list[str]:
    for i, x in enumerate(rest):
        if x in ("behind", "around") or (x == "of" and i == 0):
            return noun_phrase(rest, i + 1, split_adjectives=True, trailing_noun=False)[0]  # "behind the flowers black"
    return []


_ALL = frozenset("everything anything all stuff".split())
_SCENERY = frozenset("sky skyline landscape scenery view sunset sunrise horizon".split())


def remove_plan(np: list[str], rest: list[str]) -> Parsed:
    if head(np) in lx.BACKGROUND_WORDS:
        return Parsed("background", [], [], "remove-background")
    if len(np) == 1 and np[0] in _ALL and rest[:1] and rest[0] in lx.LOCATIVE_PREPS and len(rest) > 1:
        return Parsed("remove", np + rest[:4], [], "remove-all-there")  # "everything on the table"
    where: list[str] = []
    for i, x in enumerate(rest):
        if x in ("from", "on", "off", "in", "of"):
            where = noun_phrase(rest, i + 1)[0]
            break
    if head(where) in lx.GLOBAL_SUBJECTS or head(where) in ("left", "right", "middle", "center", "front"):
        where = []
    return Parsed("remove", np, where)


def addition_plan(np: list[str], det: str, rest: list[str]) -> Parsed:
    somewhere = bool(rest) and (rest[0] in lx.LOCATIVE_PREPS or rest[0] == "to")
    h = head(np)
    if h in lx.GLOBAL_LOOKS or (h in lx.WEATHER and not somewhere):  # "add some fog"
        return Parsed("global", [], np, "add-look-or-weather")
    if h in lx.EXPRESSIONS:  # "put a smile on her face"
        k = next((i for i, x in enumerate(rest) if x in ("on", "to")), -1)
        return Parsed("local", noun_phrase(rest, k + 1)[0] if k >= 0 else [], np, "expression")
    if h in lx.BACKGROUND_WORDS:
        return Parsed("background", [], words_after(rest, ("of", "with", "to")))
    if "of" in np and np[np.index("of") - 1] in lx.BACKGROUND_WORDS:  # "a new background of mountains"
        return Parsed("background", [], np[np.index("of") + 1:] + rest, "background-of")
    if rest[:1] == ["behind"] and not lx.PLACES.isdisjoint(np) and (
            rest[1:2] and rest[1] in lx.PRONOUNS or head(behind_subject(rest)) in vb.PERSON_WORDS
            or h in _SCENERY):  # "a beach behind me", "a starry night sky behind the tent"
        return Parsed("background", behind_subject(rest), ([det] if det else []) + np, "place-behind")
    if (not lx.PLACES.isdisjoint(np) or "sunset" in np or "sunrise" in np) \
            and not lx.BACKGROUND_WORDS.isdisjoint(rest[:4]):
        # "a beach in the background" is a new background, not an object
        return Parsed("background", [], ([det] if det else []) + np, "place-in-background")
    phrase = ([det] if det and det not in ("pron",) else []) + np
    phrase = phrase if det else article(" ".join(np)).split()
    if rest and (rest[0] in lx.LOCATIVE_PREPS or is_ing(rest[0]) or rest[0] in ("next", "by")):
        phrase += rest
    return Parsed("addition", np, phrase)


