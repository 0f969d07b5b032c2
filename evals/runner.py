"""Eval runner: `python -m evals.runner planner --cases FILE [--planner rules] [--out report.json]`
(also `edit` and `removal`).

Prints a readable summary and writes the full report as JSON. The planner is built by
engine.backends.make_planner from Settings.load(planner=...), so any backend plugs in.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.errors import BrushEditError

DEFAULT_CASES = Path(__file__).resolve().parent / "cases" / "planner_dev.jsonl"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m evals.runner", description="Run an eval suite and report.")
    sub = ap.add_subparsers(dest="suite", required=True)
    p = sub.add_parser("planner", help="category/target accuracy of a planner on JSONL cases")
    p.add_argument("--cases", default=str(DEFAULT_CASES), help="JSONL file of {instruction, category, target}")
    p.add_argument("--planner", default="rules", choices=["rules", "openai", "transformers"])
    p.add_argument("--config", default=None, help="config TOML (default: $BRUSHEDIT_HOME/config.toml)")
    p.add_argument("--out", default=None, help="where to write the JSON report")
    p.add_argument("--max-failures", type=int, default=40, help="failures listed in the summary")
    e = sub.add_parser("edit", help="whole multi-turn sessions through the Session API")
    e.add_argument("--cases", default=str(DEFAULT_CASES.parent / "edit_offline.jsonl"))
    e.add_argument("--profile", default=None, choices=["lite", "full"])
    e.add_argument("--planner", default=None, choices=["rules", "openai", "transformers"])
    e.add_argument("--verify", default=None, choices=["none", "detector", "vlm"])
    e.add_argument("--config", default=None)
    e.add_argument("--out", default=None)
    r = sub.add_parser("removal", help="removal with ground truth on synthetic cases (evals/removal_suite.py)")
    r.add_argument("--n", type=int, default=30)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", default=None)
    return ap


def run_removal(args: argparse.Namespace) -> dict:
    from evals.removal_suite import run

    return run(n=args.n, seed=args.seed, out=args.out)


def run_edit(args: argparse.Namespace) -> dict:
    from evals.edit_suite import default_factory, dump, format_edit_summary, load_edit_cases, run_edit_suite

    overrides = {k: v for k, v in {"profile": args.profile, "planner": args.planner, "verify": args.verify,
                                   "config_file": args.config}.items() if v}
    report = run_edit_suite(load_edit_cases(args.cases), default_factory(overrides))
    print(format_edit_summary(report))
    if args.out:
        dump(report, args.out)
    return report


def run_planner(args: argparse.Namespace) -> dict:
    from engine.backends import make_planner
    from engine.settings import Settings
    from evals.planner_suite import format_summary, load_cases, run_planner_suite

    cases = load_cases(args.cases)
    planner = make_planner(Settings.load(config_file=args.config, planner=args.planner))
    report = run_planner_suite(planner, cases)
    report["cases_file"] = str(args.cases)
    print(format_summary(report, max_failures=args.max_failures))
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nreport written to {out}")
    return report


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        {"edit": run_edit, "removal": run_removal}.get(args.suite, run_planner)(args)
    except BrushEditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
