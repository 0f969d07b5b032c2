"""Find and repair the JSON object in a language model's answer.

Repairs only what cannot change the meaning: prose and code fences around the object, trailing
commas, Python literals (True/False/None), single-quoted strings when the text has no double quotes,
unquoted keys, and truncation (open strings and brackets are closed; a dangling member is dropped).
Anything else raises `JSONRepairError`.
"""
from __future__ import annotations

import json
import re

_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_UNQUOTED_KEY = re.compile(r'([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*:)')
_PY_LITERALS = tuple((re.compile(rf"\b{py}\b"), js) for py, js in (("True", "true"), ("False", "false"), ("None", "null")))
_MAX_STARTS = 20


class JSONRepairError(ValueError):
    """No JSON object could be found or safely repaired in the text."""


def _scan(text: str, start: int) -> tuple[int | None, list[str], bool]:
    """From text[start] == '{': (end index after the matching '}' or None, open-bracket stack, in_string)."""
    stack: list[str] = []
    in_str, esc = False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack or stack.pop() != ch:
                return None, [], False  # mismatched bracket: not a JSON object here
            if not stack:
                return i + 1, [], False
    return None, stack, in_str


def _normalise(text: str) -> str:
    """Textual fixes that keep the meaning."""
    if '"' not in text and "'" in text:
        text = text.replace("'", '"')
    for pattern, value in _PY_LITERALS:
        text = _outside_strings(text, pattern, value)
    text = _UNQUOTED_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2)}"{m.group(3)}', text)
    return _TRAILING_COMMA.sub(r"\1", text)


def _outside_strings(text: str, pattern: re.Pattern, value: str) -> str:
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text)
    return "".join(p if i % 2 else pattern.sub(value, p) for i, p in enumerate(parts))


def _loads_object(candidate: str) -> dict | None:
    for text in (candidate, _normalise(candidate)):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _close(fragment: str, stack: list[str], in_str: bool) -> str:
    text = fragment + ('"' if in_str else "")
    text = text.rstrip()
    if text.endswith(":"):
        text += " null"
    text = text.rstrip(",")
    return text + "".join(reversed(stack))


def _repair_truncated(text: str, start: int) -> dict | None:
    """Close a cut-off object; if that fails, drop trailing members one comma at a time."""
    fragment = _normalise(text[start:])
    for _ in range(_MAX_STARTS):
        _, stack, in_str = _scan(fragment, 0)
        if stack:
            value = _loads_object(_close(fragment, stack, in_str))
            if value is not None:
                return value
        cut = fragment.rfind(",")
        if cut <= 0:
            return None
        fragment = fragment[:cut]
    return None


def _candidates(text: str) -> list[str]:
    fenced = [m.group(1) for m in _FENCE.finditer(text)]
    return fenced + [text] if fenced else [text]


def extract_json_object(text: str) -> dict:
    """The first JSON object in `text` (repaired if needed). Raises JSONRepairError."""
    for candidate in _candidates(text):
        starts = [i for i, ch in enumerate(candidate) if ch == "{"][:_MAX_STARTS]
        truncated_at = None
        for start in starts:
            end, stack, _ = _scan(candidate, start)
            if end is not None:
                value = _loads_object(candidate[start:end])
                if value is not None:
                    return value
            elif stack and truncated_at is None:
                truncated_at = start
        if truncated_at is not None:
            value = _repair_truncated(candidate, truncated_at)
            if value is not None:
                return value
    if "{" not in text:
        raise JSONRepairError("the answer contains no JSON object (no '{')")
    raise JSONRepairError("the JSON object in the answer is malformed and could not be repaired")
