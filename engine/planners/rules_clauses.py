"""The grammar of the rules planner: sentence shapes -> (category, target words, new words).

Each `_shape` function looks at the lowercase words of one instruction (politeness already
stripped) and returns a `Parsed`, or None when the sentence does not have its shape.
`parse_words` tries them in order; `about` decides what an instruction does to a named
subject from the words that follow it ("disappear", "wear a hat", "in France", "red").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.planners import rules_lexicon as lx
from engine.planners.rules_text import article, head, is_ing, noun_phrase

MODALS = frozenset("can could would will should may might shall must does do is are ought".split())
_AUX = MODALS - {"is", "are"} | {"needs", "need", "to", "not", "also"}
_MARKS = ("to", "into", "with", "for", "as", "be")
_ABSENT = frozenset("there here visible present anywhere in on at stay remain".split())
BE = frozenset("be is are was were being been become became".split())
PAST = {"added": "add", "removed": "remove", "changed": "change", "made": "make", "replaced": "replace",
        "turned": "turn", "gave": "give", "deleted": "delete", "erased": "erase", "put": "put",
        "placed": "place", "moved": "move", "painted": "paint", "took": "take", "got": "get"}


@dataclass
class Parsed:
    """What the grammar found: a category, the target words and the new-content words."""

    category: str
    target: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    rule: str = ""


def is_global(np: list[str], det: str) -> bool:
    if not np:
        return False
    if det == "pron":
        return np[0] in ("it", "this", "that")
    h = head(np)
    if np[0] in ("whole", "entire", "overall"):  # "the whole thing"
        return True
    if h not in lx.GLOBAL_SUBJECTS:
        return False
    return len(np) == 1 or h in ("image", "photo", "picture", "scene", "day")


def words_after(words: list[str], marks: tuple[str, ...] = _MARKS) -> list[str]:
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
            return noun_phrase(rest, i + 1)[0]
    return []


def _locative(rest: list[str], proper: frozenset[str]) -> int:
    """Index of the locative preposition of 'standing in the snow' / 'in France', or -1."""
    i, posture = 0, False
    filler = ("to", "be", "is", "are", "was", "were", "being", "appear", "appears", "seem", "all", "now")
    while i < len(rest) and (rest[i] in lx.POSTURE_VERBS or rest[i] in filler or is_ing(rest[i])):
        posture = posture or rest[i] in lx.POSTURE_VERBS or is_ing(rest[i])
        i += 1
    if i < len(rest) and rest[i] in lx.LOCATIVE_PREPS:
        place = rest[i + 1:]
        if posture or any(x in lx.PLACES or x in proper for x in place):
            return i
    return -1


def remove_plan(np: list[str], rest: list[str]) -> Parsed:
    if head(np) in lx.BACKGROUND_WORDS:
        return Parsed("background", [], [], "remove-background")
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
    if head(np) in lx.GLOBAL_LOOKS or (head(np) in lx.WEATHER and not somewhere):  # "add some fog"
        return Parsed("global", [], np, "add-look-or-weather")
    if head(np) in lx.EXPRESSIONS:  # "put a smile on her face"
        k = next((i for i, x in enumerate(rest) if x in ("on", "to")), -1)
        return Parsed("local", noun_phrase(rest, k + 1)[0] if k >= 0 else [], np, "expression")
    if head(np) in lx.BACKGROUND_WORDS:
        return Parsed("background", [], words_after(rest, ("of", "with", "to")))
    if any(x in lx.PLACES for x in np) and any(x in lx.BACKGROUND_WORDS for x in rest[:4]):
        # "a beach in the background" is a new background, not an object
        return Parsed("background", [], ([det] if det else []) + np, "place-in-background")
    phrase = ([det] if det and det not in ("pron",) else []) + np
    phrase = phrase if det else article(" ".join(np)).split()
    if rest and (rest[0] in lx.LOCATIVE_PREPS or is_ing(rest[0]) or rest[0] in ("next", "by")):
        phrase += rest
    return Parsed("addition", np, phrase)


def about(np: list[str], det: str, rest: list[str], proper: frozenset[str]) -> Parsed:
    """What happens to the subject `np` given the words after it."""
    if is_global(np, det):
        if rest[:2] == ["look", "like"] and len(rest) > 3:  # "make it look like the woman is on a beach"
            inner = subject_first(rest[2:], proper)
            if inner is not None and inner.category != "global":
                return inner
        return Parsed("global", [], global_new(rest), "about-global")
    if head(np) in lx.BACKGROUND_WORDS:
        return Parsed("background", behind_subject(rest), words_after(rest), "about-background")
    if det in lx.INDEFINITE:
        return addition_plan(np, det, rest)
    if any(x in lx.GONE_WORDS for x in rest) or rest[:2] == ["go", "away"] or rest[-1:] == ["go"]:
        return Parsed("remove", np, [], "about-gone")
    if rest and (rest[0] in lx.REMOVE_VERBS or rest[0] in ("take", "get")):
        sub = imperative(rest, proper)
        if sub is not None and sub.category == "remove":
            return sub
    if rest and rest[0] in lx.WEAR_VERBS:
        j = 2 if rest[0] in ("put", "putting") and rest[1:2] == ["on"] else 1
        obj, _, odet = noun_phrase(rest, j)
        if head(obj) in lx.BODY_ATTRS and len(obj) > 1:  # "what if the lion had a blue mane"
            return Parsed("local", np, rest[j:], "about-attribute")
        if obj and head(obj) not in lx.EXPRESSIONS:
            return addition_plan(obj, odet, [])
    if rest[:1] in (["look"], ["looks"]) and "with" in rest:  # "the room would look better with a lamp"
        obj, end, odet = noun_phrase(rest, rest.index("with") + 1)
        if obj and odet in lx.INDEFINITE | {""}:
            return addition_plan(obj, odet, rest[end:])
    k = _locative(rest, proper)
    if k >= 0:
        return Parsed("background", np, rest[k:], "about-place")
    return Parsed("local", np, rest, "about-local")


def copula(np: list[str], det: str, rest: list[str], neg: bool, proper: frozenset[str]) -> Parsed:
    if rest[:1] == ["not"]:
        neg, rest = True, rest[1:]
    if neg:
        if not rest or rest[0] in _ABSENT:
            return Parsed("remove", np, [], "not-there")
        if rest[0] in lx.WEAR_VERBS:  # "she should not be wearing sunglasses"
            obj, end, _ = noun_phrase(rest, 1)
            return remove_plan(obj, rest[end:]) if obj else Parsed("remove", np, [], "not-there")
        return Parsed("local", np, rest, "copula-not")
    return about(np, det, rest, proper)


def label(w: list[str], proper: frozenset[str]) -> Parsed | None:
    i = 1 if w and w[0] in ("new", "different", "another", "a") else 0
    if len(w) > i + 1 and w[i] in lx.BACKGROUND_WORDS and w[i + 1] in ("to", "with", "of", "is", "should"):
        return Parsed("background", [], words_after(w[i + 1:], ("to", "with", "of", "be", "is")), "label")
    return None


def no_x(w: list[str], proper: frozenset[str]) -> Parsed | None:
    if w and w[0] == "no" and len(w) > 1:
        j = 2 if w[1] == "more" else 1
        np, end, _ = noun_phrase(w, j)
        return remove_plan(np, w[end:])
    if "without" in w and w[0] not in lx.ADD_VERBS | lx.PLACE_VERBS:
        k = w.index("without")
        np, end, _ = noun_phrase(w, k + 1)
        if np:
            return remove_plan(np, w[end:])
    return None


def modal_first(w: list[str], proper: frozenset[str]) -> Parsed | None:
    if len(w) < 3 or w[0] not in MODALS or w[1] in ("there", "you", "we", "i"):
        return None
    np, end, det = noun_phrase(w, 1)
    r = w[end:]
    if r[:1] == ["not"]:
        return copula(np, det, r[2:] if r[1:2] == ["be"] else r[1:], True, proper)
    if r[:1] == ["be"]:
        return copula(np, det, r[1:], False, proper)
    return about(np, det, r, proper) if np else None


def subject_first(w: list[str], proper: frozenset[str]) -> Parsed | None:
    """'the X should be Y', 'the X needs to go', 'she should not be wearing Y'."""
    np, end, det = noun_phrase(w, 0)
    r = w[end:]
    if not np or not r:
        return None
    if r[0] in lx.LOCATIVE_PREPS | {"with", "by", "next"}:  # "the man in the back needs to go"
        k = next((i for i, x in enumerate(r[:8]) if x in _AUX or x in BE), 0)
        r = r[k:] if k else r
    j, neg, modal = 0, False, False
    while j < len(r) and (r[j] in _AUX or (r[j] in ("has", "have") and r[j + 1:j + 2] == ["to"])):
        neg, modal = neg or r[j] == "not", True
        j += 1
    if j < len(r) and r[j] in BE:
        return copula(np, det, r[j + 1:], neg, proper)
    if modal and j < len(r) and r[j] in lx.INDEFINITE and not neg:  # "the man needs a hat"
        obj, end, odet = noun_phrase(r, j)
        return addition_plan(obj, odet, r[end:])
    if neg and j < len(r) and (r[j] in lx.WEAR_VERBS or r[j] in ("go", "stay", "remain")):
        return copula(np, det, r[j:], True, proper)  # "the woman should not wear a hat"
    if modal or r[0] in lx.GONE_WORDS:
        return about(np, det, r[j:], proper)
    return None


def imperative(w: list[str], proper: frozenset[str]) -> Parsed | None:
    from engine.planners.rules_verbs import imperative as verb_first  # the modules refer to each other

    return verb_first(w, proper)


def parse_words(w: list[str], proper: frozenset[str]) -> Parsed:
    from engine.planners.rules_verbs import parse_words as parse

    return parse(w, proper)
