"""The top of the rules grammar: an instruction (+ the session's earlier turns) -> ordered edit steps.

1. tokens (typos, contractions) -> clauses with roles (clauses.py): small talk, "undo that",
   "keep the X", statements that only name things ("there's a bag on the sand"), requests;
2. each request -> parts at "then", at "and" + verb and at gapped verbs (clauses.py), each part with
   its references resolved against earlier clauses and turns (references.py over mentions.py);
3. each part -> `Parsed` by the sentence shapes (sentence.py; this module hands it to them as
   `ctx.parse`, the only way a shape reaches the whole grammar);
4. purely photometric parts -> adjust operations (photometric.py); adjustments in a row merge;
5. no part asks for an edit -> `Analysis.unclear` says why (a question, not an edit, no edit found).
Nothing in the package imports this module except planner.py.
"""
from __future__ import annotations

from typing import Callable, Sequence

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.base import Ctx, Parsed
from engine.planners.rules.clauses import classify, split_and, split_then, starts_verb, strip_polite
from engine.planners.rules.mentions import (PICTURE, Memory, Mention, Ref, clause_mentions, np_words,
                                           replacement_object)
from engine.planners.rules.photometric import Op, is_complaint, problem_ops, scaled, scan
from engine.planners.rules.references import Resolved, resolve
from engine.planners.rules.sentence import parse_words
from engine.planners.rules.text import (KNOWN_WORDS, Phrases, fix_short_typo, fix_typo, fix_typo_anywhere, head,
                                        merge_adjacent, tokenize)

_WEAK_RULES = frozenset({"fallback", "empty", "change-unknown"})
_NOTHING = frozenset("nothing anything none something somethin".split()) | {p for p, v in lx.PRONOUNS.items() if not v}
_MODIFIER_LEADS = frozenset("with without for like as by from using".split())
_EDIT_QUESTIONS = Phrases(vb.EDIT_QUESTIONS)  # "what if", "how about": a question that asks for an edit
_LEADS = frozenset("maybe perhaps please also just can could would will".split())  # "... and then maybe add a bike"


class Step:
    """One edit: the parse, the words it performs (references resolved), operations, references."""

    __slots__ = ("parsed", "words", "ops", "refs", "weaker")

    def __init__(self, parsed: Parsed, words: list[str], ops: tuple[Op, ...] = (), refs: list[Ref] | None = None,
                 weaker: bool = False):
        self.parsed, self.words, self.ops, self.refs, self.weaker = parsed, words, ops, list(refs or []), weaker

    def __repr__(self) -> str:
        return f"Step({self.parsed!r}, {' '.join(self.words)!r}, {self.ops!r}, {self.refs!r})"


class Analysis:
    """The steps of an instruction; `unclear` says why there is none: question | not-edit | undo-only | no-edit |
    no-referent."""

    __slots__ = ("steps", "undo", "keep", "unclear")

    def __init__(self, steps: list[Step], undo: int = 0, keep: list[str] | None = None, unclear: str = ""):
        self.steps, self.undo, self.keep, self.unclear = steps, undo, list(keep or []), unclear


_BARE_NO = frozenset({("no",), ("nope",), ("nah",), ("wait",), ("no", "wait"), ("no", "no"), ("not", "that"), ("not",)})


def _undo_count(clauses) -> int:
    """Versions taken back: a bare 'no' beside an 'undo that' is the same undo ('no, undo that and ...')."""
    undos = [c for c in clauses if c.undo]
    if not undos:  # (the usual instruction)
        return 0
    if len(undos) > 1 and any(tuple(c.words) not in _BARE_NO for c in undos):
        undos = [c for c in undos if tuple(c.words) not in _BARE_NO]
    return sum(c.undo for c in undos)


def _fix(words: list[str]) -> list[str]:
    """Typo repair where the grammar keys on a word: a clause's first words, after 'and'/'then', 'back…'."""
    if KNOWN_WORDS.issuperset(words):  # nothing to repair (the usual case)
        return list(words)
    out = list(words)  # the known words stay; each unknown one is looked up
    for i, x in enumerate(words):
        if x in KNOWN_WORDS:
            continue
        lead = i == 0 or words[i - 1] in ("and", "then", "also", "please")
        if lead and i + 1 < len(words) and (words[i + 1] in lx.DETERMINERS or words[i + 1] in lx.PRONOUNS):
            x = fix_short_typo(x)
        out[i] = fix_typo(x) if lead or i < 2 or x.startswith("back") else fix_typo_anywhere(x)
    return out


def _dislike(w: list[str]) -> str:
    """'I don't like the rug', 'not a fan of the lamp', 'I hate the hat': the object named is disliked;
    'I don't want a dog there': it is unwanted ('' when neither)."""
    if "not" in w and ("want" in w or "need" in w):
        return "unwanted"
    return "disliked" if "not" in w or not vb.DISLIKE_VERBS.isdisjoint(w) or not vb.SPOIL_VERBS.isdisjoint(w) else ""


def _question_or_chat(w: list[str]) -> str:
    if not w:
        return ""
    if w[0] in vb.QUESTION_WORDS and (_EDIT_QUESTIONS.match(w) is None or w[2:3] == ["you"]) \
            and "look" not in w and "looks" not in w:  # "(show me) what it would look like in winter"
        return "question"  # "how would you improve this?" asks for advice
    if w[0] in ("write", "compose", "sing") and w[1:2] in (["me"], ["us"]) or \
            w[0] in vb.GENERIC_VERBS and w[1:2] and w[1] in vb.GENERIC_MEDIA:  # "write me a poem", "can you edit photos?"
        return "not-edit"
    if w[0] in vb.GEOMETRY_VERBS and w[1:2] and (w[1] in ("it", "this") or w[1] in lx.ARTICLES and w[2:3]
                                                 and w[2] in lx.GLOBAL_SUBJECTS) or not vb.OTHER_MEDIA.isdisjoint(w) and any(
            x in vb.OTHER_MEDIA and w[i + 1:i + 2] not in (["game"], ["games"], ["still"]) for i, x in enumerate(w)):
        return "not-edit"  # "rotate it 90 degrees", "make this into a gif"
    if w[0] in ("is", "are", "was", "were", "am", "does", "did") and w[1:2] != ["not"] or \
            w[0] == "do" and w[1:2] and w[1] not in ("not", "it", "that", "this") and w[1:3] != ["the", "same"] \
            and not _do_again(w):
        return "question"
    if w[0] in vb.NON_EDIT_VERBS:
        return "not-edit"
    return ""


def _do_again(w: list[str]) -> bool:
    """'do the other one too', 'do the cat as well', 'do the left one next': the last edit again."""
    return w[1:3] == ["the", "other"] or w[-1] in ("too", "also", "next", "aswell") or w[-2:] == ["as", "well"] \
        or w[-1] == "one"


def _perception_question(raw: list[str]) -> str:
    """'can you see a cat here?', 'do you spot any birds?': asking what is in the picture."""
    if len(raw) > 3 and raw[1] == "you" and raw[0] in ("can", "could", "do", "did") and raw[2] in vb.PERCEIVE \
            and (raw[3] in lx.INDEFINITE or raw[3] in ("any", "anything", "anyone")):
        return "question"
    return ""


def strong(p: Parsed) -> bool:
    """Does the parse name an edit (not a bare phrase the grammar could not place)?"""
    if p.rule in _WEAK_RULES:
        return False
    if p.category == "global":
        return any(x not in lx.GLOBAL_SUBJECTS and x not in lx.DETERMINERS for x in p.new)
    if p.category in ("addition", "remove", "local"):
        return bool(p.target) and p.target[-1] not in _NOTHING and p.target[0] not in ("i", "you", "we") and not (
            len(p.target) == 1 and p.target[0] in lx.GLOBAL_SUBJECTS and p.category != "local")
    return True


def _adjustment(p: Parsed, r: Resolved, problem: tuple[Op, ...]) -> tuple[str, tuple[Op, ...]] | None:
    """(category, operations) when the part is an adjustment rather than a diffusion edit."""
    last = r.repeated
    if last is not None and last.ops:
        ops = tuple(Op(op, s) for op, s in last.strength.items())
        return last.category, scaled(ops, r.factor)
    if p.category == "background":  # the kept subject's words are no adjustment words
        subject = set(p.target)
        found = scan([x for x in r.words if x not in subject], background=True)
    else:
        found = scan(r.words)
    if found is None:
        return None
    if found.ops:
        return ("background" if found.background else "global"), found.ops
    return ("global", problem) if problem else None


def _step(r: Resolved, ctx: Ctx, problem: tuple[Op, ...], keep: list[str]) -> Step | None:
    p = parse_words(r.words, ctx)
    if p.category == "global" and keep and not lx.PLACES.isdisjoint(p.new):  # "... to a forest but keep the deer"
        p = Parsed("background", list(keep), p.new, p.rule + "-keep")
    if p.category == "local" and keep and head(p.target) in lx.PLACES and p.target != keep:
        p = Parsed("background", list(keep), p.new, p.rule + "-keep")  # "keep the cyclist, swap the road for a trail"
    if p.category == "background" and keep and not p.target:
        p.target = list(keep)
    adjust = _adjustment(p, r, problem)
    if adjust is not None:
        category, ops = adjust
        target = p.target if category == "background" and p.category == "background" else []
        return Step(Parsed(category, target, p.new, "adjust"), r.words, ops, r.refs, r.factor < 1)
    if not strong(p):
        return None
    return Step(p, r.words, (), r.refs, r.factor < 1)


def _resize_of_nothing(step: Step) -> bool:
    """A whole-picture 'make it bigger / smaller': 'it' found no live object (none named, or the one named
    was removed), and the picture has no size to change by inpainting."""
    p = step.parsed
    if p.category != "global" or step.ops or any(r.kind == "object" and r.resolved != PICTURE for r in step.refs):
        return False
    content = [x for x in step.words if x not in vb.RESIZE_FILLER]
    return bool(content) and all(x in vb.COMPARATIVES and x not in vb.TONE_COMPARATIVES for x in content)


def _modifier(part: list[str]) -> bool:
    x = part[0]
    return x in lx.LOCATIVE_PREPS or x in _MODIFIER_LEADS or x.endswith(("ing", "ed")) and not starts_verb(part)


def _step_mentions(step: Step) -> list[Mention]:
    p = step.parsed
    if p.category == "global":
        return [Mention((), image=True)]
    new = replacement_object(p) if p.category == "local" else []  # "replace the dog with a cat and make it orange"
    first = [Mention(np_words(new or p.target), removed=p.category == "remove")] if p.target else []
    return first + [m for m in clause_mentions(step.words) if not first or m.words != first[0].words]


def _instead_of_stated(step: Step, here: list[Callable[[], list[Mention]]], ctx: Ctx) -> Step | None:
    """'I don't want the hat, give him a cap instead': the object the statement named is replaced."""
    old = next((m for clause in reversed(here) for m in clause() if m.stated and not m.image), None)
    if old is None:
        return None
    words = ["replace", *old.words, "with", *step.parsed.new]
    p = parse_words(words, ctx)
    if p.category != "local":
        return None
    return Step(p, words, (), [*step.refs, Ref("instead", " ".join(words), "alternative")])


def _same_edit(a: Step, b: Step) -> bool:
    """The same edit said twice ('she wants to be cropped out. remove her')."""
    p, q = a.parsed, b.parsed
    return a.words == b.words or not a.ops and not b.ops and p.category == q.category == "remove" \
        and p.target == q.target


def _moved(prev: Step, s: Step) -> Step | None:
    """'take the cat out of the kitchen and put it in a garden': an object removed and then placed is moved."""
    if prev.parsed.category == "remove" and not prev.ops and s.parsed.target \
            and s.parsed.target == prev.parsed.target and s.parsed.category in ("background", "local", "addition") \
            and any(r.kind == "object" for r in s.refs):
        p = s.parsed  # "remove the vase and put it on the shelf": the vase, moved there
        k = next((i for i, x in enumerate(s.words) if x in lx.LOCATIVE_PREPS), len(s.words))
        return s if p.category != "addition" else Step(
            Parsed("local", p.target, ["moved", *s.words[k:]], "moved"), s.words, (), s.refs)
    return None


def _adjusted_together(prev: Step, s: Step) -> Step | None:
    """Two adjustments of the same thing in a row are one step with both operations."""
    if prev.ops and s.ops and prev.parsed.category == s.parsed.category and prev.parsed.target == s.parsed.target:
        merged = {o.op: o for o in prev.ops} | {o.op: o for o in s.ops}
        return Step(prev.parsed, prev.words + ["and"] + s.words, tuple(merged.values()), prev.refs + s.refs)
    return None


def _record_undo(out: Analysis, memory: Memory, phrase: str) -> None:
    """Name the versions taken back in the first step's references (unless a reference already does)."""
    first = out.steps[0]
    for info in memory.turns[-out.undo:]:
        if not any(r.turn == info.index and r.kind in ("alternative", "repeat", "comparative") for r in first.refs):
            first.refs.insert(0, Ref(phrase, " ".join(info.words), "undo", info.index, info.version))


def analyse(text: str, history: Sequence = ()) -> Analysis:
    """The steps one instruction asks for, given the earlier turns (engine.plan.Turn, oldest first)."""
    words, proper = tokenize(text)
    ctx = Ctx(proper, parse_words)
    memory = Memory(history, lambda w: parse_words(_fix(w), ctx))
    clauses = classify(words)
    out = Analysis([], _undo_count(clauses), next((c.keep for c in clauses if c.keep), []))
    here: list[Callable[[], list[Mention]]] = []
    problem: tuple[Op, ...] = ()
    disliked = ""  # a statement said the object is disliked ("I don't love the rug") or unwanted
    opener: list[str] = []  # "actually, a labrador": the correcting word said on its own
    for c in clauses:
        if c.role == "social" and memory and c.raw and c.raw[0] in vb.ALTERNATIVE_OPENERS:
            opener = c.raw[:1]
        if c.role == "keep" and c.keep:
            here.append(lambda keep=c.keep: [Mention(np_words(keep))])
        elif c.role == "context":
            here.append(lambda w=c.words: clause_mentions(w, stated=True))
            disliked = disliked or _dislike(c.words)
            problem = problem or problem_ops(c.words)
        elif c.role == "request":
            why = _question_or_chat(c.words) or _perception_question(c.raw)
            if why:
                out.unclear = out.unclear or why
                continue
            _request(c.words, opener + c.raw, ctx, memory, here, problem, out, disliked)
            opener = []
    out.steps = merge_adjacent(merge_adjacent(out.steps, _adjusted_together), _moved)
    if out.undo and out.steps and memory:
        _record_undo(out, memory, next((" ".join(c.words) for c in clauses if c.role == "undo"), "instead"))
    if not out.steps and not out.unclear:
        out.unclear = "undo-only" if out.undo else "no-edit"
    return out


def _request(words: list[str], raw: list[str], ctx: Ctx, memory: Memory, here: list[Callable[[], list[Mention]]],
             problem: tuple[Op, ...], out: Analysis, disliked: str = "") -> None:
    def is_edit(part: list[str]) -> bool:
        found = scan(part)
        return strong(parse_words(part, ctx)) or bool(found and found.ops)

    parts = [q for p in split_then(_fix(words)) for q in split_and(strip_polite(p) if p[0] in _LEADS else p, is_edit)]
    for part in parts:
        r = resolve(part, raw if len(parts) == 1 else part, here, memory, out.undo)
        step = _step(r, ctx, problem, out.keep)
        if step is None and not out.steps and len(parts) == 1 and is_complaint(r.words):
            fix = problem_ops(r.words)  # a complaint is the request: "I hate how dark it is"
            step = Step(Parsed("global", [], r.words, "complaint-fix"), r.words, fix, r.refs) if fix else None
        wanted_instead = disliked == "unwanted" and raw[:2] in (["i", "want"], ["we", "want"])  # "..., I want a cat"
        if step is not None and not memory and step.parsed.category == "addition" and (
                "instead" in part or wanted_instead or disliked and any(r.kind == "object" for r in step.refs)):
            step = _instead_of_stated(step, here, ctx) or step  # "I don't love the rug, get a persian one"
        if step is not None and _resize_of_nothing(step):  # "make it bigger" with no object to point at
            out.unclear = out.unclear or "no-referent"
            continue
        if step is None:
            if out.steps and _modifier(part):  # "make it autumn, with falling leaves": a modifier
                prev = out.steps[-1]
                again = _step(Resolved(prev.words + r.words, prev.refs), ctx, problem, out.keep)
                if again is not None:
                    out.steps[-1] = again
                    continue
            here.append(lambda w=r.words: clause_mentions(w))
            continue
        out.undo = max(out.undo, r.undo)
        if out.steps and _same_edit(out.steps[-1], step):  # "too much, less": the same edit twice
            continue
        out.steps.append(step)
        here.append(lambda s=step: _step_mentions(s))
