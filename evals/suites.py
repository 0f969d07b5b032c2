"""Which suite `brushedit eval SUITE_OR_FILE` runs: a registered name, or a file / folder by its index.

Two kinds of suite:
- `cases`: a function `(**options) -> list[CaseSpec]`; the runner executes the cases through the
  Session API (resumable, scored, pictured in report.html);
- `run`: a function `run(settings, out_dir, ...) -> dict` that does its own work and returns a
  JSON-ready report (optional keys: `summary` {name: number}, `rows` [dict], `text` str); it is
  called with whichever of `settings`, `out_dir`, `cases`, `seed`, `progress` it accepts.
A helper registers a suite with one line in SUITES below.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

from engine.errors import BrushEditError

CASES_DIR = Path(__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class Suite:
    name: str
    target: str  # "module:function"
    kind: str  # cases | run
    help: str

    def load(self):
        module, _, func = self.target.partition(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            raise BrushEditError(f"Suite '{self.name}' needs {module.replace('.', '/')}.py, which this checkout "
                                 "does not have yet.", fix=f"Run one of: {', '.join(available())}.") from exc
        return getattr(mod, func)


SUITES: dict[str, Suite] = {s.name: s for s in (
    Suite("bundled", "evals.bundled:cases", "cases", "37 offline cases on scikit-image photos, with ground truth"),
    Suite("edit", "evals.edit_suite:cases", "cases", "evals/cases/edit_offline.jsonl (coffee photo sessions)"),
    Suite("planner", "evals.suites:run_planner", "run", "planner category/target accuracy (planner_dev.jsonl)"),
    Suite("removal", "evals.removal_suite:run", "run", "removal benchmark: box+Telea vs segmenter vs inpainter"),
    Suite("conversation", "evals.conversation_suite:run", "run", "multi-turn planning with references"),
)}


def available() -> list[str]:
    return list(SUITES)


def run_planner(settings, cases: str | None = None) -> dict:
    from engine.backends import make_planner
    from evals.planner_suite import load_cases, run_planner_suite

    path = Path(cases) if cases else CASES_DIR / "planner_dev.jsonl"
    from evals.planner_suite import format_summary

    report = run_planner_suite(make_planner(settings), load_cases(path))
    report["cases_file"] = str(path)
    report["summary"] = {k: report[k] for k in ("n", "category_accuracy", "target_accuracy", "instructions_per_second")}
    report["text"] = format_summary(report)
    return report


def detect(target: str, fmt: str | None = None) -> tuple[str, str]:
    """(kind, what): kind in suite | pie-bench | magicbrush | jsonl | planner-jsonl."""
    if fmt is not None:
        if fmt not in ("pie-bench", "magicbrush"):
            raise BrushEditError(f"--format must be pie-bench or magicbrush, got '{fmt}'.")
        return fmt, target
    path = Path(target)
    if not path.exists():
        if target in SUITES:
            return "suite", target
        raise BrushEditError(f"'{target}' is neither a suite nor an existing file or folder.",
                             fix=f"Use a suite ({', '.join(available())}), a .jsonl case file, or a PIE-Bench / "
                                 "MagicBrush folder.")
    from evals import magicbrush, pie_bench

    for index, kind in ((pie_bench.INDEX, "pie-bench"), (magicbrush.INDEX, "magicbrush")):
        if path.name == index or (path.is_dir() and (path / index).is_file()):
            return kind, target
    if path.is_file() and path.suffix == ".jsonl":
        first = next((ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()), "{}")
        try:
            keys = set(json.loads(first))
        except json.JSONDecodeError:
            keys = set()
        return ("planner-jsonl" if "image" not in keys and "category" in keys else "jsonl"), target
    raise BrushEditError(f"Cannot tell what '{target}' is.",
                         fix="Give a .jsonl case file, a folder with mapping_file.json (PIE-Bench) or "
                             "edit_sessions.json (MagicBrush), or force one with --format.")
