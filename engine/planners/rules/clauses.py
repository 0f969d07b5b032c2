"""The clause level of the rules grammar: an instruction's words -> clauses with roles.

Roles: `social` (greetings, thanks: dropped), `undo` ("undo that", a bare "no,": take back the last
edit), `keep` ("don't touch the man": the subject a background edit keeps), `context` (a description
or a complaint: "there's a stain on the shirt", "I don't like the car", "the table looks empty"; it
only names what a later request refers to, unless nothing else asks for an edit) and `request`.
A request clause is split further at "then" and at "and" before a verb or in a gapped coordination
("make the car red and the bus yellow"); `is_edit` (the grammar, passed in) confirms each split.

Leaf module: lexicon, vocabulary and text helpers only.
"""
from __future__ import annotations

from typing import Callable

from engine.planners.rules import lexicon as lx
from engine.planners.rules import vocabulary as vb
from engine.planners.rules.text import Phrases, head, is_adjective, merge_adjacent, noun_phrase

_PREFIXES = Phrases(p.split() for p in lx.POLITE_PREFIXES)
_THEN = Phrases(vb.THEN_WORDS)
_UNDO_FIRST = frozenset(p[0] for p in vb.UNDO_CLAUSES)
_UNDO_CLAUSES = frozenset(vb.UNDO_CLAUSES)  # one hash look-up, not a scan of the tuple
_TRAILING = frozenset("please thanks thank you now too thx pls also".split())
_KEEP_VERBS = frozenset("touch change changing touching alter modify move edit affect altering".split())


class Clause:
    """role: social | undo | keep | context | request; raw = the words before politeness was stripped."""

    __slots__ = ("role", "words", "raw", "undo", "keep")

    def __init__(self, role: str, words: list[str], raw: list[str], undo: int = 0, keep: list[str] | None = None):
        self.role, self.words, self.raw, self.undo, self.keep = role, words, raw, undo, keep

    def __repr__(self) -> str:
        return f"Clause({self.role!r}, {self.words!r})"


_LIST_OPENERS = frozenset("things steps changes edits requests following one thing request favor deal problem issue "
                          "situation question story".split())


_SEGMENT_MARKS = frozenset(",;.!?:")


def segments(words: list[str]) -> list[list[str]]:
    """Split at sentence punctuation; ':' reads as 'to' ('new background: a beach') except after 'two things'."""
    if _SEGMENT_MARKS.isdisjoint(words):  # one segment (the usual instruction)
        return [list(words)] if words else []
    out, cur = [], []
    for i, x in enumerate(words):
        if x == "," and _between_adjectives(cur, words, i):  # "a big, fluffy dog": one noun phrase
            continue
        if x in ",;.!?" or x == ":" and cur and cur[-1] in _LIST_OPENERS:
            out.append(cur)
            cur = []
        else:
            cur.append("to" if x == ":" else x)
    out.append(cur)
    return [s for s in out if s]


def _between_adjectives(cur: list[str], words: list[str], i: int) -> bool:
    """A comma inside a noun phrase: after an adjective that follows a determiner or an adjective, before
    another adjective ('a small, red, shiny ball')."""
    return len(cur) > 1 and i + 1 < len(words) and is_adjective(cur[-1]) and is_adjective(words[i + 1]) \
        and (cur[-2] in lx.DETERMINERS or is_adjective(cur[-2])) and words[i + 1] not in lx.DETERMINERS


def strip_polite(w: list[str]) -> list[str]:
    if "please" in w[1:-1]:  # "new background please: a beach"
        w = [x for i, x in enumerate(w) if x != "please" or i == 0]
    while w:
        p = _PREFIXES.match(w)
        if p is None or len(w) <= len(p) or w[len(p)] == "be":  # "I want to be on an island": keep the subject
            break
        w = w[len(p):]
    while len(w) > 1 and w[-1] in _TRAILING:
        w = w[:-1]
    return w


_KEEP_FIRST = frozenset("do but and keep leave without".split())
_KEEP_WORDS = frozenset("keep leave not without".split())
_KEEP_ANY = _KEEP_FIRST | _KEEP_WORDS
_LEADS = (["do", "not"], ["but", "do", "not"], ["and", "do", "not"], ["keep"], ["leave"], ["without"],
          ["but", "keep"], ["and", "keep"], ["but", "leave"], ["and", "leave"])
_KEEP_LEADS = {first: [lead for lead in _LEADS if lead[0] == first] for first in _KEEP_FIRST}  # by first word, in order


def keep_subject(clause: list[str]) -> list[str] | None:
    """Words of X in 'do not touch the X' / 'keep (only) the X (unchanged)'; None if not such a clause."""
    if not clause or clause[0] not in _KEEP_FIRST:
        return None
    for lead in _KEEP_LEADS.get(clause[0], ()):
        if clause[: len(lead)] == lead:
            rest = clause[len(lead):]
            if lead[-1] == "not" or lead == ["without"]:
                if not rest or rest[0] not in _KEEP_VERBS:
                    return None
                rest = rest[1:]
            while rest and rest[0] in ("only", "just"):
                rest = rest[1:]
            words, _, det = noun_phrase(rest, 0, split_adjectives=True, trailing_noun=False)  # "keep the baby sharp"
            if det == "pron" and words[0] in ("it", "this", "that", "them") or head(words) in lx.UNNAMED_SUBJECTS:
                return []  # "keep it sharp", "keep the foreground": nothing named
            return words
    return None


def _split_keep(clause: list[str]) -> list[list[str]]:
    """'keep the tree but change ...' -> ['keep the tree'], ['change ...']; '... without changing the X'."""
    if _KEEP_ANY.isdisjoint(clause):  # no word that starts or marks a keep clause (the usual case)
        return [clause]
    if clause and clause[0] not in _KEEP_FIRST and not _KEEP_WORDS.isdisjoint(clause) \
            and keep_subject(strip_polite(clause)) is not None:
        clause = strip_polite(clause)  # "just leave the horse and ..."
    if keep_subject(clause) is not None:
        for i, x in enumerate(clause):
            if x in ("but", "and", "just", "only") and i > 1:
                return [clause[:i], clause[i + 1:]]
        return [clause]
    for cut, x in enumerate(clause):
        if x in ("without", "but", "and") and cut and keep_subject(clause[cut:]) is not None:
            return [clause[:cut], clause[cut:]]
    return [clause]


_SOCIAL_FIRST = frozenset(p[0] for p in vb.SOCIAL_PHRASES)


def is_social(w: list[str]) -> bool:
    if not w:
        return False
    if not vb.FEELINGS.isdisjoint(w[:4]):  # "so excited to try this", "I'm glad"
        feeling = [x for x in w[:4] if x not in vb.FEELING_LEADS]
        if feeling and feeling[0] in vb.FEELINGS and (len(feeling) == 1
                                                      or feeling[1] in ("to", "for", "about", "that")):
            return True
    praise = w[1:] if w[0] in ("i", "we") and len(w) > 2 else w  # "love it!", "I like that", "love the result"
    if praise[0] in vb.PRAISE_VERBS and len(praise) > 1 and vb.RESULT_WORDS.issuperset(praise[1:]):
        return True
    if vb.SOCIAL_HEADS.isdisjoint(w) and w[0] not in _SOCIAL_FIRST:
        return False
    if tuple(w) in vb.SOCIAL_PHRASES:
        return True
    return bool(w) and not vb.SOCIAL_HEADS.isdisjoint(w) and all(
        x in vb.SOCIAL_HEADS or x in vb.SOCIAL_FILLER for x in w)


def undo_count(w: list[str]) -> int:
    """1 for 'undo that' / 'go back' / a bare 'no', 2 for 'undo the last two edits'; else 0."""
    if not w or w[0] not in _UNDO_FIRST:
        return 0
    if tuple(w) in _UNDO_CLAUSES:
        return 1
    if w[:1] == ["undo"] and len(w) <= 6 and any(x in vb.NUMBER_WORDS for x in w):
        return next(vb.NUMBER_WORDS[x] for x in w if x in vb.NUMBER_WORDS)
    if w[:1] == ["undo"] and w[-1:] == ["twice"]:
        return 2
    return 0


_FAN = Phrases(vb.FAN_PHRASES)  # "(I) am not a fan of"
_FAN_TAILS = Phrases(p[1:] for p in vb.FAN_PHRASES)  # "(I'm) not a fan of"
_NP_LINKS = lx.LOCATIVE_PREPS | {"of", "with", "next"}  # "the shadow on her face is ..."
_ANY_VERB = lx.EDIT_VERBS | lx.CAUSATIVE_VERBS | lx.GLOBAL_VERBS


def is_context(w: list[str]) -> bool:
    """A statement about the picture, not a request: 'there is a bag on the sand', 'I don't like the car',
    'the table looks empty', 'it is way too dark', 'this is my dog'."""
    if len(w) < 2:
        return False
    if w[0] == "there" and w[1] in ("is", "are", "was", "were"):
        return True
    if w[0] == "not" and (_FAN_TAILS.match(w) is not None  # "not a fan of the rug"
                          or w[1] in vb.NOT_KEEN):  # "not loving the cloudy sky"
        return True
    if w[0] in vb.PRAISE_VERBS and w[1] in lx.DEFINITE:  # "love this shot (but ...)"
        return True
    if w[0] == "i" and w[1] == "wish" and "not" in w[2:]:  # "I wish the lake wasn't so murky": a complaint
        return True
    if w[0] in ("i", "we") and w[1] in vb.PRAISE_VERBS and "except" in w:  # "I like everything except the sky"
        return True
    if w[:2] == ["do", "not"] and w[2:3] and w[2] in vb.LIKE_VERBS and w[3:4] and w[3] in lx.DEFINITE:
        return True  # "don't like the dog's collar"
    if w[0] in ("i", "we"):
        rest = w[1:]
        while rest and (rest[0] in ("really", "just", "honestly", "kind", "of", "do", "not", "still")
                        or rest[0] in lx.HEDGE_ADVERBS):
            rest = rest[1:]
        negated = "not" in w[1:4]
        return bool(rest) and ((negated and rest[0] in vb.LIKE_VERBS) or rest[0] in vb.DISLIKE_VERBS
                               or _FAN.match(w, 1) is not None or _FAN_TAILS.match(w) is not None
                               or rest[0] in vb.NARRATIVE_VERBS and not negated
                               or rest[0] in vb.PRAISE_VERBS and w[1] not in lx.MODALS and rest[1:2]
                               and rest[1] in lx.DEFINITE)  # "I love this photo", not "I'd love a hat"
    if vb.DESCRIBE_VERBS.isdisjoint(w) and vb.PAST_STORY.isdisjoint(w):
        return False
    np, end, det = noun_phrase(w, 0)
    if not np:
        return False
    if end < len(w) and w[end] in vb.PAST_STORY and head(np) in vb.PERSON_WORDS:  # "my friend took this photo"
        return True
    k = end
    while k < len(w) and w[k] in lx.HEDGE_ADVERBS:  # "the lamp kinda ruins the view"
        k += 1
    if k < len(w) and w[k] in _NP_LINKS:  # "the shadow on her face is ..."
        k = next((i for i in range(k, min(len(w), k + 7)) if w[i] in vb.DESCRIBE_VERBS), k)
    return k < len(w) and w[k] in vb.DESCRIBE_VERBS and (k + 1 >= len(w) or w[k + 1] not in ("to", "gone"))


_NOT_LISTED = lx.EDIT_VERBS | lx.GLOBAL_VERBS | lx.CAUSATIVE_VERBS | lx.BE | lx.MODALS | lx.PRONOUNS.keys() \
    | frozenset("there here i we you".split())


def _list_item(seg: list[str]) -> bool:
    """A segment that only continues a list of objects ('the bench and the bicycle', 'the bus yellow')."""
    w = seg[1:] if seg[:1] in (["and"], ["or"]) else seg
    if not w or w[0] in _NOT_LISTED or w[0] in lx.LOCATIVE_PREPS or w[0] in vb.SOCIAL_HEADS \
            or w[0] in _TRAILING or any(x in _NOT_LISTED and x not in ("and", "or") for x in w[1:]):
        return False
    _, end, det = noun_phrase(w, 0)
    return end > 0 and det != "pron"


def _join_lists(segs: list[list[str]]) -> list[list[str]]:
    """'remove the lamp, the chair and the rug': the listed objects rejoin the request ('... and ...')."""
    out: list[list[str]] = []
    for seg in segs:
        prev = out[-1] if out else None
        if prev is not None and _list_item(seg) and strip_polite(prev)[:1] and (
                strip_polite(prev)[0] in lx.EDIT_VERBS or strip_polite(prev)[0] in lx.GLOBAL_VERBS):
            out[-1] = prev + (seg if seg[0] == "and" else ["and"] + (seg[1:] if seg[0] == "or" else seg))
        else:
            out.append(seg)
    return out


_ASKS = Phrases(p.split() for p in vb.ASK_PHRASES)


def _split_request(seg: list[str]) -> list[list[str]]:
    """'I took this pic of my dog and I was wondering if you could add a hat': the ask starts a clause;
    'love this shot but the bin ruins it': after 'but' a statement or a request starts one."""
    if "and" not in seg and "so" not in seg and "but" not in seg:
        return [seg]
    subject_end = -1
    for k in range(2, len(seg) - 1):
        if seg[k - 1] == "and" and subject_end < 0:
            subject_end = noun_phrase(seg, 0)[1]
        if seg[k - 1] == "and" and subject_end >= k - 1:  # "my husband and I want ...": one subject
            continue
        if seg[k - 1] in ("and", "so", "but") and k < len(seg) - 2 and _ASKS.match(seg, k) or seg[k - 1] == "but" \
                and keep_subject(seg[k - 1:]) is None and (is_context(seg[k:]) or starts_verb(seg[k:])):
            return [seg[:k - 1], *_split_request(seg[k:])]
    return [seg]



def _plain_statement(w: list[str]) -> bool:
    """'this is my dog', 'the weather is nice today', 'the dog is so cute', 'I was at the beach yesterday':
    a statement that asks for nothing."""
    if any(x in ("too", "not", "but") for x in w):
        return False
    if w[0] in ("i", "we") and w[1:2] and w[1] in vb.PAST_STORY:  # a story about the picture
        return True
    if any(x in ("so", "very", "really") for x in w):
        return not vb.PRAISE.isdisjoint(w)  # "the dog is so cute", not "the sky is so dull"
    if w[0] in vb.CONTEXT_OPENERS and w[1:2] in (["is"], ["are"]) and w[2:3] and (
            w[2] in lx.DEFINITE or w[2] in lx.ARTICLES):
        return True
    return not vb.PRAISE.isdisjoint(w)


_TOPIC_TAIL = lx.LOCATIVE_PREPS | frozenset("with wearing by next near holding".split())


def _topic(w: list[str]) -> bool:
    """A definite noun phrase said on its own ('that guy in the red hoodie'), maybe with where it is."""
    if not w or w[0] not in lx.DEFINITE:
        return False
    np, end, det = noun_phrase(w, 0)
    if not np or det not in lx.DEFINITE:
        return False
    return end == len(w) or w[end] in _TOPIC_TAIL and _NOT_LISTED.isdisjoint(w[end:])


def _ordered(clauses: list[Clause]) -> list[Clause]:
    """'after removing the car, add a bench' -> remove, add; 'before adding a hat, remove the scarf' -> remove, add."""
    out = list(clauses)
    for k, c in enumerate(clauses):
        w = c.words
        if c.role == "request" and len(w) > 2 and w[0] in ("after", "before") and w[1].endswith("ing"):
            c.words = w[1:]
            if w[0] == "before" and k + 1 < len(clauses) and clauses[k + 1].role == "request":
                i = out.index(c)
                out[i], out[i + 1] = out[i + 1], out[i]
    return out


def classify(words: list[str]) -> list[Clause]:
    """The clauses of an instruction (tokenised words) with their roles, in order."""
    out: list[Clause] = []
    segs = segments(words)
    if len(segs) > 1:
        segs = _join_lists(segs)
    for seg in segs:
        for s in _split_request(seg):
            for part in _split_keep(s):
                out.extend(_classify_part(part))
    if len(out) > 1:
        out = _topics(out)
    if not any(c.role == "request" for c in out):  # nothing asks: the first statement is the request
        first = next((c for c in out if c.role == "context" and not _plain_statement(c.words)), None)
        if first is not None:
            first.role = "request"
    if "after" in words or "before" in words:
        out = _ordered(out)
    for c in out:
        if c.role == "not":  # takes back the last edit, unless another clause already does
            undone = any(o.undo for o in out)
            c.role, c.undo = ("social", 0) if undone or not any(o.role == "request" for o in out) else ("undo", 1)
    return merge_adjacent(out, _leading_locative)


def _topics(out: list[Clause]) -> list[Clause]:
    """Clauses that only name what the next one is about: 'no dog, a cat instead' (what is not wanted),
    'the lamp, gone' (one request), 'that guy in the red hoodie? get rid of him' (the topic)."""
    for c, nxt in zip(out, out[1:]):
        if c.role == "request" and c.words[:1] == ["no"] and 1 < len(c.words) <= 3 and "instead" in nxt.words \
                and _NOT_LISTED.isdisjoint(c.words[1:]):
            c.role, c.words = "context", ["i", "do", "not", "want", "the", *c.words[1:]]
    for k in range(len(out) - 2, -1, -1):
        c, nxt = out[k], out[k + 1]
        if c.role == "request" and nxt.role == "request" and nxt.words and lx.GONE_WORDS.issuperset(nxt.words) \
                and _topic(c.words):
            out[k:k + 2] = [Clause("request", c.words + nxt.words, c.raw + nxt.raw)]
    for c, nxt in zip(out, out[1:]):
        if c.role == "request" and nxt.role == "request" and _topic(c.words) \
                and not lx.PRONOUNS.keys().isdisjoint(nxt.words):
            c.role = "context"
    return out


_NOT_NOT = frozenset("enough so too much that quite bad really sure yet strong bright dark".split())  # "not enough"


def _classify_part(part: list[str]) -> list[Clause]:
    words = strip_polite(part)
    if not words or is_social(words) or part is not words and len(part) != len(words) and is_social(part):
        return [Clause("social", words, part)]
    n = undo_count(words)
    if n:
        return [Clause("undo", words, part, undo=n)]
    tries = min(5, len(words)) if words[0] in _UNDO_FIRST and (
        words[0] in ("no", "nope", "nah") or "and" in words[1:5] or "then" in words[1:5]) else 0
    for i in range(1, tries):  # "undo that and try a hat", "no make it an owl"
        n = undo_count(words[:i])
        if n and words[i] in ("and", "then") and i + 1 < len(words):
            return [Clause("undo", words[:i], part[:i], undo=n), *_classify_part(words[i + 1:])]
        if n and i == 1 and starts_verb(words[i:]):  # "no make it an owl"
            return [Clause("undo", words[:i], part[:i], undo=n), *_classify_part(words[i:])]
    if words[0] == "not" and 1 < len(words) <= 4 and _NOT_LISTED.isdisjoint(words[1:]) and words[1] not in _NOT_NOT \
            or words[0] == "wrong" and 1 < len(words) <= 3 and _NOT_LISTED.isdisjoint(words[1:]):
        return [Clause("not", words, part)]  # "not a scarf, a hat", "wrong animal, a cat": what is not wanted
    keep = keep_subject(words)
    if keep is not None and keep[:1] in (["anything"], ["everything"]):  # "don't change anything except the sky"
        k = next((i for i, x in enumerate(words) if x in ("except", "but", "apart", "besides")), -1)
        only = noun_phrase(words, k + 1 + (words[k] == "apart"))[0] if k > 0 else []
        return [Clause("context", ["the", *only], part)] if only else []  # only that object is edited
    if keep is not None:
        return [Clause("keep", words, part, keep=keep)]
    return [Clause("context" if is_context(words) else "request", words, part)]


def _leading_locative(prev: Clause, c: Clause) -> Clause | None:
    """'in the sky, add a moon' -> one request 'add a moon in the sky'."""
    if (prev.role == "request" and c.role == "request" and prev.words
            and (prev.words[0] in lx.LOCATIVE_PREPS or prev.words[0] == "where"  # "where the lamp is, put ..."
                 or prev.words[:2] == ["instead", "of"])):  # "instead of the clock, put a painting there"
        return Clause("request", c.words + prev.words, c.raw + prev.raw)
    return None


# --- compound requests -----------------------------------------------------------------------------
def split_then(w: list[str]) -> list[list[str]]:
    """Split at 'then' / 'and then' / 'after that' ...; leading 'first' is dropped."""
    if not _THEN.any_in(w):
        return [w[1:] if w[:1] and w[0] in vb.LEADING_ORDER and len(w) > 2 else w] if w else []
    parts, cur, i = [], [], 0
    while i < len(w):
        hit = _THEN.match(w, i)
        if hit == ("also",) and not starts_verb(w[i + 1:]):  # "remove the man also" / "... also make it brighter"
            hit = None
        if hit and (cur or i == 0):
            if cur:
                parts.append(cur)
            cur, i = [], i + len(hit)
            continue
        cur.append(w[i])
        i += 1
    parts.append(cur)
    out: list[list[str]] = []
    for p in parts:
        if not p:
            continue
        if p[:1] and p[0] in vb.LEADING_ORDER and len(p) > 2:
            p = p[1:]
        if out and _list_item(p) and out[-1][:1] and out[-1][0] in lx.EDIT_VERBS:  # "remove the bird and also the plane"
            out[-1] = out[-1] + ["and"] + p
        else:
            out.append(p)
    return out


def _verb_words(w: list[str]) -> int:
    """Number of leading words that form the verb ('swap out', 'take off', 'make')."""
    return 2 if len(w) > 2 and w[1] in ("out", "up", "off", "in", "down") else 1


_WANT = frozenset("want need would like prefer".split())
_PLACE_PREPS = lx.LOCATIVE_PREPS | {"to"}


def _gapped(left: list[str], right: list[str]) -> list[str] | None:
    """'make the car red' + 'the bus yellow' -> 'make the bus yellow' (the verb is shared); 'add a hat on the
    man' + 'sunglasses on the woman' (a bare noun, then a place, as on the left)."""
    if not right:
        return None
    if right[0] not in lx.DETERMINERS and right[0] not in lx.PRONOUNS:
        if left[0] not in lx.ADD_VERBS and left[0] not in lx.PLACE_VERBS or right[0] in lx.NP_STOPS \
                or right[0] in lx.EDIT_VERBS or is_adjective(right[0]):
            return None
        _, end2, _ = noun_phrase(right, 0)
        _, end1, _ = noun_phrase(left, 1)
        if not (end2 < len(right) and right[end2] in _PLACE_PREPS and end1 < len(left)
                and left[end1] in _PLACE_PREPS):  # "add snow to the roof and icicles to the gutter"
            return None
        return left[:1] + right
    j = _verb_words(left)
    if left[0] in ("i", "we") and len(left) > 3 and left[1] in _WANT:  # "I want the sky purple and the sea pink"
        j = next((k for k in range(2, min(len(left), 5)) if left[k] in lx.DETERMINERS), 0)
        if not j:
            return None
    elif left[0] not in _ANY_VERB:
        return None
    _, end1, _ = noun_phrase(left, j, split_adjectives=True, trailing_noun=False)
    np2, end2, _ = noun_phrase(right, 0, split_adjectives=True, trailing_noun=False)
    if end2 >= len(right) and len(np2) > 2 and not is_adjective(np2[0]) and is_adjective(np2[1]):
        end2 = 1  # "(make the cups white and) the table dark wood": a noun, then its new look
    if end1 >= len(left) or end2 >= len(right) or end1 == j:
        return None
    return left[:j] + right


def _coordinated_after(left: list[str], right: list[str]) -> list[str] | None:
    """'remove the cup from the table' + 'the plate' -> 'remove the cup and the plate from the table'."""
    if not right or right[0] not in lx.DETERMINERS or left[0] not in lx.EDIT_VERBS:
        return None
    j = _verb_words(left)
    _, end1, _ = noun_phrase(left, j, split_adjectives=True, trailing_noun=False)  # "make the grass greener"
    _, end2, _ = noun_phrase(right, 0)
    if end2 < len(right) or end1 >= len(left) or end1 == j or left[end1] in lx.DETERMINERS \
            or is_adjective(left[end1]) and len(noun_phrase(right, 0)[0]) > 1:  # "... white and the table dark wood"
        return None  # "give the man a hat" + "a cane": the object, not the receiver, is coordinated
    return left[:end1] + ["and"] + right + left[end1:]


def split_and(w: list[str], is_edit: Callable[[list[str]], bool], was_moved: bool = False) -> list[list[str]]:
    """Split a request at 'and' when a verb follows ('remove the dog and add a cat') or the verb is
    gapped ('paint the door red and the frames white'); each side must be an edit (`is_edit`)."""
    if "and" not in w[1:-1]:  # nothing to split at (the usual request)
        return [w]
    for i in range(1, len(w) - 1):
        if w[i] != "and" or (is_adjective(w[i - 1]) and is_adjective(w[i + 1])):
            continue
        left, right = w[:i], w[i + 1:]
        gapped = _gapped(left, right)
        if gapped is not None and is_edit(left) and is_edit(gapped):
            return [left, *split_and(gapped, is_edit)]
        if (starts_verb(right) or _subject_clause(right) and _subject_clause(left)) and is_edit(right):
            return [left, *split_and(right, is_edit)]  # "... and add a cat", "... and the dog should be awake"
        moved = None if was_moved else _coordinated_after(left, right)
        if moved is not None and is_edit(moved):  # "remove the people on the left and the bike"
            return split_and(moved, is_edit, was_moved=True)  # once: a moved phrase is not moved again
    return [w]


def _subject_clause(w: list[str]) -> bool:
    """'the dog should be awake', 'the sea needs to be green': a subject, then its modal or verb."""
    if not w or w[0] not in lx.DEFINITE:
        return False
    _, end, det = noun_phrase(w, 0)
    return det != "pron" and end < len(w) and (w[end] in lx.MODALS or w[end] in _NEEDS)


_NEEDS = frozenset("needs need has have".split())
_OTHER_VERBS = frozenset("blur try undo fill cover decorate surround adorn garnish dress top clean".split())


def starts_verb(w: list[str]) -> bool:
    x = w[0] if w else ""
    if x in ("please", "also", "then", "just"):
        x = w[1] if len(w) > 1 else ""
    return x in lx.EDIT_VERBS or x in lx.GLOBAL_VERBS or x in lx.CAUSATIVE_VERBS or x in lx.CHANGE_VERBS \
        or x in _OTHER_VERBS or (x.endswith("ing") and x[:-3] in lx.EDIT_VERBS)
