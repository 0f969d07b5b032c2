"""Imperative sentences of the rules planner ("remove the dog", "give the man a hat", ...).

Leaf module: a clause inside the sentence ("make it so that ...") is parsed through `ctx.parse`."""
from __future__ import annotations

from engine.planners.rules import base as cl
from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules import subject as sj
from engine.planners.rules.base import Ctx, Parsed
from engine.planners.rules.text import has_global_cue, head, noun_phrase, skip_determiners


_FROM = frozenset(lx.PARTICLES) | {"from"}
_SCENES = lx.SCENE_WORDS | {"image", "photo", "picture"}
_TO_PLACE = lx.LOCATIVE_PREPS | {"to", "against"}
_VERB_NOUNS = lx.EDIT_VERBS | lx.MOTION_VERBS


def _remove_verb(w: list[str], ctx: Ctx) -> Parsed | None:
    v = w[0]
    if v == "get" and w[1:3] in (["rid", "of"], ["rid", "off"]) or v == "rid" and w[1:2] == ["of"]:
        j = 3 if v == "get" else 2
        np, end, _ = noun_phrase(w, j)
        return cl.remove_plan(np, w[end:])
    if v in ("rid", "clear", "strip", "clean", "empty", "free") and "of" in w[2:]:  # "rid the lawn of leaves"
        return cl.remove_plan(noun_phrase(w, w.index("of", 2) + 1)[0], [])
    if v in ("take", "get", "pull", "knock", "cut", "crop", "wipe", "clear", "strip", "clean"):
        j = 2 if w[1:2] and w[1] in lx.PARTICLES else 1
        np, end, det = noun_phrase(w, j)
        if w[end:end + 1] == ["to"] and v in ("take", "get") and scenic(w[end:], ctx):  # "take the family to a beach"
            return Parsed("background", np, w[end:], "take-to-place")
        if w[end:end + 1] == ["of"] and v in ("clear", "strip", "clean", "rid"):  # "clear the table of dishes"
            return cl.remove_plan(noun_phrase(w, end + 1)[0], [])
        moved = j == 2 or (end < len(w) and w[end] in _FROM)
        if v == "clean" and head(np) in lx.CLEANABLE and w[end:] in ([], ["up"], ["off"]):  # "clean up the floor"
            return Parsed("local", np, ["clean", *w[end:]], "clean")
        if moved or v in ("clear", "wipe", "crop", "strip"):
            return cl.remove_plan(np, w[end:])
        if v == "clean" and np and det != "pron" or v == "clean" and np[:1] in (["it"], ["this"]):
            return Parsed("local", np, ["clean", *w[end:]], "clean")  # "clean the floor"
        return None
    if v in lx.REMOVE_VERBS:
        j = 2 if w[1:2] and w[1] in lx.PARTICLES else 1
        np, end, det = noun_phrase(w, j)
        if v == "drop" and det in lx.INDEFINITE and w[end:end + 1] and w[end] in lx.LOCATIVE_PREPS:
            return cl.addition_plan(np, det, w[end:])  # "drop a pair of sunglasses on his face"
        if v == "drop" and (det in lx.DEFINITE or det == "pron") and scenic(w[end:], ctx):
            return Parsed("background", np, w[end:], "drop-into-place")  # "drop the kids into a snowy village"
        return cl.remove_plan(np, w[end:])
    return None


def _give(w: list[str], ctx: Ctx) -> Parsed:
    if w[1] in lx.PRONOUNS and w[1] not in ("this", "that"):
        recv, j, rdet = [w[1]], 2, "pron"
    else:
        k = next((i for i in range(2, len(w)) if w[i] in lx.INDEFINITE), 0)
        recv, j, rdet = noun_phrase(w[:k] if k else w, 1)  # the receiver ends where the object starts
        if k:
            j = k
        elif len(recv) > 1:  # "give the pig wings"
            j -= len(recv) - 1
            recv = recv[:1]
    obj, end, odet = noun_phrase(w, j)
    if not obj and w[j:j + 1] and w[j] in lx.ARTICLES and w[j + 1:j + 2] in (["look"], ["feel"]):
        obj, end = w[j + 1:], len(w)  # "give it the look of an old postcard"
    if head(recv) in lx.BACKGROUND_WORDS and obj:  # "give the background some palm trees": a new background
        return Parsed("background", [], w[j:], "give-background")
    if recv and (head(obj) in lx.EXPRESSIONS or (head(obj) in lx.BODY_ATTRS and len(obj) > 1)):
        return Parsed("local", recv, obj, "give-attribute")  # "give the girl red hair"
    if head(obj) in lx.GIVE_ATTRS or (obj and (w[end - 1] in lx.GIVE_ATTRS or obj[0] in ("look", "feel"))) or (
            odet in lx.ARTICLES and any(x in lx.GLOBAL_LOOKS for x in w[end:end + 4])):  # "an orange and teal grade"
        # "a brick texture", "a pink hue", "the look of an old postcard"
        if cl.is_global(recv, rdet) or not recv:
            return Parsed("global", [], obj, "give-look")
        return Parsed("local", recv, obj, "give-look")
    return cl.addition_plan(obj, odet, w[end:])


def _place(w: list[str], ctx: Ctx) -> Parsed | None:
    v = w[0]
    j = 2 if w[1:2] in (["down"], ["up"], ["what"]) else 1  # "see what the car looks like in green"
    if w[1] in ("in", "on") and len(w) > 2 and w[2] in lx.DETERMINERS:  # "put in a bird"
        j = 2
    np, end, det = noun_phrase(w, j)
    rest = w[end:]
    if head(np) in lx.BACKGROUND_WORDS:
        return Parsed("background", cl.behind_subject(rest), cl.words_after(rest), "set-background")
    if cl.is_global(np, det):
        if v in lx.MOVE_VERBS and not scenic(rest, ctx):  # "send this to my friend": not an edit
            return None
        if v in ("set", "put", "place", "move") and head(np) in _SCENES \
                and scenic(rest, ctx):  # "set the scene in a jungle"
            return Parsed("background", [], rest, "place-scene")
        return Parsed("global", [], cl.global_new(rest), "place-global")
    if rest[:1] == ["behind"]:  # "put a beach behind the man"
        return Parsed("background", cl.behind_subject(rest), np, "place-behind")
    definite = det in lx.DEFINITE or det == "pron"
    if definite and rest[:1] == ["in"] and head(noun_phrase(rest, 1)[0]) in vb.CLOTHING:  # "in a red dress"
        return Parsed("local", np, ["wearing", *rest[1:]], "dress-in")
    if v in lx.MOVE_VERBS and definite and not scenic(rest, ctx) and (
            np and np[-1] in _DIRECTIONS or any(x in _DIRECTIONS for x in rest[:4])):
        return Parsed("local", [x for x in np if x not in _DIRECTIONS], rest, "move-within")  # "move it closer"
    if v in lx.MOVE_VERBS or (definite and scenic(rest, ctx)):
        return Parsed("background", np, rest, "place-subject")
    if v in ("see", "show", "imagine", "picture") and definite:
        return sj.about(np, det, rest, ctx)
    return cl.addition_plan(np, det, rest)


def scenic(rest: list[str], ctx: Ctx) -> bool:
    """'on a beach', 'in Paris', 'in front of ...': a new scene rather than a spot in this one."""
    if not rest or rest[0] not in _TO_PLACE:
        return False
    _, pdet = skip_determiners(rest, 1)
    return pdet in lx.INDEFINITE or "front" in rest[:3] or any(x in lx.PLACES or x in ctx.proper for x in rest)


def _change(w: list[str], ctx: Ctx) -> Parsed:
    v = w[0]
    split = v in ("turn", "paint", "color", "recolor", "dye", "make", "render", "tint", "get")
    j = 2 if w[1] in ("out", "up") or w[1] in ("on", "off") and v in ("turn", "switch") and w[2:3] \
        and w[2] in lx.DETERMINERS else 1  # "swap out the cat for a rabbit", "turn on the street lamps"
    np, end, det = noun_phrase(w, j, split_adjectives=split and j == 1 or split and w[1] in ("out", "up"))
    rest = w[end:]
    if v in ("have", "let") and len(np) > 1 and rest and (rest[0] in lx.DETERMINERS or rest[0] in lx.NP_STOPS):
        np, rest = np[:-1], [np[-1]] + rest  # "have the dog catch a ball": an unknown verb
    if rest[:1] == ["so"] and len(rest) > 2:  # "make it so that there is a cat on the bed"
        return ctx.parse(rest[2:] if rest[1] == "that" else rest[1:], ctx)
    if rest[:1] == ["and"] and head(noun_phrase(rest, 1)[0]) in lx.BACKGROUND_WORDS:
        return Parsed("background", [], cl.words_after(rest), "change-and-background")
    if not np:
        if has_global_cue(w):
            return Parsed("global", [], cl.global_new(rest), "change-to-style")
        return Parsed("local", [], rest, "change-unknown")
    h = head(np)
    if h in lx.BACKGROUND_WORDS and det in _OWNER:  # "make her background pink": hers, behind her
        return Parsed("background", [_OWNER[det]], cl.words_after(rest), "change-own-background")
    if h in lx.BACKGROUND_WORDS or (h in lx.SCENE_WORDS and rest[:1] in (["behind"], ["around"])) or (
            h in lx.PLACES and rest[:1] == ["behind"] and _person(rest[1:])):  # "change the office behind him"
        return Parsed("background", cl.behind_subject(rest), cl.words_after(rest), "change-background")
    if h in _WEATHER_LOOKS and det in lx.ARTICLES:  # "make the fog thicker": the weather is the whole picture
        return Parsed("global", [], w, "change-weather")
    if v in lx.CAUSATIVE_VERBS:
        return sj.about(np, det, rest, ctx)
    if cl.is_global(np, det) and not (det in lx.DEFINITE and cl.hung(rest)):
        return Parsed("global", [], cl.global_new(rest), "change-global")
    if v in ("paint", "draw") and det in lx.INDEFINITE:
        return cl.addition_plan(np, det, rest)
    return Parsed("local", np, rest, "change")


_OWNER = {"her": "her", "his": "him", "my": "me", "our": "us"}
_WEATHER_LOOKS = frozenset("fog mist haze rain drizzle storm".split())
_DIRECTIONS = frozenset("left right up down closer nearer further farther higher lower aside forward back backward "
                        "center centre middle".split())


def _person(w: list[str]) -> bool:
    np, _, det = noun_phrase(w, 0)
    return det == "pron" or head(np) in vb.PERSON_WORDS


def _global_verb(w: list[str], ctx: Ctx) -> Parsed:
    np, end, det = noun_phrase(w, 2 if w[1] in lx.PARTICLES else 1)  # "blur out the backdrop"
    h = head(np)
    if h in lx.BACKGROUND_WORDS or h in lx.SCENE_WORDS and w[end:end + 1] in (["behind"], ["around"]):
        return Parsed("background", cl.behind_subject(w[end:]), w, "global-verb-background")  # "blur the stuff behind"
    if w[0] == "apply" and "to" in w:  # "apply a blur to the whole image" / "... to the car"
        on, _, odet = noun_phrase(w, w.index("to") + 1)
        if on and not cl.is_global(on, odet):
            return Parsed("local", on, np, "apply-to-object")
        return Parsed("global", [], np, "apply-global")
    if not np or cl.is_global(np, det) or h in lx.GLOBAL_LOOKS or h in lx.GLOBAL_CUES:
        return Parsed("global", [], w, "global-verb")
    return Parsed("local", np, w, "global-verb-local")


def imperative(w: list[str], ctx: Ctx) -> Parsed | None:
    """Sentences that start with a verb."""
    if len(w) < 2:
        return None
    v = w[0]
    removed = _remove_verb(w, ctx)
    if removed is not None:
        return removed
    if w[:2] == ["do", "not"] and len(w) > 3 and w[2] in lx.UNWANTED:  # "don't include the cat"
        np, end, _ = noun_phrase(w, 3)
        return cl.remove_plan(np, w[end:])
    if v in ("top", "decorate", "fill", "cover", "surround", "adorn", "garnish", "dress") and "with" in w:
        k = w.index("with")
        obj, end, det = noun_phrase(w, k + 1)
        return cl.addition_plan(obj, det, w[end:])
    if v == "give" or v in ("get", "buy") and len(w) > 3 and w[1] in lx.DEFINITE | lx.PRONOUNS.keys() \
            and any(x in ("a", "an", "some") for x in w[2:5]) and not w[1:3] in (["rid", "of"],):
        return _give(w, ctx)  # "give the man a hat", "get the cat a tiny crown"
    if v in ("isolate", "cutout") and len(w) > 2:  # "isolate the product on white"
        np, end, _ = noun_phrase(w, 1)
        return Parsed("background", np, w[end:], "isolate") if np else None
    if v == "dress" and "in" in w[2:]:  # "dress the man in a suit"
        np, end, _ = noun_phrase(w, 1)
        return Parsed("local", np, ["wearing", *w[end + 1:]], "dress-in")
    if v in lx.STYLE_VERBS and len(w) > 1 and (w[1] in ("it", "this", "everything") or w[1:2] == ["the"]
                                                and cl.is_global(noun_phrase(w, 1)[0], "the")):
        return Parsed("global", [], ["as", "a", lx.STYLE_VERBS[v]] + w[noun_phrase(w, 1)[1]:], "style-verb")
    if v in lx.ADD_VERBS:
        j = 2 if w[1] in ("in", "on", "back") and w[2:3] and w[2] in lx.DETERMINERS else 1  # "add in a dog"
        np, end, det = noun_phrase(w, j)
        if (det in lx.DEFINITE or det == "pron") and scenic(w[end:], ctx) and (
                v in ("superimpose", "paste", "overlay", "insert") or det == "pron" or head(np) in vb.PERSON_WORDS):
            # "superimpose the dog on a beach", "stick me on a beach in Hawaii"
            return Parsed("background", np, w[end:], "paste-into-place")
        return cl.addition_plan(np, det, w[end:])
    if "as" in w[2:] and v in ("use", "set", "have", "put", "make", "choose", "pick"):  # "use a sunset as the background"
        k = w.index("as", 2)
        if head(noun_phrase(w, k + 1)[0]) in lx.BACKGROUND_WORDS:
            return Parsed("background", [], w[1:k], "use-as-background")
    if v in lx.PLACE_VERBS or v in lx.MOVE_VERBS or v in ("see", "imagine", "picture"):
        return _place(w, ctx)
    if v in lx.CAUSATIVE_VERBS and w[1] in lx.INDEFINITE and w[2:3] != ["of"]:  # not "make one of the dogs ..."
        np, end, det = noun_phrase(w, 1)
        if len(np) > 1 and np[-1] in _VERB_NOUNS and (end == len(w) or w[end] in lx.NP_STOPS):
            np, end = np[:-1], end - 1  # "have a bird land on the branch": the last word is its verb
        return cl.addition_plan(np, det, w[end:])
    if v in lx.CHANGE_VERBS or v in lx.CAUSATIVE_VERBS:
        return _change(w, ctx)
    if (v in lx.GLOBAL_VERBS or v == "blur") and not (v in ("cool", "warm", "age") and w[1] not in lx.DETERMINERS
                                                       and w[1] not in lx.PRONOUNS and w[1] not in lx.PARTICLES):
        return _global_verb(w, ctx)  # not "cool photo" (praise)
    return None


