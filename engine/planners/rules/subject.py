"""Sentence shapes about a named subject: "the X should be Y", "the X needs to go", "no X",
"could the X be Y", "new background: ...", and `about`, which decides what an instruction does
to a subject from the words that follow it ("disappear", "wear a hat", "in France", "red").

Each shape takes the lowercase words and a `Ctx` and returns a `Parsed`, or None when the
sentence does not have its shape. Leaf module: the whole grammar is reached through `ctx.parse`.
"""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.base import (Ctx, Parsed, addition_plan, behind_subject, global_new, is_global,
                                        remove_plan, words_after)
from engine.planners.rules.text import head, is_adjective, is_ing, noun_phrase


_LOOKS_GOOD = ("great", "good", "nice", "better", "cool", "amazing", "lovely", "awesome", "cute", "fantastic")


_PUT_VERBS = lx.ADD_VERBS | lx.PLACE_VERBS
_AFTER_SUBJECT = lx.LOCATIVE_PREPS | {"with", "by", "next"}  # "the man in the back needs to go"


def _locative(rest: list[str], ctx: Ctx, being: bool = False) -> int:
    """Index of the locative preposition of 'standing in the snow' / 'in France', or -1 (`being`: after a
    form of 'be', where 'on a pirate ship' is a place too)."""
    i, posture = 0, False
    filler = ("to", "be", "is", "are", "was", "were", "being", "appear", "appears", "seem", "all", "now", "am") \
        + _LOOKS_GOOD
    while i < len(rest) and (rest[i] in lx.POSTURE_VERBS or rest[i] in filler or is_ing(rest[i])):
        posture = posture or rest[i] in lx.POSTURE_VERBS or is_ing(rest[i])
        being = being or rest[i] in lx.BE or rest[i] in _LOOKS_GOOD  # "would look great on a pirate ship"
        i += 1
    if i < len(rest) and (rest[i] in lx.LOCATIVE_PREPS or rest[i] == "by" and posture):
        place = rest[i + 1:]
        if posture or any(x in lx.PLACES or x in ctx.proper for x in place) or (
                being and place[:1] and place[0] in ("a", "an") and len(place) > 1):  # "to be on a pirate ship"
            return i
    return -1



def about(np: list[str], det: str, rest: list[str], ctx: Ctx, being: bool = False) -> Parsed:
    """What happens to the subject `np` given the words after it (`being`: they follow a form of 'be')."""
    if is_global(np, det):
        if rest[:1] in (["look"], ["looks"]) and "with" in rest[:4]:  # "it would look better with a rug"
            obj, end, odet = noun_phrase(rest, rest.index("with") + 1)
            if obj and odet in lx.INDEFINITE:
                return addition_plan(obj, odet, rest[end:])
        if rest[:2] in (["seem", "like"], ["appear", "like"], ["look", "as"], ["seem", "as"], ["appear", "as"]):
            rest = ["look", "like", *rest[2 + (rest[2:3] in (["if"], ["though"])):]]
        if rest[:2] == ["look", "like"] and len(rest) > 3:  # "make it look like the woman is on a beach"
            inner = subject_first(rest[2:], ctx)
            if inner is not None and inner.category != "global":
                return inner
        return Parsed("global", [], global_new(rest), "about-global")
    if head(np) in lx.BACKGROUND_WORDS:
        return Parsed("background", behind_subject(rest), words_after(rest), "about-background")
    if det in lx.INDEFINITE:
        return addition_plan(np, det, rest)
    if not lx.GONE_WORDS.isdisjoint(rest) or rest[:2] == ["go", "away"] or rest[-1:] == ["go"]:
        return Parsed("remove", np, [], "about-gone")
    if rest and (rest[0] in lx.REMOVE_VERBS or rest[0] in ("take", "get")):
        sub = ctx.parse(rest, ctx)
        if sub.category == "remove" and sub.target:  # not "make the sky clear (and blue)"
            return sub
    if rest and rest[0] in lx.WEAR_VERBS:
        j = 2 if rest[0] in ("put", "putting") and rest[1:2] == ["on"] else 1
        obj, _, odet = noun_phrase(rest, j)
        if head(obj) in lx.BODY_ATTRS and len(obj) > 1:  # "what if the lion had a blue mane"
            return Parsed("local", np, rest[j:], "about-attribute")
        if head(obj) in lx.BODY_PARTS and odet in ("", "pron", "his", "her", "their", "its"):  # "hold hands"
            return Parsed("local", np, rest, "about-pose")
        if obj and head(obj) not in lx.EXPRESSIONS:
            return addition_plan(obj, odet, [])
    if rest[:1] in (["look"], ["looks"]) and "with" in rest:  # "the room would look better with a lamp"
        obj, end, odet = noun_phrase(rest, rest.index("with") + 1)
        if obj and (odet in lx.INDEFINITE or not odet):
            return addition_plan(obj, odet, rest[end:])
    where = rest  # "look like it is on a farm", "look like in Tokyo"
    if rest[:2] in (["look", "like"], ["looks", "like"]):
        where = rest[4:] if rest[3:4] and rest[3] in lx.BE and rest[2] in lx.PRONOUNS else rest[2:]
    elif rest[:1] in (["look"], ["looks"]):
        where = rest[1:]
    k = _locative(where, ctx, being)
    if k >= 0:
        return Parsed("background", np, where[k:], "about-place")
    return Parsed("local", np, rest, "about-local")


def _complaint(rest: list[str]) -> bool:
    """'distracting', 'in the way', 'an eyesore': the object should go."""
    return any(rest[:len(c)] == list(c) for c in lx.REMOVE_COMPLAINTS)


def copula(np: list[str], det: str, rest: list[str], neg: bool, ctx: Ctx) -> Parsed:
    if rest[:1] == ["not"]:
        neg, rest = True, rest[1:]
    if not neg and np and det != "pron" and _complaint(rest) and head(np) not in lx.BACKGROUND_WORDS:
        return Parsed("remove", np, [], "complaint")
    if neg:
        if not rest or rest[0] in lx.ABSENT:
            return Parsed("remove", np, [], "not-there")
        if rest[0] in lx.WEAR_VERBS:  # "she should not be wearing sunglasses"
            obj, end, _ = noun_phrase(rest, 1)
            return remove_plan(obj, rest[end:]) if obj else Parsed("remove", np, [], "not-there")
        return Parsed("local", np, rest, "copula-not")
    return about(np, det, rest, ctx, being=True)


def label(w: list[str], ctx: Ctx) -> Parsed | None:
    i = 1 if w and w[0] in ("new", "different", "another", "a") else 0
    if len(w) > i + 1 and w[i] in lx.BACKGROUND_WORDS and w[i + 1] in ("to", "with", "of", "is", "should"):
        return Parsed("background", [], words_after(w[i + 1:], ("to", "with", "of", "be", "is")), "label")
    return None


def no_x(w: list[str], ctx: Ctx) -> Parsed | None:
    if w and w[0] == "no" and len(w) > 1:
        j = 2 if w[1] == "more" else 1
        np, end, _ = noun_phrase(w, j)
        return remove_plan(np, w[end:])
    if "without" in w and w[0] not in _PUT_VERBS:
        k = w.index("without")
        np, end, _ = noun_phrase(w, k + 1)
        if np:
            return remove_plan(np, w[end:])
    return None


def modal_first(w: list[str], ctx: Ctx) -> Parsed | None:
    if len(w) > 3 and w[0] in lx.MODALS and w[1] in ("we", "i") and w[2] == "be":  # "can I be on the moon"
        p = about([w[1]], "pron", w[2:], ctx)
        return p if p.category == "background" else None
    if len(w) < 3 or w[0] not in lx.MODALS or w[1] in ("there", "you", "we", "i"):
        return None
    np, end, det = noun_phrase(w, 1)
    r = w[end:]
    if r[:1] == ["not"]:
        return copula(np, det, r[2:] if r[1:2] == ["be"] else r[1:], True, ctx)
    if r[:1] == ["be"]:
        return copula(np, det, r[1:], False, ctx)
    return about(np, det, r, ctx) if np else None


def subject_first(w: list[str], ctx: Ctx) -> Parsed | None:
    """'the X should be Y', 'the X needs to go', 'she should not be wearing Y'."""
    np, end, det = noun_phrase(w, 0)
    r = w[end:]
    if not np or not r:
        return None
    while len(r) > 1 and r[0] in lx.HEDGE_ADVERBS:  # "the sign totally ruins it"
        r = r[1:]
    if r[0] in vb.SPOIL_VERBS and det != "pron" and head(np) not in lx.BACKGROUND_WORDS:  # "the wires ruin the view"
        return Parsed("remove", np, [], "spoils")
    if r[0] in ("looked", "seemed", "appeared", "felt"):  # "(it'd be cool if) it looked like a video game"
        return about(np, det, ["look", *r[1:]], ctx)
    if r[0] in ("behind", "around") and (head(np) in lx.SCENE_WORDS or head(np) in lx.BACKGROUND_WORDS):
        subject, k, _ = noun_phrase(r, 1)  # "the area behind the couple should be a vineyard"
        if subject and any(x in lx.BE for x in r[k:k + 4]):
            return Parsed("background", subject, words_after(r[k:], ("be", "become", "into", "to")), "scene-behind")
    if r[0] in _AFTER_SUBJECT:  # "the man in the back needs to go"
        k = next((i for i, x in enumerate(r[:8]) if x in lx.AUX or x in lx.BE), 0)
        r = r[k:] if k else r
    j, neg, modal = 0, False, False
    while j < len(r) and (r[j] in lx.AUX or (r[j] in ("has", "have") and r[j + 1:j + 2] == ["to"])
                          or r[j] in ("both", "all", "each") and j + 1 < len(r)):  # "the mom and kid should both be"
        neg, modal = neg or r[j] == "not", True
        j += 1
    if j < len(r) and r[j] in lx.BE:
        return copula(np, det, r[j + 1:], neg, ctx)
    if modal and not neg and j < len(r) and r[j - 1:j] in (["needs"], ["need"], ["wants"]) \
            and r[j] not in lx.DETERMINERS and not is_adjective(r[j]) and r[j] not in lx.NP_STOPS:
        obj, end, _ = noun_phrase(r, j)  # "the dog needs sunglasses", "the cats need party hats"
        if obj and not (is_ing(obj[0]) and len(obj) == 1):  # not "the car needs cleaning"
            return addition_plan(obj, "", r[end:])
    if modal and not neg and j < len(r) and r[j - 1:j + 1] in (["could", "use"], ["can", "use"]):
        j += 1  # "the door could use a coat of paint"
    if modal and j < len(r) and r[j] in lx.INDEFINITE and not neg:  # "the man needs a hat"
        obj, end, odet = noun_phrase(r, j)
        if obj and obj[0] in lx.GIVE_ATTRS or any(x in ("coat", "paint", "paintjob") for x in obj):
            return Parsed("local", np, r[j:], "needs-look")  # "the fence needs a fresh coat of paint"
        return addition_plan(obj, odet, r[end:])
    if neg and j < len(r) and (r[j] in lx.WEAR_VERBS or r[j] in ("go", "stay", "remain")):
        return copula(np, det, r[j:], True, ctx)  # "the woman should not wear a hat"
    if modal or r[0] in lx.GONE_WORDS:
        return about(np, det, r[j:], ctx)
    return None
