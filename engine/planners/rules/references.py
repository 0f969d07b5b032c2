"""Resolve the words of one request clause that point elsewhere: at earlier clauses of the same
instruction or at earlier turns of the session.

- pronouns ("make it blue", "put flowers in it", "make them brown"), "the other one", "another one",
  "two more", "the first one" -> the noun phrase they stand for, written into the clause;
- "again" / "try again" / "a bit more" / "less" -> the last edit repeated (taken back first for
  "try again" and "less", weaker for "less");
- "bigger", "even brighter" -> that change applied to the last edit's object;
- "same for the woman", "the cat as well", "now the pants" -> the last edit on another object;
- "... instead", "no, I meant a plant", "what about green?" -> the last edit taken back and done
  with the new words.

The clause comes back as self-contained words for the grammar plus a record of what was resolved.
Leaf module: mentions, vocabulary, text.
"""
from __future__ import annotations

from typing import Callable

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.mentions import PICTURE, Memory, Mention, Ref, TurnInfo, make_ref, np_words
from engine.planners.rules.pronouns import QUICK, singular, substitute
from engine.planners.rules.text import article, head, is_adjective, noun_phrase, starts_with

_FRAGMENT_WORDS = frozenset("a bit little much way even slightly lot more less please too so not make it "
                            "just very really 2x 3x twice".split())


class Resolved:
    """A clause with its references resolved. `undo`: versions it takes back; `factor`: strength factor of
    a repeated adjustment ("less" -> 0.5); `repeated`: the earlier turn it repeats, if any."""

    __slots__ = ("words", "refs", "undo", "factor", "repeated")

    def __init__(self, words: list[str], refs: list[Ref] | None = None, undo: int = 0, factor: float = 1.0,
                 repeated: TurnInfo | None = None):
        self.words, self.refs, self.undo, self.factor, self.repeated = words, list(refs or []), undo, factor, repeated


_NOT_FRAGMENT_FIRST = lx.EDIT_VERBS | lx.CAUSATIVE_VERBS | lx.GLOBAL_VERBS | lx.MODALS | {"i", "we", "there"}


_NEAR = lx.LOCATIVE_PREPS | {"next", "by", "near"}  # "the one on the right", "the one next to the door"


def is_fragment(w: list[str]) -> bool:
    """No verb and no sentence shape: 'a rabbit', 'green', 'at night', 'the pants'."""
    if not w or w[0] in _NOT_FRAGMENT_FIRST and not (w[1:2] and w[1] in lx.COLORS and is_adjective(w[0])):
        return False  # a verb ('light the candle'), not a shade ('light blue')
    if w[0] in ("in", "at", "on") and len(w) > 1 and (w[1] in lx.PLACES or w[1] in lx.DETERMINERS):
        w = w[1:]  # "no, in rome": where, instead
    np, end, _ = noun_phrase(w, 0)
    if np and end < len(w) and w[end] in _NEAR:  # "the one on the right"
        end = noun_phrase(w, end + 1 + (w[end] == "next"))[1]
    return end >= len(w) or all(is_adjective(x) or x in _FRAGMENT_WORDS or x in lx.NP_STOPS for x in w[end:])


def resolve(words: list[str], raw: list[str], here: list[Callable[[], list[Mention]]], memory: Memory,
            undo: int) -> Resolved:
    """Resolve one clause. `here`: the mentions of the earlier clauses of this instruction (one callable
    per clause, computed only when needed); `undo`: versions already taken back by an 'undo that' clause."""
    remembered = bool(memory)  # earlier turns to refer to (asked once, not at every test below)
    if not remembered and QUICK.isdisjoint(words):
        return Resolved(words)
    if remembered:
        words = _on_added(words, memory)
    words, alt = _alternative(words, remembered)
    if remembered and not alt:
        words, alt = _reply_alternative(words, raw, memory)
    if remembered and undo and not alt and words[:2] in (["make", "it"], ["turn", "it"]) and len(words) > 2 \
            and is_fragment(words[2 + (words[2] == "into"):]):  # "no, make it an owl": the undone edit, redone
        words, alt = words[2 + (words[2] == "into"):], True
    extra = 1 if alt and undo == 0 and remembered else 0
    if remembered and (alt or undo) and len(words) > 2 and words[1] in ("it", "them") and words[0] in _PLACING \
            and memory.last().category == "addition" and memory.last().target:  # "put it on the floor instead"
        last = memory.last()
        new = [words[0], *article(last.target).split(), *words[2:]]  # a new one, where it is wanted
        return Resolved(new, [make_ref(words, last, "alternative", " ".join(new))], extra)

    if remembered and alt and (is_fragment(words) or memory.last().category == "background" and words[:1]
                           and words[0] in lx.ARTICLES):  # "what about green?", "no wait, a rabbit"
        last = memory.last()
        new = _alternative_clause(last, words)
        return Resolved(new, [make_ref(words, last, "alternative", " ".join(new))], extra)
    if remembered:
        for step in (_repeat, _more_of, _strength, _too_much_of, _comparative, _same_edit):
            found = step(words, raw, memory, undo + extra)
            if found is not None:
                found.undo += extra
                return found
        if (alt or undo) and is_fragment(words):
            last = memory.last()
            new = _alternative_clause(last, words)
            return Resolved(new, [make_ref(words, last, "alternative", " ".join(new))], extra)
    candidates = [m for clause in reversed(here) for m in clause()] + (
        memory.mentions(undo + extra) if remembered else [])
    out, refs = substitute(words, candidates)
    if remembered and not extra and not undo and raw[:1] and raw[0] in ("actually", "rather", "nah") and refs \
            and words[:2] in (["make", "it"], ["turn", "it"]) and _describing(words[2:]):
        last = memory.last()  # "actually make it purple" after "make the sky pink": that edit, redone
        if last.category in ("local", "global") and refs[0].turn == last.index:
            return Resolved(out, [make_ref(words[2:], last, "alternative", " ".join(out)), *refs], 1)
    return Resolved(out, refs, extra)


_PLACING = lx.ADD_VERBS | lx.PLACE_VERBS | lx.MOVE_VERBS  # verbs that put the re-done addition elsewhere
_NOT_DESCRIBING = frozenset("make it that this turn now please not".split())


def is_comparative(x: str) -> bool:
    """'bigger', 'brighter', 'redder', 'shinier' (not 'silver', 'copper': colours that end in -er)."""
    return x in vb.COMPARATIVES or len(x) > 4 and x.endswith("er") and x not in lx.COLORS \
        and x not in lx.ADJECTIVES and is_adjective(x)


def _describing(words: list[str]) -> bool:
    """Only adjectives and intensity words: 'blue', 'a darker green', 'shiny'."""
    return any(is_adjective(x) for x in words) and _NOT_DESCRIBING.isdisjoint(words) and all(
        is_adjective(x) or x in _FRAGMENT_WORDS or x in lx.ARTICLES for x in words)


def _on_added(words: list[str], memory: Memory) -> list[str]:
    """After an addition, 'make that blue' / 'blue' describe the added object: 'make it blue'."""
    last = memory.last()
    if last is None or last.category != "addition":
        return words
    if words[:2] == ["make", "that"] and len(words) > 2 and _describing(words[2:]):
        return ["make", "it", *words[2:]]
    if _describing(words) and not any(is_comparative(x) for x in words):
        return ["make", "it", *[x for x in words if x not in lx.ARTICLES]]
    return words


def _reply_alternative(words: list[str], raw: list[str], memory: Memory) -> tuple[list[str], bool]:
    """A reply that corrects the last edit without 'instead': 'actually a mountain', 'blue would be better',
    'hmm, maybe a darker green' (after a change of look)."""
    last = memory.last()
    if last is not None and last.category == "background" and words[:2] in (["make", "it"], ["turn", "it"]) \
            and any(x in lx.PLACES for x in words[2:4 + 2]) and words[2:3] and words[2] in lx.ARTICLES:
        return words[2:], True  # "make it a snowy beach" after "put the dog on a beach"
    for tail in vb.ALTERNATIVE_TAILS:
        n = len(tail)
        if len(words) > n and tuple(words[-n:]) == tail and is_fragment(words[:-n]):
            return words[:-n], True
    if not is_fragment(words):
        return words, False
    if raw[:1] and raw[0] in vb.ALTERNATIVE_OPENERS:
        return words, True
    last = memory.last()
    return words, last is not None and last.category in ("local", "background") and _describing(words) \
        and not is_comparative(words[-1]) and not any(x in vb.MORE_WORDS or x in vb.LESS_WORDS or x == "too"
                                                      for x in words)


_CORRECTION_FIRST = frozenset(lead[0] for lead in vb.CORRECTION_LEADS)  # no lead can start with another word


def _alternative(words: list[str], has_history: bool) -> tuple[list[str], bool]:
    alt = False
    if "instead" in words:
        k = words.index("instead")
        if words[k + 1:k + 2] != ["of"]:
            words, alt = words[:k] + words[k + 1:], True
    for lead in vb.CORRECTION_LEADS if words and words[0] in _CORRECTION_FIRST else ():
        if starts_with(words, lead) and len(words) > len(lead):
            rest = words[len(lead):]
            if lead == ("make", "that") and not (rest[0] in lx.DETERMINERS or all(is_adjective(x) for x in rest)):
                break  # "make that ugly car red": 'that' is a determiner
            return rest, True
    if has_history:
        for lead in vb.ALTERNATIVE_LEADS:
            rest = words[len(lead):]
            if starts_with(words, lead) and rest and rest != ["again"] and is_fragment(rest) \
                    and rest[0] not in lx.DEFINITE:  # "how about the truck": the same edit on it
                return rest, True
    if alt and len(words) > 2 and words[0] in ("make", "turn") and words[1] in ("it", "that", "them"):
        rest = words[3:] if words[2:3] == ["into"] else words[2:]
        if is_fragment(rest):  # "make it a cat instead": the new words of the edit taken back
            return rest, True
    return words, alt


_RETRY_CLAUSES, _REPEAT_CLAUSES = frozenset(vb.RETRY_CLAUSES), frozenset(vb.REPEAT_CLAUSES)  # hash look-ups


def _repeat(words, raw, memory: Memory, undo: int) -> Resolved | None:
    key = tuple(words)
    retry = key in _RETRY_CLAUSES
    if not retry and key not in _REPEAT_CLAUSES:
        return None
    last = memory.last()
    return Resolved(list(last.words), [make_ref(words, last, "repeat")], 1 if retry else 0, repeated=last)


def _more_of(words, raw, memory: Memory, undo: int) -> Resolved | None:
    """'more clouds' / 'a few more clouds' after 'add some clouds': the same addition again."""
    last = memory.last()
    if last is None or last.category != "addition" or "more" not in words or not last.target:
        return None
    k = words.index("more")
    rest = [x for x in words[k + 1:] if x not in ("please", "too", "now")]
    stem = last.target.split()[-1].rstrip("s")
    if len(rest) != 1 or rest[0].rstrip("s") != stem or not all(
            x in _FRAGMENT_WORDS or x in vb.NUMBER_WORDS or x in ("add", "a", "few", "some") for x in words[:k]):
        return None
    clause = (words[:k + 1] if words[0] == "add" else ["add", *words[:k + 1]]) + rest
    return Resolved(clause, [make_ref(words, last, "repeat")])


def _same_op(x: str, last: TurnInfo) -> bool:
    """A word naming an operation the last edit performed ('blur' after a background blur)."""
    op = vb.OP_WORDS.get(x)
    return bool(op) and (op[0] in last.strength or x in vb.BLUR_OPS and "background_blur" in last.strength)


def _strength(words, raw, memory: Memory, undo: int) -> Resolved | None:
    """'more', 'a bit more', 'even more' -> again; 'less', 'too much' -> taken back and done weaker."""
    words = [x for x in words if x not in ("now", "please")] or words  # "too green now"
    less = any(x in vb.LESS_WORDS for x in words) or any(starts_with(words[i:], p) for p in vb.TOO_MUCH
                                                         for i in range(len(words)))
    last = memory.last()
    said = frozenset(x for x in last.words[1:] if x not in lx.DETERMINERS and x not in lx.NP_STOPS)
    if not less and "too" in words and last is not None and words.index("too") + 1 < len(words):
        k = words.index("too")  # "that's too bright" after "make it brighter", "too orange": overdone
        op = vb.OP_WORDS.get(words[k + 1])
        same_op = op and op[0] in last.strength and (op[1] == 0 or (op[1] > 0) == (last.strength[op[0]] > 0)) \
            or _same_op(words[k + 1], last)
        if (same_op or (words[k + 1] in said or words[k + 1] + "er" in said) and is_adjective(words[k + 1])) \
                and k + 2 == len(words) \
                and all(x in _FRAGMENT_WORDS or x in ("that", "is", "it", "now", "way") for x in words[:k]):
            return Resolved(list(last.words), [make_ref(words, last, "comparative")], 1, 0.5, repeated=last)
    if not less and "too" in words and last is not None and last.strength and words.index("too") + 2 == len(words):
        op = vb.OP_WORDS.get(words[-1])  # "still too dark" after "make it brighter": not enough yet
        if op and op[0] in last.strength and op[1] != 0 and (op[1] > 0) != (last.strength[op[0]] > 0) \
                and all(x in _FRAGMENT_WORDS or x in ("that", "is", "it", "still", "way") for x in words[:-2]):
            return Resolved(list(last.words), [make_ref(words, last, "comparative")], 0, 1.0, repeated=last)
    more = any(x in vb.MORE_WORDS for x in words) or any(starts_with(words, p) for p in vb.MORE_PHRASES)
    if not (less or more) or not all(x in _FRAGMENT_WORDS or x in vb.MORE_WORDS or x in vb.LESS_WORDS
                                     or x in ("that", "is", "was", "way", "bit", "tone", "down", "dial", "back",
                                              "enough", "still")
                                     or x in vb.SMALL_WORDS or x in vb.LARGE_WORDS or x in ("strong", "much")
                                     or x in said and is_adjective(x) or _same_op(x, last)
                                     or last.category == "addition"
                                     and singular(x) == singular(head(last.target.split()))  # "fewer clouds"
                                     or len(x) > 3 and any(x[:4] == y[:4] for y in said if len(y) > 3)
                                     # "less orange" after "make the sky orange", "more autumny" after "autumn"
                                     for x in words):
        return None
    last = memory.last()
    kind = "comparative"
    if less:
        return Resolved(list(last.words), [make_ref(words, last, kind)], 1, 0.5, repeated=last)
    return Resolved(list(last.words), [make_ref(words, last, kind)], 0, 1.0, repeated=last)


def _too_much_of(words, raw, memory: Memory, undo: int) -> Resolved | None:
    """'that's too big' after adding a butterfly -> 'make the butterfly smaller'."""
    if "too" not in words or words.index("too") + 2 != len(words) or words[-1] not in vb.TOO_OPPOSITE:
        return None
    if not all(x in _FRAGMENT_WORDS or x in ("that", "is", "it", "now", "still", "way", "bit") for x in words[:-2]):
        return None
    target = next((m for m in memory.mentions(undo) if not m.removed and not m.image), None)
    if target is None:
        return None
    return Resolved(["make", *target.words, vb.TOO_OPPOSITE[words[-1]]], [make_ref(words, target, "comparative")])


def _comparative(words, raw, memory: Memory, undo: int) -> Resolved | None:
    """'bigger', 'even brighter', 'a bit smaller', 'redder' -> 'make <the last object> bigger'."""
    comps = [x for x in words if is_comparative(x)]
    if not comps or "it" in words or not all(is_comparative(x) or x in _FRAGMENT_WORDS or x == "still"  # "warmer still"
                                             or x in vb.SMALL_WORDS or x in vb.LARGE_WORDS for x in words):
        return None
    rest = [x for x in words if x not in ("make", "it")]
    if rest[:1] == ["bit"]:  # "bit darker"
        rest = ["a", *rest]
    target = next((m for m in memory.mentions(undo) if not m.removed), None)
    if target is None or target.image:
        return Resolved(["make", "it", *rest], [Ref(" ".join(words), PICTURE, "comparative",
                                                    memory.last().index, memory.last().version)])
    return Resolved(["make", *target.words, *rest], [make_ref(words, target, "comparative")])


def _same_edit(words, raw, memory: Memory, undo: int) -> Resolved | None:
    """'do the same to the bus', 'the cat as well', 'now his sister too' -> the last edit on that object."""
    w, marked = list(raw), False
    while w and w[-1] in ("please", "thanks", "now"):
        w = w[:-1]
    for tail in vb.SAME_TAILS:
        if len(w) > len(tail) and tuple(w[-len(tail):]) == tail:
            w, marked = w[:-len(tail)], True
            break
    for _ in range(2):  # "now do the same on the chair": two leads
        for lead in vb.SAME_LEADS:
            if starts_with(w, lead) and len(w) > len(lead):
                w, marked = w[len(lead):], True
                break
    if len(w) > 4 and w[0] in vb.SAME_VERBS and w[1:3] == ["the", "same"]:  # "apply the same color to the box"
        w = w[1:]
    if w[:2] == ["the", "same"] and len(w) > 4 and w[2] not in vb.SAME_PREPS and w[3] in vb.SAME_PREPS:
        w = w[1:]
    if w[:1] == ["same"] and len(w) > 3 and w[2] in vb.SAME_PREPS:  # "same color for the other car"
        w, marked = w[3:], True
    elif w[:2] == ["the", "same"] and len(w) > 3 and w[2] in vb.SAME_PREPS:  # "(do) the same on the chair"
        w, marked = w[2:], True
    if not marked or not w:
        return None
    prep = w[0] if w and w[0] in vb.SAME_PREPS and len(w) > 1 and memory.last().category == "addition" \
        else ""  # "and to the woman", "on the chair": the place of the repeated addition
    if prep:
        w = w[1:]
    if not w:
        return None
    new_np, refs = substitute(w, memory.mentions(undo))  # "the one on the right" -> "the tree on the right"
    if not is_fragment(new_np):
        return None
    own = 1 if new_np[0] in ("his", "her", "their", "its", "my", "our") else 0
    np, end, det = noun_phrase(new_np, own)
    if end < len(new_np) and new_np[end] in _NEAR:
        end = noun_phrase(new_np, end + 1 + (new_np[end] == "next"))[1]
    if not np or end < len(new_np) or det == "pron" or all(is_adjective(x) for x in np):
        return None
    last = memory.last()
    if last.category == "global":
        return None
    if last.category == "addition" and (prep or new_np[0] in lx.DEFINITE or new_np[0] in lx.PRONOUNS):
        clause = _moved_addition(last, new_np, prep)  # "add a hat to the dog" + "same for the cat"
    elif last.category == "local" and noun_phrase(new_np, own, split_adjectives=True, trailing_noun=False)[1] \
            < len(new_np):
        clause = ["make", *new_np]  # "make the car blue" + "now the truck red": the new look is given
    else:
        clause = replace_target(last, new_np)
    return Resolved(clause, [make_ref(words, last, "same-edit", " ".join(last.words)), *refs])


_PLACE_PREPS = frozenset("to on onto in at for over under near beside behind above".split())


def _moved_addition(last: TurnInfo, new_np: list[str], prep: str) -> list[str]:
    """The last addition at another place: 'add a hat to the dog' + 'the cat' -> 'add a hat to the cat'."""
    L, th = last.words, (last.target.split() or [""])[-1]
    k = L.index(th) + 1 if th in L else 1
    for i in range(k, len(L)):
        if L[i] in _PLACE_PREPS:
            _, end, _ = noun_phrase(L, i + 1)
            return L[:i] + [prep or L[i]] + new_np + L[end:]
    return L + [prep or "to"] + new_np


def replace_target(last: TurnInfo, new_np: list[str]) -> list[str]:
    """The last clause with its target noun phrase replaced ('make the man's shirt blue' + 'the woman'
    -> 'make the woman's shirt blue'); a fixed form when the target is not in its words."""
    L, th = last.words, (last.target.split() or [""])[-1]
    for s in range(1, len(L)):
        np, end, _ = noun_phrase(L, s, split_adjectives=True, trailing_noun=False)
        if np and head(np) == th and L[s] not in lx.NP_STOPS:
            owner = next((k for k in range(s, end) if L[k].endswith("'s")), None)
            if owner is not None and head(new_np) in vb.PERSON_WORDS:
                return L[:s] + new_np[:-1] + [new_np[-1] + "'s"] + L[owner + 1:]
            if any(x in lx.LOCATIVE_PREPS for x in new_np) and end < len(L) and L[end] in lx.LOCATIVE_PREPS:
                end = noun_phrase(L, end + 1)[1]  # "the lamp on the left" -> "the lamp on the right"
            return L[:s] + new_np + L[end:]
    verb = {"addition": "add", "remove": "remove", "background": "put"}.get(last.category, "change")
    return [verb, *new_np]


def _alternative_clause(last: TurnInfo, fragment: list[str]) -> list[str]:
    """The last edit done with new words: 'add a cat on the sofa' + 'a dog' -> 'add a dog on the sofa'."""
    target = (last.target.split() or [""])
    is_np = not all(is_adjective(x) or x in lx.DETERMINERS for x in fragment)  # "a deeper red" is a look
    if last.category == "addition":
        if _describing(fragment) and target != [""]:  # "add a red kite" + "green instead" -> "a green kite"
            adjectives = [x for x in fragment if x not in lx.ARTICLES]
            return replace_target(last, ["a", *adjectives, target[-1]])
        return replace_target(last, list(fragment))
    if fragment[0] in lx.DEFINITE and is_np and target != [""] and last.category != "global" \
            and (head(fragment) != target[-1] or "other" in fragment):  # "I meant the truck": the edit, elsewhere
        return replace_target(last, list(fragment))
    if last.category == "remove":
        return ["remove", *fragment]
    if last.category == "global":
        return ["make", "it", *fragment]
    if last.category == "background":
        subject = ["the", *target] if target != [""] else []
        return ["change", "the", "background", *(["behind", *subject] if subject else []), "to", *fragment]
    if is_np:
        return ["replace", *np_words(target), "with", *fragment]
    return ["make", *np_words(target), *fragment]
