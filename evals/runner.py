"""Run an eval and write DIR/report.json + DIR/report.html.

    brushedit eval SUITE_OR_FILE --out DIR [--profile ...] [--planner ...] [--candidates N] [--verify ...]
                   [--format pie-bench|magicbrush] [--mask-provided] [--seed N] [--limit N] [--restart]
    python -m evals.runner SUITE_OR_FILE --out DIR ...        (the same, without the CLI package)
    python -m evals.runner planner --cases FILE --out report.json   (the older forms still work)

SUITE_OR_FILE is a registered suite (evals/suites.py), a JSONL case file, or a PIE-Bench /
MagicBrush folder recognised by its index file. Cases run through the Session API one after the
other; each finished case is stored at once, so re-running with the same DIR resumes.
"""
from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

from pydantic import BaseModel

from engine.errors import BrushEditError

DEFAULT_CASES = Path(__file__).resolve().parent / "cases" / "planner_dev.jsonl"  # the planner suite's default


class EvalOptions(BaseModel):
    target: str
    out: Path
    profile: str | None = None
    planner: str | None = None
    candidates: int | None = None
    verify: str | None = None
    config: Path | None = None
    seed: int = 0
    fmt: str | None = None
    mask_provided: bool = False
    independent_turns: bool = False
    limit: int | None = None
    only: str | None = None  # comma-separated glob patterns of case ids
    restart: bool = False
    cases: str | None = None  # the planner suite's cases file (legacy --cases)
    clip_model: str | None = None
    clip_i_model: str | None = None
    dino_model: str | None = None
    lpips_weights: Path | None = None
    progress: bool = True


def settings_for(opts: EvalOptions):
    """Settings.load with the eval's overrides; an option whose setting this checkout lacks is an error."""
    from engine.settings import Settings

    overrides = {"profile": opts.profile, "planner": opts.planner, "verify": opts.verify, "seed": opts.seed}
    if opts.candidates is not None:
        if "candidates" not in Settings.model_fields:
            raise BrushEditError("--candidates needs the `candidates` setting (results per attempt), which this "
                                 "checkout's engine/settings.py does not have.",
                                 fix="Merge the self-correction work first, or run without --candidates.")
        overrides["candidates"] = opts.candidates
    return Settings.load(opts.config, **overrides)


def out_dirs(opts: EvalOptions) -> tuple[Path, Path | None]:
    """(run dir, extra JSON path): `--out x.json` (the older form) keeps the run in the folder `x/`."""
    if opts.out.suffix == ".json":
        return opts.out.with_suffix(""), opts.out
    return opts.out, None


def _models(opts: EvalOptions, settings):
    from evals.eval_models import EvalModels

    return EvalModels(clip=opts.clip_model, clip_i=opts.clip_i_model, dino=opts.dino_model,
                      lpips_weights=opts.lpips_weights, device=settings.device)


def resolve(opts: EvalOptions):
    """(name, protocol, kind, payload): payload = list of cases, or the run-suite's function."""
    from evals import magicbrush, pie_bench, suites
    from evals.cases import load_jsonl

    kind, what = suites.detect(opts.target, opts.fmt)
    if kind == "pie-bench":
        return "pie-bench", "pie-bench", "cases", pie_bench.load(what, mask_provided=opts.mask_provided)
    if kind == "magicbrush":
        return "magicbrush", "magicbrush", "cases", magicbrush.load(
            what, mask_provided=opts.mask_provided, independent=opts.independent_turns)
    if kind == "jsonl":
        return Path(what).stem, "cases", "cases", load_jsonl(what)
    if kind == "planner-jsonl":
        return "planner", "planner", "run", (suites.SUITES["planner"].load(), what)
    suite = suites.SUITES[what]
    if suite.kind == "cases":
        fn = suite.load()
        params = inspect.signature(fn).parameters
        return what, "cases", "cases", fn(**({"seed": opts.seed} if "seed" in params else {}))
    return what, what, "run", (suite.load(), opts.cases)


def _meta(opts, settings, name, protocol) -> dict:
    from evals.environment import NONDETERMINISTIC, environment, prompt_hashes, redacted_settings

    return {"schema": "brushedit-eval/1", "suite": name, "source": opts.target, "protocol": protocol,
            "options": opts.model_dump(mode="json", exclude={"progress"}), "settings": redacted_settings(settings),
            "agent_models": {k: settings.backend(k) for k in ("planner", "detector", "segmenter", "inpainter")},
            "prompts": prompt_hashes(), "environment": environment(), "nondeterministic": NONDETERMINISTIC}


def _call(fn, settings, **available):
    """Call a run-suite with the arguments it names: settings, planner (built from the settings),
    out_dir, cases, seed, progress. Its module's format_summary(report), if any, gives the text."""
    params = inspect.signature(fn).parameters
    if "planner" in params:
        from engine.backends import make_planner

        available["planner"] = make_planner(settings)
    available["settings"] = settings
    wanted = {k: v for k, v in available.items() if k in params and (v is not None or k != "cases")}
    report = fn(**wanted)
    fmt = getattr(sys.modules.get(fn.__module__), "format_summary", None)
    if isinstance(report, dict) and "text" not in report and callable(fmt):
        report["text"] = fmt(report)
    return report


def run_eval(opts: EvalOptions) -> dict:
    """Run the eval described by `opts`; returns the report (also written to the run dir)."""
    from evals import report as reporting

    settings = settings_for(opts)
    name, protocol, kind, payload = resolve(opts)
    out, json_path = out_dirs(opts)
    out.mkdir(parents=True, exist_ok=True)
    t0, created = time.perf_counter(), time.strftime("%Y-%m-%d %H:%M:%S %z")
    rep = _meta(opts, settings, name, protocol)
    if kind == "run":
        fn, cases = payload
        rep["suite_report"] = _call(fn, settings, out_dir=out, cases=cases, seed=opts.seed, progress=opts.progress)
    else:
        from evals.run_cases import run_cases

        rep.update(run_cases(payload, opts, settings, protocol, out, _models(opts, settings), name))
    rep["run"] = {"created": created, "seconds_total": time.perf_counter() - t0, "resumed_cases": rep.pop("resumed", 0)}
    reporting.write(out, rep, json_path)
    return rep


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m evals.runner", description="Run an eval suite and write reports.")
    ap.add_argument("target", help="suite name (bundled, edit, planner, removal, conversation), .jsonl, or a folder")
    ap.add_argument("--out", default=None, help="run folder (default eval-<suite>); a .json path keeps the old form")
    ap.add_argument("--cases", default=None, help="cases file (planner and edit suites, older form)")
    for flag in ("--profile", "--planner", "--verify", "--format", "--clip-model", "--clip-i-model",
                 "--dino-model", "--lpips-weights", "--config"):
        ap.add_argument(flag, default=None)
    ap.add_argument("--candidates", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--only", default=None, help="comma-separated glob patterns of case ids")
    for flag in ("--mask-provided", "--independent-turns", "--restart", "--no-progress"):
        ap.add_argument(flag, action="store_true")
    ap.add_argument("--max-failures", type=int, default=40, help=argparse.SUPPRESS)
    return ap


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    target = a.cases if (a.target == "edit" and a.cases) else a.target
    opts = EvalOptions(target=target, out=Path(a.out or f"eval-{Path(a.target).stem}"), profile=a.profile,
                       planner=a.planner, candidates=a.candidates, verify=a.verify, config=a.config, seed=a.seed,
                       fmt=a.format, mask_provided=a.mask_provided, independent_turns=a.independent_turns,
                       limit=a.limit, only=a.only, restart=a.restart, cases=a.cases, clip_model=a.clip_model,
                       clip_i_model=a.clip_i_model, dino_model=a.dino_model, lpips_weights=a.lpips_weights,
                       progress=not a.no_progress)
    try:
        from evals.report import text_summary

        rep = run_eval(opts)
    except BrushEditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text_summary(rep))
    print(f"report: {out_dirs(opts)[0] / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
