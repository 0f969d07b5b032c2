"""Pronouns and one-words written out as the noun phrases they stand for: "it", "them", "its", "the
other one", "another one", "two more", "the first one", "the one on the right", "a vintage one".

`substitute(words, candidates)` takes the mentions an instruction can point at (most recent first) and
returns the clause with the noun phrases written in, plus what was resolved. Leaf module.
"""
from __future__ import annotations

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.mentions import Mention, Ref, make_ref
from engine.planners.rules.text import has_global_cue, head, is_adjective


def _antecedent(candidates: list[Mention], plural: bool, where: bool) -> list[Mention]:
    live = [m for m in candidates if not m.removed or where]
    if not live:
        return []
    first = live[0]
    if first.image or not plural or _is_plural(first):
        return [first]
    objects = []
    for m in sorted(live, key=lambda m: not m.primary):  # the objects turns left before places they named
        if m.image or any(head(m.words) == head(o.words) for o in objects):
            continue
        objects.append(m)
        if len(objects) == 2:
            break
    return list(reversed(objects)) if len(objects) == 2 else [first]


def _is_plural(m: Mention) -> bool:
    h = head(m.words)
    return any(x in vb.NUMBER_WORDS for x in m.words) or (h.endswith("s") and not h.endswith("ss"))


def substitute(words: list[str], candidates: list[Mention]) -> tuple[list[str], list[Ref]]:
    """Write the noun phrases that pronouns and 'the other one' stand for into the clause."""
    if _TRIGGERS.isdisjoint(words):
        return list(words), []
    out: list[str] = []
    refs: list[Ref] = []
    objects = [m for m in candidates if not m.image]  # "the other one" may be like a removed one
    i = 0
    while i < len(words):
        x = words[i]
        span, repl, ms = _one_reference(words, i, candidates, objects)
        if span:
            out.extend(repl)
            refs.extend(make_ref(words[i:i + span], m, "object") for m in ms)
            i += span
        else:
            out.append(x)
            i += 1
    return out, refs


QUICK = frozenset({"other", "another", "its", "their", "him", "her", "he", "she", "more", "one", "ones", "his"}) \
    | vb.SINGULAR_PRONOUNS | vb.PLURAL_PRONOUNS | frozenset(vb.ORDINALS)
_TRIGGERS = frozenset({"the", "other", "another", "one", "ones", "its", "their", "him", "her", "his", "he", "she"}) \
    | vb.SINGULAR_PRONOUNS | vb.PLURAL_PRONOUNS | frozenset(vb.NUMBER_WORDS) | frozenset(vb.ORDINALS)


_TAKE_VERBS = lx.REMOVE_VERBS | lx.CHANGE_VERBS
_REPLACED = frozenset("instead than place".split())
_PUT_VERBS = lx.ADD_VERBS | lx.PLACE_VERBS


def _one_reference(words, i, candidates, objects) -> tuple[int, list[str], list[Mention]]:
    if words[i] not in _TRIGGERS:
        return 0, [], []
    for phrase in vb.OTHER_ONE:
        after = words[i + len(phrase)] if i + len(phrase) < len(words) else ""
        if phrase == ("the", "other") and after and after not in lx.NP_STOPS:
            same = next((m for m in objects if head(m.words) in (after, singular(after))), None)
            if same is not None:  # "remove the other umbrella too": another one like it, words kept
                return 3, list(words[i:i + 3]), [same]
            continue  # "the other chair": a determiner, the noun is given
        if objects and tuple(words[i:i + len(phrase)]) == phrase:
            heads = []
            for m in objects:
                if head(m.words) not in heads:
                    heads.append(head(m.words))
            if len(heads) > 1:
                m = next(o for o in objects if head(o.words) == heads[1])
                return len(phrase), list(m.words), [m]
            if phrase[-1] == "one":
                return len(phrase), ["the", "other", heads[0]], [objects[0]]
    for phrase in vb.ANOTHER_ONE:
        if objects and tuple(words[i:i + len(phrase)]) == phrase and (
                phrase != ("another",) or i + 1 == len(words)
                or words[i + 1] in lx.LOCATIVE_PREPS):  # "another on the leaf"
            return len(phrase), ["another", head(objects[0].words)], [objects[0]]
    x = words[i]
    if x == "one" and i > 0 and words[i - 1] in _TAKE_VERBS and objects \
            and (i + 1 == len(words) or words[i + 1] in lx.NP_STOPS):  # "remove one" (of the two dogs)
        return 1, ["one", "of", "the", _plural(head(objects[0].words))], [objects[0]]
    if x == "one" and i > 0 and (words[i - 1] in _PUT_VERBS or "give" in words[max(0, i - 4):i - 1]) \
            and objects \
            and (i + 1 == len(words) or words[i + 1] in lx.NP_STOPS):  # "add one to the cat too"
        return 1, ["another", singular(head(objects[0].words))], [objects[0]]
    if x == "ones" and i > 0 and (words[i - 1] in lx.ARTICLES or words[i - 1] in vb.POSITION_WORDS) and objects:
        return 1, [_plural(head(objects[0].words))], [objects[0]]  # "the ones on the right"
    if x == "one" and _REPLACED.intersection(words[:i]):  # "a red door instead of the brown one": the frame says
        return 0, [], []
    if x == "one" and i > 0 and (words[i - 1] in lx.ARTICLES or is_adjective(words[i - 1])
                                 or words[i - 2:i - 1] in (["a"], ["an"])
                                 or words[i - 1] in vb.POSITION_WORDS) and objects \
            and words[i + 1:i + 2] not in (["of"], ["more"]):  # "the one on the right", "a vintage one"
        return 1, [singular(head(objects[0].words))], [objects[0]]
    if x in vb.NUMBER_WORDS and words[i + 1:i + 2] == ["more"] and objects and (
            i + 2 == len(words) or words[i + 2] in lx.NP_STOPS):
        return 2, [x, "more", _plural(head(objects[0].words))], [objects[0]]
    if x in vb.ORDINALS and words[i + 1:i + 2] == ["one"] and i > 0 and words[i - 1] == "the" and objects:
        primary = [m for m in objects if m.primary] or objects
        ordered = sorted(primary, key=lambda m: (m.turn is None, m.turn or 0))
        k = vb.ORDINALS[x]
        m = ordered[k] if -len(ordered) <= k < len(ordered) else ordered[-1]
        return 2, [head(m.words)], [m]
    return _pronoun(words, i, candidates)


def _pronoun(words, i, candidates) -> tuple[int, list[str], list[Mention]]:
    x = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if x in ("his", "her") and nxt and nxt not in lx.NP_STOPS and nxt not in ",." and not (
            x == "her" and nxt in lx.CLAUSE_VERBS and i > 0 and words[i - 1] in lx.CAUSATIVE_VERBS):  # "make her wave"
        # "remove her dog as well"
        other = vb.FEMALE_WORDS if x == "his" else vb.MALE_WORDS
        m = next((m for m in candidates if m.turn is not None and not m.image
                  and head(m.words) in vb.PERSON_WORDS and head(m.words) not in other), None)
        return (1, [*m.words[:-1], m.words[-1] + "'s"], [m]) if m else (0, [], [])
    if x in ("its", "their") and nxt and nxt not in lx.NP_STOPS:
        ms = _antecedent(candidates, x == "their", False)
        if ms and not ms[0].image:
            return 1, [*_joined(ms)[:-1], _joined(ms)[-1] + "'s"], ms
        return 0, [], []
    if x in ("both", "all", "each") and nxt == "of":  # "both of them": the pronoun after it says who
        return 2, [], []
    if x in ("him", "her", "he", "she"):
        m = next((m for m in candidates if m.turn is None and m.existential and not m.removed), None)
        if m is None:  # a person or animal named earlier, of a gender the pronoun allows ("put a collar on him")
            same, other = (vb.MALE_WORDS, vb.FEMALE_WORDS) if x in ("him", "he") else (vb.FEMALE_WORDS, vb.MALE_WORDS)
            where = i > 0 and words[i - 1] in _PLACE_WORDS  # "the woman next to him" after removing him
            live = [m for m in candidates if (not m.removed or where) and not m.image
                    and head(m.words) in vb.PERSON_WORDS and head(m.words) not in other]
            m = next((m for m in live if head(m.words) in same), live[0] if live else None)
        return (1, list(m.words), [m]) if m and (x != "her" or not nxt or nxt in lx.NP_STOPS
                                                 or nxt in lx.CLAUSE_VERBS) else (0, [], [])  # "make her wave"
    if x not in vb.SINGULAR_PRONOUNS and x not in vb.PLURAL_PRONOUNS:
        return 0, [], []
    if x in ("that", "this", "these", "those") and nxt and nxt not in lx.NP_STOPS and nxt not in ",.":
        return 0, [], []  # a determiner: "that ugly fence"
    if x in ("this", "that") and nxt in lx.BE:
        return 0, [], []
    where = i > 0 and (words[i - 1] == "where" or words[i - 1] in _PLACE_WORDS  # "next to him" after removing him
                       or words[i - 1] in _MOVE_VERBS)  # "take the cat out ... and put it in a garden"
    if x in vb.SINGULAR_PRONOUNS:  # "it" is no person; "there's a bin in the middle. can it go?": the bin
        candidates = [m for m in candidates if m.image or head(m.words) not in vb.HUMANS]
        told = next((m for m in candidates if m.turn is None and m.existential and not m.removed), None)
        candidates = [told, *candidates] if told is not None else candidates
    ms = _antecedent(candidates, x in vb.PLURAL_PRONOUNS, where)
    if not ms or (x in ("it", "this", "that") and not ms[0].stated and _strong_global(words)):
        return 0, [], []  # "make it winter" after "add a hat": the picture (not after "there's a vase")
    if ms[0].image:  # the whole picture, as the last turn left it: nothing to write in
        return (1, [x], ms[:1]) if ms[0].turn is not None else (0, [], [])
    if head(ms[0].words) in lx.BACKGROUND_WORDS and not ms[0].stated and any(
            w in vb.OP_WORDS and w not in vb.BLUR_OPS for w in words):  # "blur the background and make it warmer"
        return 0, [], []
    span = 2 if x in vb.PLURAL_PRONOUNS and nxt in ("both", "all") else 1  # "make them both red"
    return span, _joined(ms), ms


_PLACE_WORDS = frozenset("where to near beside behind by".split())
_MOVE_VERBS = frozenset("put place move set drop stick".split())


def _joined(ms: list[Mention]) -> list[str]:
    out: list[str] = []
    for m in ms:
        out.extend((["and"] if out else []) + list(m.words))
    return out


def _strong_global(words: list[str]) -> bool:
    """A style, season, weather or time of day ('make it winter'): 'it' is the picture, whatever came before."""
    return has_global_cue([x for x in words if x not in vb.AMBIGUOUS_CUES])


def singular(word: str) -> str:
    """'cats' -> 'cat', 'puppies' -> 'puppy' ('the left one' of 'two cats')."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("ch", "sh", "x")) else "s")
