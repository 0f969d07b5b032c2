"""Text helpers of the rules planner: tokenising, typo fixing, noun phrases, captions.

Pure functions over lists of lowercase words; the grammar that uses them lives in
rules_clauses.py, rules_questions.py, rules_verbs.py and rules_arrow.py.
"""
from __future__ import annotations

import math
import re
from difflib import get_close_matches
from functools import lru_cache

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb

_TOKEN = re.compile(r"->|[a-z0-9]+(?:['\-][a-z0-9]+)*'?|[,;:!?.]")
_OF_OWNERS = lx.ATTRIBUTES | lx.COLLECTIVES
_AFTER_NOUN_CAN = frozenset("on in at from near by next behind under over and to is are was looks needs should has "
                            "with , . ! ?".split()) | vb.SPOIL_VERBS | lx.HEDGE_ADVERBS  # "the trash can ruins it"
_KNOWN = frozenset().union(
    lx.NP_STOPS, lx.CLAUSE_VERBS, lx.REMOVE_VERBS, lx.ADD_VERBS, lx.CHANGE_VERBS, lx.PLACE_VERBS,
    lx.GLOBAL_VERBS, lx.MOVE_VERBS, lx.DETERMINERS, lx.NOT_TYPOS, lx.FUZZY_TARGETS, lx.ADJECTIVES, lx.COLORS,
    lx.GLOBAL_CUES, lx.PLACES, vb.COMPARATIVES, vb.OP_WORDS, lx.BACKGROUND_WORDS, lx.FUZZY_ANYWHERE,
    lx.EVALUATIVE, vb.CLOTHING,
)


_PROPER = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")
_ELONGATED = re.compile(r"([a-z])\1\1+")
_ELONGATED_WORD = re.compile(r"[a-z]*([a-z])\1\1[a-z]*")  # "ummm", "pleeease"
# quotes, arrows, '&', dashes and '=' between words, emoticons (":)" ends a sentence)
_SPECIAL = re.compile("[\u2019\u2018\u2192&\u2013\u2014]|=>| - | = |(?<![a-z0-9])[:;]-?[()DPp3](?![a-z0-9])")
_SPECIAL_CHARS = frozenset("\u2019\u2018\u2192&\u2013\u2014=-:;")  # every _SPECIAL match has one of them
_SPECIAL_TO = {"\u2019": "'", "\u2018": "'", "\u2192": " -> ", "=>": " -> ", "&": " and ", " - ": " , ", " = ": " to ",
               "\u2013": " , ", "\u2014": " , "}  # a dash between words separates clauses
_PHRASE_FIRST = frozenset(wrong[0] for wrong in lx.TYPO_PHRASES)
_PHRASE_SECOND = frozenset(wrong[1] for wrong in lx.TYPO_PHRASES)
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ")  # text of these only: _TOKEN's words are split()'s
_TYPO_KEYS = frozenset(lx.TYPOS)
_DEGREE = frozenset("too so very really not way quite pretty kinda gone missing".split())


def _shorten(m: re.Match) -> str:
    word = m.group(0)
    return _ELONGATED.sub(r"\1", word) if len(set(word)) > 1 else word  # not "aaaa" (no word)


@lru_cache(maxsize=8192)
def _token_words(tok: str) -> tuple[str, ...]:
    """One raw token as words: a trailing quote dropped, a typo or contraction written out (pure, cached)."""
    tok = tok.strip("'") if tok.endswith("'") and not tok.endswith("s'") else tok
    return tuple(lx.TYPOS.get(tok, tok).split())


def tokenize(text: str) -> tuple[list[str], frozenset[str]]:
    """Lowercase word tokens (typos and contractions fixed) and the words written capitalised
    mid-sentence (proper nouns such as 'France', used to recognise places)."""
    if not _SPECIAL_CHARS.isdisjoint(text) and _SPECIAL.search(text):  # a set test first: the rare case
        text = _SPECIAL.sub(lambda m: _SPECIAL_TO.get(m.group(0), " . "), text)
    lower = text.lower()
    if _ELONGATED.search(lower):  # "ummm", "pleeease", "sooo": one letter for three or more
        lower = _ELONGATED_WORD.sub(_shorten, lower)
    # a proper noun needs a capital after the first two characters (the usual instruction has none)
    proper = frozenset(m.group(0).lower() for m in _PROPER.finditer(text)) if not text[2:].islower() else frozenset()
    toks = lower.split() if _PLAIN.issuperset(lower) else _TOKEN.findall(lower)  # letters and spaces: the same tokens
    if "'" not in lower and _TYPO_KEYS.isdisjoint(toks):  # nothing to write out (the usual case)
        words = toks
    else:
        words = []
        for tok in toks:
            words.extend(_token_words(tok))
    if "like" in words:  # "put like a small campfire": a filler between a verb and its object
        words = [x for i, x in enumerate(words) if x != "like" or not (
            0 < i < len(words) - 1 and words[i - 1] in lx.EDIT_VERBS and words[i + 1] in lx.INDEFINITE)]
    if "2" in words:  # "add a hat 2 the dog"
        words = ["to" if x == "2" and 0 < i < len(words) - 1 and words[i + 1] in lx.DEFINITE else x
                 for i, x in enumerate(words)]
    if "'s" in lower:  # "my photo's too yellow": 's is "is" before a degree word
        words = [y for i, x in enumerate(words) for y in (
            [x[:-2], "is"] if x.endswith("'s") and i + 1 < len(words) and words[i + 1] in _DEGREE else [x])]
    seconds = _PHRASE_SECOND.intersection(words)  # the second words of typo phrases here (usually only "the")
    if seconds and not _PHRASE_FIRST.isdisjoint(words):
        for wrong, right in lx.TYPO_PHRASES.items():
            if wrong[1] not in seconds or wrong[0] not in words:
                continue
            n = len(wrong)
            for i in range(len(words) - n, -1, -1):
                if tuple(words[i:i + n]) == wrong:
                    words[i:i + n] = right
                    seconds = _PHRASE_SECOND.intersection(words)
    return words, proper


class CloseMatch:
    """`difflib.get_close_matches(word, targets, n=1, cutoff=cutoff)` for one fixed list of typo targets, with
    difflib's work kept for the few targets two cheap upper bounds of its ratio leave: the lengths (a table
    per word length, built on first use of that length) and the letters the two share plus the target's
    repeated ones (one AND of letter masks, against a whole number the table holds). Same answer as difflib,
    a fraction of the work: most words looked up are no typo at all and no target survives."""

    def __init__(self, targets: tuple[str, ...], cutoff: float):
        self.targets, self.cutoff = tuple(targets), cutoff
        self._by_length: dict[int, tuple[tuple[int, str, int], ...]] = {}
        self._masks: list[int] = []  # the targets' letter masks, made on first use

    def _table(self, n: int) -> tuple[tuple[int, str, int], ...]:
        """(the distinct letters a word of length n must share with the target, target, its letter mask) for
        the targets such a word can match: 2.0 * (shared + the target's repeated letters) >= cutoff * (n + m),
        difflib's bound, is shared >= ceil(cutoff * (n + m) / 2) - repeated, in whole numbers."""
        if not self._masks:
            self._masks = [_letter_mask(t) for t in self.targets]
        rows = []
        for t, t_mask in zip(self.targets, self._masks):
            bound = self.cutoff * (n + len(t))
            if 2.0 * min(n, len(t)) >= bound:
                rows.append((math.ceil(bound / 2.0) - (len(t) - len(set(t))), t, t_mask))
        return tuple(rows)

    def __call__(self, word: str) -> list[str]:
        n = len(word)
        table = self._by_length.get(n)
        if table is None:
            table = self._by_length[n] = self._table(n)
        if not table:
            return []
        if word.isascii():
            mask = _letter_mask(word)
            distinct = mask.bit_count()
            survivors = [t for need, t, t_mask in table if need <= distinct and (mask & t_mask).bit_count() >= need]
        else:  # a letter mask of any code point would be a huge number: sets instead
            letters = frozenset(word)
            survivors = [t for need, t, _ in table if len(letters & frozenset(t)) >= need]
        return get_close_matches(word, survivors, n=1, cutoff=self.cutoff) if survivors else []


def _letter_mask(word: str) -> int:
    """One bit per distinct character (its code point): popcount(a & b) = the letters a and b share."""
    mask = 0
    for c in word:
        mask |= 1 << ord(c)
    return mask


_CLOSE_TARGET = CloseMatch(lx.FUZZY_TARGETS, 0.8)
_CLOSE_ANYWHERE = CloseMatch(lx.FUZZY_ANYWHERE, 0.85)  # not "barrier" -> "blurrier"


@lru_cache(maxsize=4096)
def fix_typo(word: str) -> str:
    """The keyword an unknown word is a likely misspelling of ('remov' -> 'remove'), else the word."""
    if len(word) < 5 or word in _KNOWN or not word.isalpha():
        return word
    match = _CLOSE_TARGET(word)
    # a real word two letters shorter or longer is another word ("cover" is not "convert")
    return match[0] if match and abs(len(match[0]) - len(word)) <= (1 if len(word) < 8 else 2) else word


@lru_cache(maxsize=4096)
def fix_typo_anywhere(word: str) -> str:
    """Typo repair of the photometric and background words at any position ('brigther' -> 'brighter'), and of
    short words with two letters swapped after the first ('hta' -> 'hat')."""
    if 3 <= len(word) <= 4 and word.isalpha() and word not in _SHORT_KNOWN:
        return next((word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(1, len(word) - 1)
                     if word[:i] + word[i + 1] + word[i] + word[i + 2:] in vb.SHORT_WORDS), word)
    if len(word) < 5 or word in _KNOWN or not word.isalpha():
        return word
    match = _CLOSE_ANYWHERE(word)
    return match[0] if match and abs(len(match[0]) - len(word)) <= 1 else word


_SHORT_KNOWN = _KNOWN | vb.SHORT_WORDS | lx.COLORS | lx.ADJECTIVES | lx.PLACES | lx.ARTICLES
KNOWN_WORDS = _SHORT_KNOWN | frozenset(",;:!?.") | {"->"}  # words no typo repair changes


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def fix_short_typo(word: str) -> str:
    """A 3-4 letter unknown word in verb position one edit away from a short verb ('mak' -> 'make')."""
    if not 3 <= len(word) <= 4 or word in _SHORT_KNOWN or not word.isalpha():
        return word
    return next((v for v in vb.SHORT_VERB_TARGETS if _one_edit(word, v)), word)


def has_global_cue(w: list[str]) -> bool:
    """True when the words name a style, season, weather, time of day or lighting."""
    if not lx.GLOBAL_CUES.isdisjoint(w):
        return True
    text = " ".join(w)
    return any(phrase in text for phrase in lx.GLOBAL_PHRASES)


@lru_cache(maxsize=8192)
def is_participle(word: str) -> bool:
    """'parked', 'covered': a participle that ends a noun phrase ('a car parked on ...')."""
    return word.endswith("ed") and (len(word) > 4 or word.endswith("ied")) and word not in lx.ADJECTIVES


@lru_cache(maxsize=8192)
def is_ing(word: str) -> bool:
    return word.endswith("ing") and len(word) > 5 and word not in lx.NOUN_ING


@lru_cache(maxsize=8192)
def is_adjective(word: str) -> bool:
    if word in lx.COLORS or word in lx.ADJECTIVES:
        return True
    if word.endswith("er") and not word.endswith("ier"):  # a comparative of an adjective, not "brother"
        return _comparative_of_adjective(word)
    return len(word) > 4 and word.endswith(lx.ADJ_SUFFIXES) and not word.endswith(("ness", "ery")) \
        and word not in lx.NOUN_LOOKALIKES


def _comparative_of_adjective(word: str) -> bool:
    stem = word[:-2]
    for base in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if base and (base in lx.ADJECTIVES or base in lx.COLORS or base in vb.OP_WORDS
                     or base.endswith(("y", "ful", "ish", "ous", "ive", "ic"))):
            return True
    return word in vb.COMPARATIVES


def skip_determiners(w: list[str], i: int) -> tuple[int, str]:
    det = ""
    while i < len(w) and w[i] in lx.DETERMINERS:
        if w[i] == "that" and i + 1 < len(w) and w[i + 1] in lx.NP_STOPS:
            break
        if w[i] == "of" and det in _PART_OF and i + 1 < len(w) and w[i + 1] in lx.DEFINITE:
            det = ""  # "one of the dogs": the dogs, definite
        else:
            det = det or w[i]
        i += 1
    return i, det


def _pronoun_here(w: list[str], i: int) -> bool:
    """True when w[i] is a pronoun used as a noun phrase ('make her smile', 'turn this red')."""
    x = w[i]
    if x not in lx.PRONOUNS:
        return False
    if x in ("her", "this", "that", "these", "those"):
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if nxt and is_adjective(nxt) and i + 2 < len(w) and w[i + 2] not in lx.NP_STOPS \
                and w[i + 2] not in ",;:!?." and not is_adjective(w[i + 2]) and x != "her":
            return False  # "that awful wire": a determiner, an adjective, a noun
        return (
            not nxt or nxt in lx.NP_STOPS or nxt in lx.CLAUSE_VERBS or nxt in lx.ARTICLES
            or is_adjective(nxt) or nxt in ",;:!?."
        )
    return True


_SUBJECTS = frozenset("it they he she we i you".split())  # a relative clause starts: "the pole it was on"
_A_OR_SOME = lx.ARTICLES | lx.INDEFINITE
_RIGHT_THERE = lx.LOCATIVE_PREPS | {"next", "by", "there", "here", "now"}
_NP_SPECIAL = frozenset(",;:!?.") | {"->", "of", "can", "and", "very", "really", "super", "quite", "right"} | _SUBJECTS \
    | vb.SPOIL_VERBS | lx.NP_STOPS | lx.GLOBAL_LOOKS


@lru_cache(maxsize=8192)
def _ordinary(x: str) -> bool:
    """A word noun_phrase has no special rule for (no stop, 'of', 'and', possessive, adverb ...)."""
    return x not in _NP_SPECIAL and not x.endswith(("'s", "s'", "ly"))


def noun_phrase(w: list[str], i: int, split_adjectives: bool = False,
                trailing_noun: bool = True) -> tuple[list[str], int, str]:
    """The noun phrase at w[i]: (its words without determiners, index after it, its determiner).

    A pronoun is returned as itself with determiner 'pron'. With `split_adjectives`, trailing
    adjectives are left out for the caller ('make the car red' -> ['car'], next index at 'red').
    """
    n = len(w)  # w is only read here
    if i < n and w[i] in lx.PRONOUNS and _pronoun_here(w, i):  # (the two tests: no call for the usual word)
        return [w[i]], i + 1, "pron"
    i, det = skip_determiners(w, i) if i < n and w[i] in lx.DETERMINERS else (i, "")
    out: list[str] = []
    owner: list[str] = []
    start = i
    while i < n:
        x = w[i]
        if _ordinary(x):  # the usual word: only "does a noun phrase end here" applies
            if out and out[-1] != "and" and _ends_noun_phrase(x) and not (  # "a red sail": a noun after adjectives
                    x in lx.CLAUSE_VERBS and not x.endswith("ing") and all(is_adjective(o) for o in out)
                    and det in _A_OR_SOME) and not (  # "a big potted plant": a participle before the noun
                    is_participle(x) and i + 1 < n and _noun_here(w[i + 1]) and all(is_adjective(o) for o in out)):
                break
            out.append(x)
            i += 1
            continue
        if x in ",;:!?." or x == "->":
            break
        if x.endswith("'s") or x.endswith("s'"):  # "the boy's jacket": the jacket is the target
            owner, out, i = out + [x[:-2] if x.endswith("'s") else x[:-1]], [], i + 1
            i, _ = skip_determiners(w, i)
            start = i
            continue
        if x == "of" and out and (out[-1] in lx.CONTAINERS or out[-1] in _OF_OWNERS):
            if out[-1] in _OF_OWNERS:  # "the color of the bird", "a bunch of balloons"
                out = []
            else:
                out.append(x)
            i, _ = skip_determiners(w, i + 1)
            start = i if not out else start
            continue
        if x == "can" and out and (i + 1 == n or w[i + 1] in _AFTER_NOUN_CAN):  # "the trash can"
            out.append(x)
            i += 1
            continue
        if out and x in lx.GLOBAL_LOOKS and det in ("a", "an"):  # "a retro 80s look"
            out.append(x)
            i += 1
            break
        if not out and x in ("very", "really", "super", "quite") or x in ("kinda", "sorta") and i + 1 < n \
                and w[i + 1] not in lx.NP_STOPS:  # "the very big truck", "some kinda sculpture"
            i += 1
            continue
        if x.endswith("ly") and len(x) > 4 and i + 2 < n and is_participle(w[i + 1]) \
                and _noun_here(w[i + 2]):  # "freshly baked cookies": an adverb and a participle before the noun
            out += w[i:i + 2]
            i += 2
            continue
        if out and x in _SUBJECTS:  # "the pole it was on": a relative clause starts
            break
        if out and x == "right" and i + 1 < n and w[i + 1] in _RIGHT_THERE:  # "a bin right in the middle"
            break
        if out and x in vb.SPOIL_VERBS and i + 1 < n and (
                w[i + 1] in lx.DETERMINERS or w[i + 1] in lx.PRONOUNS or w[i + 1] == "everything"):
            break  # "the wires ruin the view": a verb, not "the castle ruins"
        if x == "and" and out and _coordinated(w, i, out[-1]):  # "the man and the dog"
            out.append(x)
            i, _ = skip_determiners(w, i + 1)
            continue
        if x == "and" and out and i + 2 < n and is_adjective(out[-1]) and is_adjective(w[i + 1]) \
                and _noun_after_adjectives(w, i + 2):  # "the black and white (striped) cat": adjectives of one noun
            out += w[i:i + 2]
            i += 2
            continue
        if x in lx.NP_STOPS or (out and out[-1] != "and" and _ends_noun_phrase(x) and not (  # "a red sail"
                x in lx.CLAUSE_VERBS and not x.endswith("ing") and all(is_adjective(o) for o in out)
                and det in _A_OR_SOME)):
            break
        out.append(x)
        i += 1
    while len(out) > 1 and out[-1] == "of":  # "a reflection of the moon": the phrase stops before "of"
        out.pop()
    if split_adjectives and len(out) > 1 and w[i:i + 1] != ["into"]:  # "turn the ice cream into ...": no new state
        out, i = _split_trailing(out, start, i, at_end=trailing_noun and i >= n)
    while out and out[-1] in lx.ATTRIBUTES and len(out) > 1:  # "the shirt color" -> shirt
        out.pop()
    if owner and len(out) == 1 and out[0] in lx.ATTRIBUTES:  # "the dog's pose" -> dog
        out = owner
    return out, i, det


_PART_OF = frozenset("one two three some any each both all several few many".split())


def _coordinated(w: list[str], i: int, before: str) -> bool:
    """True when the 'and' at w[i] joins two noun phrases ('the man and the dog', 'salt and pepper'),
    not two adjectives ('black and white') or two clauses ('... and add a cat')."""
    j, det = skip_determiners(w, i + 1)
    if j >= len(w):
        return False
    nxt = w[j]
    if nxt in lx.NP_STOPS or nxt in ",;:!?." or nxt in lx.EDIT_VERBS or nxt in lx.CLAUSE_VERBS \
            or nxt in lx.GLOBAL_VERBS or nxt in lx.CAUSATIVE_VERBS or nxt in lx.PRONOUNS or nxt in _SUBJECTS:
        return False
    if det:  # "the man and the dog", not "the cups white and the table dark" (a new state ends the first)
        return not (before in lx.COLORS and i > 1 and w[i - 2] not in lx.DETERMINERS and not is_adjective(w[i - 2]))
    return not (is_adjective(nxt) or is_adjective(before))


def starts_with(w: list[str], phrase: tuple[str, ...]) -> bool:
    return tuple(w[: len(phrase)]) == phrase


class Phrases:
    """A set of word sequences indexed by their first word, longest first (fast prefix matching)."""

    def __init__(self, phrases):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in sorted((tuple(p) for p in phrases), key=len, reverse=True):
            self.by_first.setdefault(p[0], []).append(p)
        # per first word: (length, the phrases of that length), longest first: one slice per length
        self._by_length: dict[str, tuple[tuple[int, frozenset[tuple[str, ...]]], ...]] = {
            first: tuple((n, frozenset(p for p in ps if len(p) == n))
                         for n in sorted({len(p) for p in ps}, reverse=True))
            for first, ps in self.by_first.items()}

    def match(self, w: list[str], i: int = 0) -> tuple[str, ...] | None:
        """The longest phrase that starts at w[i], or None."""
        groups = self._by_length.get(w[i]) if i < len(w) else None
        if groups is None:
            return None
        for n, ps in groups:
            if n == 1:
                return (w[i],)
            t = tuple(w[i:i + n])
            if t in ps:
                return t
        return None

    def any_in(self, w: list[str]) -> bool:
        """Could a phrase start anywhere in w (a cheap test before scanning)?"""
        return not self.by_first.keys().isdisjoint(w)


@lru_cache(maxsize=8192)
def _ends_noun_phrase(x: str) -> bool:
    return x in lx.CLAUSE_VERBS or is_ing(x) or is_participle(x) or x in lx.ARTICLES or x in lx.PAST_VERBS


def _noun_after_adjectives(w: list[str], k: int) -> bool:
    while k < len(w) - 1 and is_adjective(w[k]):
        k += 1
    return k < len(w) and _noun_here(w[k])


def _noun_here(x: str) -> bool:
    """Could x be the noun after adjectives ('cat' in 'black and white cat'), not a stop, verb or adjective?"""
    return not (x in lx.NP_STOPS or x in ",;:!?." or x in lx.DETERMINERS or is_adjective(x) or _ends_noun_phrase(x))


def _split_trailing(out: list[str], start: int, end: int, at_end: bool) -> tuple[list[str], int]:
    j = len(out)
    while j > 1 and (is_adjective(out[j - 1]) or out[j - 1] in ("and", "more", "less") or out[j - 1] in vb.OP_WORDS
                     or out[j - 1] in vb.LARGE_WORDS or out[j - 1] in vb.SMALL_WORDS):  # "the lamp 2x bigger"
        j -= 1
    if 1 < j < len(out) and out[j - 1] in lx.SHADE_NOUNS and out[j] in lx.COLORS:  # "the armchair mustard yellow"
        j -= 1
    if j == len(out) and at_end:
        j = 1  # "make the shoes sneakers": noun, then the new noun
    if j == len(out):  # nothing split off ("the moon and some stars": determiners inside count too)
        return out, end
    return out[:j], start + j


def head(words: list[str]) -> str:
    return words[-1] if words else ""


def article(phrase: str) -> str:
    phrase = phrase.strip()
    if not phrase or phrase.split()[0] in lx.DETERMINERS:
        return phrase
    if phrase.endswith("s") and not phrase.endswith("ss"):
        return phrase
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def gerund(verb: str) -> str:
    if verb.endswith("ing"):
        return verb
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    return verb + "ing"


def local_caption(target: str, new: list[str]) -> str:
    """Caption for the edited object: 'a corgi', 'a blue car', 'a man smiling', ..."""
    while new and new[0] in ("to", "into", "with", "for", "as", "be", "become", "is", "are", "by"):
        new = new[1:]
    if not new:
        return article(target) if target else "the edited object"
    if new[:2] == ["look", "like"] or new[:2] == ["looks", "like"]:
        return " ".join(new[2:])
    if new[0] in ("look", "looks", "appear", "seem"):
        return f"{article(' '.join(new[1:]) + ' ' + target)}".strip()
    if new[0] in lx.DETERMINERS:
        return " ".join(new)
    if all(is_adjective(x) or x == "and" for x in new):
        return article(" ".join(new + [target]))
    if (new[0].endswith("ed") or new[0] in ("made", "built", "done")) and len(new) > 1:  # "made of glass"
        return f"{article(target)} {' '.join(new)}"
    if new[0] in lx.CLAUSE_VERBS:
        return f"{article(target)} {gerund(new[0])} {' '.join(new[1:])}".strip()
    return article(" ".join(new)) if target == "" else f"{article(target)}, {' '.join(new)}"


def merge_adjacent(items: list, merge) -> list:
    """`items` with each one folded into the one before it where `merge(prev, item)` returns the merged
    item (None: the two stay apart). The shared shape of the grammar's "X, then Y is one thing" rules."""
    if len(items) < 2:
        return items
    out: list = []
    for x in items:
        merged = merge(out[-1], x) if out else None
        if merged is None:
            out.append(x)
        else:
            out[-1] = merged
    return out
