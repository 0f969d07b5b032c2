"""Questions and wishes for the rules planner: "what if ...", "what would it look like ...",
"there should be ...", "I'd like ...". Each returns a Parsed or None (not this shape).

Leaf module: a clause inside the sentence is parsed through `ctx.parse`."""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules import subject as sj
from engine.planners.rules.base import Ctx, Parsed, addition_plan, is_global, remove_plan
from engine.planners.rules.text import head, noun_phrase


_THERE_SKIP = lx.MODALS | lx.BE | {"needs", "need", "has", "have", "to", "also", "not"}
_BE_LOOKED = lx.BE | {"looked", "got"}


def there_be(w: list[str], ctx: Ctx) -> Parsed | None:
    """'there should be a bird' -> addition; 'there should be no bird' -> remove."""
    if "there" not in w[:2]:
        return None
    j, neg = w.index("there") + 1, False
    skip = _THERE_SKIP
    while j < len(w) and w[j] in skip:
        neg = neg or w[j] == "not"
        j += 1
    if j < len(w) and w[j] == "no":
        neg, j = True, j + 1
    np, end, det = noun_phrase(w, j)
    if neg:
        return remove_plan(np, w[end:])
    return addition_plan(np, det, w[end:]) if np else None


_WHAT_IF_FIRST = frozenset("what imagine suppose how if".split())
CUES = _WHAT_IF_FIRST | {"there"}  # there_be, what_look or what_if needs one of them


def what_if(w: list[str], ctx: Ctx) -> Parsed | None:
    """'what if the cat were a dog / sitting in a forest / wasn't there' and 'how about ...'."""
    if w[0] not in _WHAT_IF_FIRST:
        return None
    for lead in (["what", "if"], ["imagine", "if"], ["suppose"], ["how", "about"], ["imagine"], ["if"]):
        if w[: len(lead)] == lead:
            rest = w[len(lead):]
            break
    else:
        return None
    if rest[:1] == ["there"]:
        return there_be(rest, ctx)
    if rest and rest[0].endswith("ing") and rest[0] not in lx.NOUN_ING and len(rest) > 1:  # "how about making ..."
        return ctx.parse(rest, ctx)
    if rest[:1] in (["we"], ["you"]) and len(rest) > 1 and rest[1] in lx.PAST:
        return ctx.parse([lx.PAST[rest[1]]] + rest[2:], ctx)
    np, end, det = noun_phrase(rest, 0)
    r = rest[end:]
    if r and r[0] in _BE_LOOKED:
        neg = r[1:2] == ["not"]
        return sj.copula(np, det, r[1 + neg:], neg, ctx)
    if r and r[0] in ("had", "has", "wore"):
        return sj.about(np, det, ["have"] + r[1:], ctx)
    return sj.about(np, det, r, ctx)


def what_look(w: list[str], ctx: Ctx) -> Parsed | None:
    """'what would it look like at night / with a boat / without the car / if ...'."""
    if w[:1] not in (["what"], ["how"]) or "look" not in w and "looks" not in w:
        return None
    k = w.index("look") if "look" in w else w.index("looks")
    i = 2 if len(w) > 2 and w[1] in lx.MODALS else 1
    np, _, det = noun_phrase(w, i)
    tail = w[k + 1:]
    tail = tail[1:] if tail[:1] == ["like"] else tail
    if tail[:1] == ["with"]:
        obj, end, odet = noun_phrase(tail, 1)
        return addition_plan(obj, odet, tail[end:])
    if tail[:1] == ["without"]:
        return remove_plan(noun_phrase(tail, 1)[0], [])
    if tail[:1] == ["if"]:
        return what_if(["what", "if"] + tail[1:], ctx)
    if is_global(np, det) or not np:
        return Parsed("global", [], tail, "look-global")
    return sj.about(np, det, ["look", "like"] + tail, ctx)


_WISH_SKIP = lx.HEDGES | lx.HEDGE_ADVERBS | {"could", "can", "might"}


def _wisher(w: list[str]) -> tuple[list[str], int]:
    """Who wishes and where the words after them start: 'I', 'she', 'my husband and I', 'the kids'."""
    if w[0] in lx.WISHERS:
        return [w[0]], 1
    if w[0] not in lx.DEFINITE:
        return [], 0
    np, end, det = noun_phrase(w, 0)
    if w[end:end + 1] == ["and"] and w[end + 1:end + 2] in (["i"], ["we"], ["me"]):  # "my husband and I"
        np, end = [*np, "and", w[end + 1]], end + 2
    k = end
    while k < len(w) and w[k] in _WISH_SKIP:
        k += 1
    if det != "pron" and np and k < len(w) and w[k] in lx.WISH_VERBS and w[k + 1:k + 2] == ["to"] \
            and (head(np) in vb.PERSON_WORDS or head(np) in lx.WISHERS or head(np) == "me"):
        return np, end
    return [], 0


def wish(w: list[str], ctx: Ctx) -> Parsed | None:
    """'I'd like a candle on the table', 'I want the tree removed', 'I don't want the bottle', 'she wants the
    fridge red', 'I would absolutely love a balloon'."""
    if w and (w[0] in ("want", "need", "wanna") or w[0] in lx.WISH_VERBS and w[1:2] in (["to"], ["for"])
              or w[0] in ("would", "could") and w[1:2] and (w[1] in lx.WISH_VERBS or w[1] == "use")):
        w = ["i", *w]  # "(kinda) want the sky pink", "would love a bigger moon": the speaker wishes
    subject, j = _wisher(w)
    if not subject:
        return None
    neg = False
    while j < len(w) and w[j] in _WISH_SKIP:
        neg = neg or w[j] == "not"
        j += 1
    if j >= len(w) or not (w[j] in lx.WISH_VERBS or neg and w[j] in ("have", "see")
                           or w[j] == "use" and ("could" in w[1:j] or "can" in w[1:j])):  # "(I) could use more trees"
        return None
    j += 1
    if w[j:j + 1] == ["for"] and j + 1 < len(w) and (w[j + 1] in lx.DETERMINERS or w[j + 1] in lx.PRONOUNS):
        j += 1  # "I'd love for the lake to look frozen"
    if w[j:j + 1] and w[j] in ("how", "what", "that"):  # "I don't like how dark it is": a complaint
        return None
    if w[j:j + 1] == ["there"]:  # "I wish there was a parrot"
        return there_be(w[j:], ctx)
    if w[j:j + 2] == ["it", "if"]:  # "I would like it if you could add a cat"
        k = j + 2
        while k < len(w) and w[k] in ("you", "could", "would", "can", "will", "please"):
            k += 1
        return ctx.parse(w[k:], ctx) if k < len(w) else None
    if neg and w[j:j + 2] in (["to", "see"], ["to", "have"]):  # "I don't want to see the bins"
        np, end, _ = noun_phrase(w, j + 2)
        return remove_plan(np, w[end:]) if np else None
    if w[j:j + 2] == ["to", "be"] and not neg:  # "I want to be on a tropical island"
        p = sj.about(subject, "pron" if subject[0] in lx.WISHERS else "the", w[j + 1:], ctx)
        return p if p.category == "background" or subject[0] not in lx.WISHERS else None  # "the kids want to be ..."
    if w[j:j + 1] == ["to"] and len(w) > j + 1 and w[j + 1] not in ("be",):
        return ctx.parse(w[j + 1:], ctx)
    if w[j:j + 1] == ["no"]:  # "I want no cars on the road"
        neg, j = True, j + 1
    np, end, det = noun_phrase(w, j, split_adjectives=True, trailing_noun=False)  # "I want the sky purple"
    r = w[end:]
    if neg:
        return remove_plan(np, r)
    if r[:2] == ["to", "be"]:
        return sj.copula(np, det, r[2:], False, ctx)
    if r[:1] == ["not"]:  # "I'd prefer the wire not be there"
        return sj.copula(np, det, r[2:] if r[1:2] == ["be"] else r[1:], True, ctx)
    if r[:1] == ["to"]:
        return sj.about(np, det, r[1:], ctx)
    if r and (r[0] in lx.GONE_WORDS or r[0] in ("out", "off", "away")):
        return remove_plan(np, r)
    if det in lx.INDEFINITE or (det == "" and np):
        return addition_plan(np, det, r)
    return sj.about(np, det, r, ctx)
