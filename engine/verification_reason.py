"""A person's rejection reason -> the same problem types the judges use (engine.verification).

Rules first (word patterns, checked in order: the first match decides); a reason the rules do not
recognise goes to the VLM when one is configured (`classify`'s `chat_model`), else it is
`off_instruction` with `matched=False` so the policy can say it cannot act on it.
`refined_target("not the cup, the saucer")` -> "saucer": the object the person meant.
"""
from __future__ import annotations

import re

from engine.verification import PROBLEMS, Verdict

_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("wrong_target", (r"wrong (one|object|thing|item|target|spot|place)", r"\bnot (that|this)( one)?\b",
                      r"\bnot the\b", r"\bi meant?\b", r"\bthe other (one|object)\b", r"\binstead of the\b",
                      r"\bdifferent (one|object)\b")),
    ("target_still_present", (r"still (there|here|visible|see|present|shows?|showing|in)", r"can still",
                              r"\bremains?\b", r"\bleft ?over\b", r"\bnot (removed|gone|erased)\b",
                              r"\btraces?\b", r"\bghost", r"\boutline", r"\bpart of (it|the)\b", r"\bshadow")),
    ("background_changed", (r"\bbackground (changed|moved|is different)", r"changed the (background|rest)",
                            r"\brest of the (image|photo|picture)\b", r"\boutside\b", r"\belsewhere\b",
                            r"\bother parts?\b", r"\btoo (much|big|large|wide)\b", r"\bbled\b", r"\bspill")),
    ("artifact", (r"\bsmudg", r"\bsmear", r"\bblur", r"\bfake\b", r"\bartifact", r"\bartefact", r"\bseams?\b",
                  r"\bpatch", r"\bunnatural", r"\bdistort", r"\bnois", r"\bmess", r"\bplastic", r"\bsmeared",
                  r"\bwarped\b", r"\bglitch", r"\bcheap\b", r"\bdoes ?n[o']t (blend|match)")),
    ("target_missing", (r"\bnothing (was )?added\b", r"\bnot added\b", r"\bmissing\b", r"\b(don'?t|do not|can'?t|"
                        r"cannot) see (it|the|any)\b", r"\bwhere is\b", r"\bdid ?n[o']t add\b",
                        r"\bno \w+ (was )?(added|there|visible)\b")),
    ("off_instruction", (r"\bnot what i (asked|wanted|said)\b", r"\bwrong colou?r\b", r"\bi asked\b",
                         r"\bshould (be|look)\b", r"\bnot (blue|red|green|yellow|black|white)\b", r"\bwrong style\b")),
]
_COMPILED = [(p, [re.compile(x) for x in pats]) for p, pats in _RULES]

_MEANT = [
    re.compile(r"\bnot the [\w\s-]+?,?\s+(?:but |it'?s |i meant |rather )?the (?P<t>[\w\s-]+)"),
    re.compile(r"\bi meant? the (?P<t>[\w\s-]+)"),
    re.compile(r"\b(?:remove|change|edit|erase) the (?P<t>[\w\s-]+?) instead\b"),
    re.compile(r"\bthe (?P<t>[\w\s-]+?),? not the\b"),
    re.compile(r"\bwrong (?:one|object)[,.;:!]?\s+(?:it'?s |i meant |use |take )?the (?P<t>[\w\s-]+)"),
]
_STOP = {"one", "please", "instead", "thing", "object", "there", "here"}


def rule_problem(reason: str) -> str | None:
    """The problem a reason names, by the word rules; None when no rule matches."""
    text = " ".join(reason.lower().split())
    for problem, patterns in _COMPILED:
        if any(p.search(text) for p in patterns):
            return problem
    return None


def refined_target(reason: str) -> str | None:
    """The object the person meant instead ('not the cup, the saucer' -> 'saucer'), at most 4 words."""
    text = " ".join(reason.lower().replace("\u2019", "'").split())
    for pattern in _MEANT:
        m = pattern.search(text)
        if m:
            words = [w for w in re.split(r"[\s]+", m.group("t").strip()) if w][:4]
            while words and words[-1] in _STOP:
                words.pop()
            if words:
                return " ".join(words)
    return None


def classify(reason: str, chat_model=None, instruction: str = "") -> tuple[Verdict, bool]:
    """(the person's verdict, whether its problem was recognised). Rules, then the VLM if given."""
    reason = (reason or "").strip() or "rejected by the user"
    problem = rule_problem(reason)
    if problem is None and chat_model is not None:
        from engine.verification_vlm import classify_reason

        problem = classify_reason(chat_model, reason, instruction)
    matched = problem is not None and problem in PROBLEMS and problem != "none"
    verdict = Verdict(ok=False, problem=problem if matched else "off_instruction", reason=reason, by="person",
                      score=0.0)
    return verdict, matched
