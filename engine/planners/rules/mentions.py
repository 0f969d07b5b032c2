"""What an instruction can refer to: the objects earlier turns (and earlier clauses) left in the picture.

A `Mention` is a noun phrase with where it came from. Each earlier turn contributes the object it
leaves in the picture first (the added object, the new object of a replacement, the recoloured
object, the kept subject), then the other things it names ("on the table"); a removed object is kept
but marked, and a whole-image edit contributes the picture itself. `Memory.mentions(undo)` lists them
most recent first; the `undo` latest turns count as taken back (their added objects are gone again,
the objects they changed are back as they were).

Leaf module: the grammar that parses earlier clauses is passed in (`parse`).
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.base import Parsed
from engine.planners.rules.text import head, noun_phrase, tokenize

_MARKS = frozenset(lx.MARKS) | {"by", "become", "is", "are"}


class Mention(NamedTuple):
    words: tuple[str, ...]  # the noun phrase with its determiner ("the", "hat"); () for the picture
    turn: int | None = None  # index into the history; None = this instruction
    version: str | None = None
    removed: bool = False
    image: bool = False  # the whole picture (a global edit, "it" in "it is too dark")
    existential: bool = False  # named by "there's a ...": a person pronoun may point at it
    primary: bool = False  # the object a turn left (not just a place it named)
    stated: bool = False  # named by a statement of this instruction ("there's a vase. make it vintage")

    @property
    def text(self) -> str:
        return " ".join(w for w in self.words if w not in lx.DETERMINERS) or PICTURE


PICTURE = "the picture"  # what a whole-image mention resolves to


class Ref(NamedTuple):
    phrase: str
    resolved: str
    kind: str = "object"
    turn: int | None = None
    version: str | None = None


class TurnInfo(NamedTuple):
    """One earlier turn as the resolver sees it."""

    index: int
    version: str | None
    category: str
    target: str
    words: list[str]  # its instruction with references resolved (the plan's clause, else the instruction)
    parsed: Parsed | None
    ops: list
    strength: dict


def np_words(words: Sequence[str]) -> tuple[str, ...]:
    """A noun phrase with a definite article: 'hat' -> ('the', 'hat'); 'his beard' stays."""
    words = tuple(words)
    if not words:
        return words
    if words[0] in lx.DEFINITE or words[0] in lx.PRONOUNS:
        return words
    return ("the",) + tuple(w for w in words if w not in lx.ARTICLES and w not in lx.INDEFINITE)


def replacement_object(p: Parsed) -> list[str]:
    """The new object of a replacement ('replace the dog with a corgi' -> corgi), else []."""
    new = list(p.new)
    while new and new[0] in _MARKS:
        new = new[1:]
    if not new or new[0] not in lx.DETERMINERS:
        return []
    np, _, _ = noun_phrase(new, 0)
    return np if np and head(np) not in lx.COLORS and head(np) not in vb.FRAME_PARTS else []  # not "to the left"


def result_mentions(info: TurnInfo) -> list[Mention]:
    """What the turn leaves to refer to, most salient first."""
    i, v = info.index, info.version
    target = tuple(info.target.split())
    if info.category == "global":
        return [Mention((), i, v, image=True)]
    if info.category == "remove":
        first = [Mention(np_words(target), i, v, removed=True, primary=True)] if target else []
    elif info.category == "background":
        first = [Mention(np_words(target) if target else ("the", "background"), i, v, primary=True)]
    elif info.category == "local" and info.parsed is not None and replacement_object(info.parsed):
        first = [Mention(np_words(replacement_object(info.parsed)), i, v, primary=True)]
    else:
        first = [Mention(np_words(target), i, v, primary=True)] if target else []
    return first + [m for m in clause_mentions(info.words, i, v) if m.words[-1:] != first[0].words[-1:]] \
        if first else clause_mentions(info.words, i, v)


def undone_mentions(info: TurnInfo) -> list[Mention]:
    """After the turn is taken back: the object it changed or removed is there again, as before."""
    target = tuple(info.target.split())
    if info.category in ("local", "remove", "background") and target:
        return [Mention(np_words(target), info.index, info.version)]
    if info.category == "background":
        return [Mention(("the", "background"), info.index, info.version)]
    if info.category == "global":
        return [Mention((), info.index, info.version, image=True)]
    return []


def clause_mentions(words: list[str], turn: int | None = None, version: str | None = None,
                    stated: bool = False) -> list[Mention]:
    """The noun phrases a clause names, in order ('there is a cup next to the lamp' -> cup, lamp)."""
    out: list[Mention] = []
    i = 0
    while i < len(words):
        if words[i] in ("this", "that") and words[i + 1:i + 2] in (["is"], ["are"]) and words[i + 2:i + 3] \
                and words[i + 2] in lx.DETERMINERS:  # "that's my car on the left": the car, not the picture
            i += 2
            continue
        if words[i] in lx.DETERMINERS or words[i] in ("it", "this") or (
                i == 0 and stated and words[0] in lx.BACKGROUND_WORDS):  # "background is boring"
            np, end, det = noun_phrase(words, i, split_adjectives=True, trailing_noun=False)  # not "the car red"
            if np and words[end - 1] == "of":  # "a fan of the carpet": the carpet is what it is about
                i = end
                continue
            if np and det != "pron" and head(np) not in lx.GLOBAL_SUBJECTS and head(np) not in vb.FRAME_PARTS:
                phrase = tuple(words[i:end]) if words[i] in lx.DEFINITE else np_words(np)
                told = i > 1 and words[i - 2] == "there" and words[i - 1] in lx.BE  # "(and) there is a bin ..."
                out.append(Mention(phrase, turn, version, existential=told, stated=stated))
            elif np and np[0] in ("it", "this") or head(np) in lx.GLOBAL_SUBJECTS:
                out.append(Mention((), turn, version, image=True))
            i = max(end, i + 1)
        else:
            i += 1
    return out


class Memory:
    """The earlier turns of a session (accepted ones, oldest first) prepared for reference resolution."""

    def __init__(self, history: Sequence, parse: Callable[[list[str]], Parsed]):
        self.turns: list[TurnInfo] = []
        for i, turn in enumerate(history):
            if not getattr(turn, "accepted", True):
                continue
            for plan in _plans(turn):
                text = getattr(plan, "clause", "") or turn.instruction
                words = tokenize(text)[0] if text else []
                parsed = parse(words) if words else None
                self.turns.append(TurnInfo(
                    i, turn.version, plan.category if plan else (parsed.category if parsed else "local"),
                    plan.target if plan else " ".join(parsed.target if parsed else []), words, parsed,
                    [o.op for o in plan.operations] if plan else [],
                    {o.op: o.strength for o in plan.operations} if plan else {}))

    def __bool__(self) -> bool:
        return bool(self.turns)

    def last(self, undo: int = 0) -> TurnInfo | None:
        """The latest turn (the one an 'again' / 'same for' / 'instead' refers to)."""
        return self.turns[-1 - undo] if len(self.turns) > undo else (self.turns[-1] if self.turns else None)

    def mentions(self, undo: int = 0) -> list[Mention]:
        """Most recent first; the `undo` latest turns count as taken back."""
        out: list[Mention] = []
        for k, info in enumerate(reversed(self.turns)):
            out.extend(undone_mentions(info) if k < undo else result_mentions(info))
        return out


def _plans(turn) -> list:
    plan = getattr(turn, "plan", None)
    if plan is None:
        return [None]
    return list(plan.steps) if getattr(plan, "steps", None) else [plan]


def make_ref(phrase: list[str] | str, m: Mention | TurnInfo, kind: str, resolved: str | None = None) -> Ref:
    text = phrase if isinstance(phrase, str) else " ".join(phrase)
    if isinstance(m, Mention):
        return Ref(text, resolved or m.text, kind, m.turn, m.version)
    return Ref(text, resolved or " ".join(m.words), kind, m.index, m.version)
