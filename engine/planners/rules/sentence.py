"""One clause (lowercase words) -> `Parsed`: the sentence shapes tried in order.

`parse_words` normalises the clause (a leading locative, a gerund, "by doing X") and tries the
sentence shapes of the leaf modules (frames, arrow, subject, questions, verbs); the clauses inside
a clause go back through `ctx.parse`, which grammar.py sets to this very function.
"""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules import questions as qs
from engine.planners.rules import subject as sj
from engine.planners.rules import frames
from engine.planners.rules.arrow import arrow
from engine.planners.rules.base import Ctx, Parsed, addition_plan, remove_plan
from engine.planners.rules.text import has_global_cue, noun_phrase
from engine.planners.rules.verbs import imperative, scenic


def _fallback(w: list[str], ctx: Ctx) -> Parsed:
    """A phrase without a verb: 'a hat on the dog', 'more clouds', 'the couple on a beach', 'snowy'."""
    np, end, det = noun_phrase(w, 0)
    if np and (det in lx.DEFINITE or det == "pron") and scenic(w[end:], ctx):  # "the bride on a cliff"
        return Parsed("background", np, w[end:], "fallback-place")
    if len(np) > 1 and np[-1] in lx.BACKGROUND_WORDS and det in ("", "a", "an", "new"):  # "a snowy mountain background"
        return Parsed("background", [], np[:-1], "fallback-background")
    if not det and len(np) > 1 and np[0] in vb.COMPARATIVES:  # "bigger moon pls"
        return Parsed("local", np[1:], np[:1], "fallback-comparative")
    if not det and np and end + 1 < len(w) and w[end] in lx.LOCATIVE_PREPS and w[end + 1] in lx.DETERMINERS \
            and np[0] not in lx.BACKGROUND_WORDS:  # "hat on the dog", "snow on the roof"
        p = addition_plan(np, "", w[end:])
        p.rule = p.rule or "fallback-addition"
        return p
    if has_global_cue(w):
        return Parsed("global", [], w, "fallback-global")
    if det in lx.INDEFINITE and np:  # "a hat on the dog", "more clouds"
        p = addition_plan(np, det, w[end:])
        p.rule = p.rule or "fallback-addition"
        return p
    if np and (det in lx.DEFINITE or det == "pron") and w[end:end + 1] == ["with"]:  # "(show me) the dog with a hat"
        obj, k, odet = noun_phrase(w, end + 1)
        if obj and (odet in lx.INDEFINITE or not odet):
            return addition_plan(obj, odet, ["on", *w[:end]] + w[k:])
    if np and det in lx.DEFINITE and w[end:end + 1] in (["as"], ["in"], ["like"]) and len(w) > end + 1:
        return Parsed("local", np, w[end:], "fallback-described")  # "(show me) the dog as a puppy"
    if not det and len(w) > 2 and w[1] in ("a", "an", "some"):  # an unknown verb: "hoist a flag"
        obj, end, odet = noun_phrase(w, 1)
        p = addition_plan(obj, odet, w[end:])
        p.rule = "unknown-verb"
        return p
    if not det and len(w) > 2 and w[1] in lx.PARTICLES:  # "tear down the poster"
        obj, end, _ = noun_phrase(w, 2)
        p = remove_plan(obj, w[end:])
        p.rule = "unknown-verb-particle"
        return p
    if np and np[0] in lx.EDIT_VERBS:  # a verb with nothing to act on: "remove"
        np = np[1:]
    if len(np) > 1 and np[-1] in lx.BACKGROUND_WORDS and not det:  # "beach background please"
        return Parsed("background", [], np[:-1], "fallback-background")
    return Parsed("local", np, w[end:], "fallback")


def _lemma(word: str) -> str:
    """'removing' -> 'remove', 'putting' -> 'put', 'adding' -> 'add' (verbs of the grammar only)."""
    if not word.endswith("ing"):
        return word
    stem = word[:-3]
    for cand in (stem, stem + "e", stem[:-1]):
        if cand in lx.EDIT_VERBS or cand in lx.GLOBAL_VERBS or cand == "blur":
            return cand
    return word


_EARLY_SHAPES = (arrow, frames.scope, frames.replacement, sj.label, sj.no_x, qs.there_be, qs.what_look, qs.what_if)
_SHAPES = _EARLY_SHAPES + (qs.wish, imperative, sj.modal_first, sj.subject_first)
_LATE_SHAPES = _SHAPES[len(_EARLY_SHAPES):]
_EARLY_CUES = frames.CUES | qs.CUES | {"->", "no", "without"}  # arrow, no_x


def early_cue(w: list[str]) -> bool:
    """Could one of the early shapes match? Each needs one of their cue words somewhere, or (label) a
    background word first or second; most instructions have none and start at `wish`."""
    return not _EARLY_CUES.isdisjoint(w) or w[0] in lx.BACKGROUND_WORDS or len(w) > 1 and w[1] in lx.BACKGROUND_WORDS


def parse_words(w: list[str], ctx: Ctx) -> Parsed:
    """The first sentence shape that matches decides; a bare phrase falls back to local/global."""
    if not w:
        return Parsed("local", [], [], "empty")
    if w[0] in lx.LOCATIVE_PREPS:  # "in the sky, add a moon": read the verb first
        k = next((i for i, x in enumerate(w[:8]) if x in lx.EDIT_VERBS), 0)
        if k:
            w = w[k:] + w[:k]
    if w[0].endswith("ing") and _lemma(w[0]) in lx.EDIT_VERBS and (
            w[0] not in lx.NOUN_ING or w[1:2] and (w[1] in lx.DETERMINERS or w[1] in lx.PRONOUNS)):  # "(would you mind) removing the cart"
        w = [_lemma(w[0])] + w[1:]
    if "by" in w and w[-1] != "by" and w[0] != "by":  # "fix the image by removing the shadow": the gerund says what to do
        k = w.index("by", 1)
        verb = _lemma(w[k + 1])
        if verb in lx.EDIT_VERBS or verb in lx.GLOBAL_VERBS or verb == "blur":
            w = [verb] + w[k + 2:]
    for shape in _SHAPES if early_cue(w) else _LATE_SHAPES:
        p = shape(w, ctx)
        if p is not None:
            p.rule = p.rule or shape.__name__.strip("_")
            return p
    return _fallback(w, ctx)
