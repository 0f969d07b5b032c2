"""Frames that name the edit by its result rather than by a verb on the target:

- replacements with the new object first: "a tiger instead of the cat", "put a cat in place of the
  dog", "I'd rather have a corgi where the dog is", "swap in a laptop for the typewriter";
- background scopes: "everything behind the car should be a desert", "change everything except the
  horse into a snowy field", "make the rest a starry night", "blur everything but the flower".

Leaf module: lexicon, base and text helpers only.
"""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.base import Ctx, Parsed, words_after
from engine.planners.rules.text import head, is_adjective, noun_phrase, starts_with

_MARKERS: tuple[tuple[str, ...], ...] = (("instead", "of"), ("in", "place", "of"), ("in", "the", "place", "of"),
                                         ("where",))
_PRESENT = frozenset("is are sits sit stands stand sitting standing lies lying stays".split())
_SWAP_IN = frozenset("swap switch sub trade".split())
_SCOPE_NEXT = frozenset("else behind around except but apart other".split())
_SUBJECT_LEADS = frozenset("behind around except but from than".split())
_COPULA = frozenset("should be is are become becomes turn turned into to with as look like a an".split())


_HAVE_VERBS = lx.EDIT_VERBS | {"have", "use", "see", "want"}


def _new_before(w: list[str], k: int) -> list[str]:
    """The noun phrase that ends right before w[k] ('I would rather have a corgi' + where -> a corgi)."""
    for j in range(k):
        if w[j] in lx.DETERMINERS or j == 0 or w[j - 1] in _HAVE_VERBS:
            np, end, det = noun_phrase(w, j)
            if np and (end == k or w[end:k] in (["there"], ["here"])) and det != "pron":  # "a painting there instead"
                return ([det] if det in lx.DETERMINERS else []) + np
    return []


def _new_first(w: list[str], k: int) -> list[str]:
    """'a palm tree would look better where the lamp is': the new object first, then only words of preference."""
    np, end, det = noun_phrase(w, 0)
    if np and det in lx.INDEFINITE and all(x in lx.PREFERENCE_WORDS or x.endswith("ly") for x in w[end:k]):
        return [det, *np]
    return []


def replacement(w: list[str], ctx: Ctx) -> Parsed | None:
    if len(w) > 3 and w[0] in _SWAP_IN and w[1] == "in" and "for" in w[3:]:  # "swap in a laptop for the typewriter"
        k = w.index("for", 3)
        new, old = w[2:k], noun_phrase(w, k + 1)[0]
        return Parsed("local", old, ["with", *new], "swap-in") if old else None
    if w[:1] == ["substitute"] and "for" in w[2:]:  # "substitute a lily for the rose"
        k = w.index("for", 2)
        old = noun_phrase(w, k + 1)[0]
        return Parsed("local", old, ["with", *w[1:k]], "substitute") if old else None
    if "rather" in w and "than" in w:  # "I'd rather have a cat than the dog"
        k = w.index("than")
        old = noun_phrase(w, k + 1)[0]
        new = _new_before(w, k)
        if old and new and w.index("rather") < k:
            return Parsed("local", old, ["with", *new], "rather-than")
    if "of" not in w and "where" not in w:
        return None
    for marker in _MARKERS:
        k = next((i for i in range(1, len(w)) if w[i] == marker[0] and starts_with(w[i:], marker)), None)
        if k is None:
            continue
        old, end, det = noun_phrase(w, k + len(marker))
        if not old or all(is_adjective(x) for x in old) or det == "pron":
            return None
        if marker == ("where",) and not (end >= len(w) or w[end] in _PRESENT):
            return None  # "where the sign was": that object is gone, this is an addition
        new = _new_before(w, k) or _new_first(w, k)
        if not new or head(new) in lx.GLOBAL_SUBJECTS:
            return None
        if head(old) in lx.PLACES and w[end:end + 1] == ["behind"] and end + 1 < len(w):  # "... of the office behind me"
            subject, _, sdet = noun_phrase(w, end + 1)
            if sdet == "pron" or head(subject) in vb.PERSON_WORDS:
                return Parsed("background", subject, new, "replace-place-behind")
        if head(old) == "one":  # "a red front door instead of the brown one": the brown front door
            old = [*old[:-1], *[x for x in new if x not in lx.DETERMINERS and not is_adjective(x)]]
        return Parsed("local", old, ["with", *new], "replace-new-first")
    return None


_SCOPE_WORDS = frozenset({"everything", "all", "anything", "rest", "what", "whatever"})
CUES = _SCOPE_WORDS | _SWAP_IN | {"substitute", "rather", "of", "where"}  # scope or replacement needs one of them


def _scope_start(w: list[str]) -> int:
    if _SCOPE_WORDS.isdisjoint(w):
        return -1
    for i, x in enumerate(w):  # "what is behind him" = "everything behind him"
        if x in ("what", "whatever") and w[i + 1:i + 2] in (["is"], ["are"], ["s"]) \
                and w[i + 2:i + 3] in (["behind"], ["around"]):
            w[i:i + 2] = ["everything"]
            break
    for i, x in enumerate(w):
        if x in ("everything", "all", "anything") and w[i + 1:i + 2] and w[i + 1] in _SCOPE_NEXT:
            return i
        if x == "rest" and i > 0 and w[i - 1] == "the":
            return i - 1
    return -1


def scope(w: list[str], ctx: Ctx) -> Parsed | None:
    """Everything but the subject is the background."""
    if "what" in w or "whatever" in w:
        w = list(w)
    i = _scope_start(w)
    if i < 0:
        return None
    j = i + 1 if w[i] != "the" else i + 2
    if w[j:j + 2] == ["of", "the"]:  # "the rest of the image"
        j = noun_phrase(w, j + 1)[1]
    subject: list[str] = []
    if j < len(w) and w[j] in _SCOPE_NEXT:
        k = j + 1 if w[j] != "apart" else j + 2
        if w[j] in ("else",):
            k = j + 1
        elif k < len(w) and w[k] in _SUBJECT_LEADS:
            k += 1
        if w[j] != "else":
            subject, j, _ = noun_phrase(w, k, split_adjectives=True, trailing_noun=False)
        else:
            j = k
    rest = w[j:]
    new = words_after(rest, ("into", "to", "with", "as", "be")) if any(x in _COPULA for x in rest) else rest
    if new == rest:
        while new and new[0] in _COPULA - {"a", "an"}:
            new = new[1:]
    if not new and i > 0:  # "blur everything except the flower": the verb says it
        new = w[:i]
    return Parsed("background", subject, new, "scope")
