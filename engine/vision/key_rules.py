"""Regex rules that rename a state dict: one original key -> one or more target keys.

A rule matches the original key with a regex and either renames it, splits a fused q/k/v
tensor into three along dim 0, or copies it to several target keys (tied weights).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Literal, Union

Replacement = Union[str, Callable[[re.Match], str]]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    targets: tuple[Replacement, ...]
    op: Literal["rename", "split", "copy"] = "rename"


def rename(pattern: str, target: Replacement) -> Rule:
    return Rule(re.compile(pattern), (target,))


def split3(pattern: str, targets: list[Replacement]) -> Rule:
    """A fused [q; k; v] tensor (rows stacked) -> three target keys."""
    return Rule(re.compile(pattern), tuple(targets), "split")


def copy(pattern: str, targets: list[Replacement]) -> Rule:
    return Rule(re.compile(pattern), tuple(targets), "copy")


@dataclass
class Renamed:
    state_dict: dict = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # original keys deliberately ignored
    unmatched: list[str] = field(default_factory=list)  # original keys no rule knows


def _target(match: re.Match, rule_target: Replacement, key: str) -> str:
    if callable(rule_target):
        return rule_target(match) + key[match.end():]
    return match.expand(rule_target) + key[match.end():]


def apply_rules(original: dict, rules: list[Rule], drop: list[str]) -> Renamed:
    """Apply the first matching rule to every key; the unmatched part of the key is kept as suffix."""
    out = Renamed()
    drops = [re.compile(p) for p in drop]
    for key, tensor in original.items():
        if any(p.search(key) for p in drops):
            out.dropped.append(key)
            continue
        for rule in rules:
            match = rule.pattern.match(key)
            if match is None:
                continue
            names = [_target(match, t, key) for t in rule.targets]
            if rule.op == "split":
                if tensor.shape[0] % 3:
                    out.unmatched.append(key)
                    break
                for name, part in zip(names, tensor.chunk(3, dim=0)):
                    out.state_dict[name] = part.clone()
            else:
                for name in names:
                    out.state_dict[name] = tensor
            break
        else:
            out.unmatched.append(key)
    return out
