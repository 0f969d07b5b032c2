"""The edit suite: whole multi-turn sessions on the bundled coffee photo (evals/cases/edit_offline.jsonl),
run through the Session API and scored per turn like every other case file (evals/execute.py).

    python -m evals.runner edit --out DIR          brushedit eval edit --out DIR
    python -m evals.runner edit --cases FILE.jsonl (any case file in the same format)
"""
from __future__ import annotations

from pathlib import Path

from evals.cases import CaseSpec, load_jsonl

CASES = Path(__file__).resolve().parent / "cases" / "edit_offline.jsonl"


def cases(path: str | Path | None = None) -> list[CaseSpec]:
    return load_jsonl(path or CASES)
