"""`brushedit eval SUITE_OR_FILE --out DIR`: run an eval suite, a case file or a benchmark folder.

Writes DIR/report.json and DIR/report.html; re-running with the same DIR resumes. The work is
done by evals.runner (also reachable as `python -m evals.runner`); this is only the CLI surface.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from app.cli import command
from app.options import ConfigFile, PlannerOpt, Profile


@command("eval")
def eval_command(
    target: Annotated[str, typer.Argument(metavar="SUITE_OR_FILE", help="bundled | edit | planner | removal | "
                                          "conversation, a .jsonl case file, or a PIE-Bench / MagicBrush folder")],
    out: Annotated[Path, typer.Option("--out", help="Run folder: report.json, report.html, per-case results.")],
    profile: Profile = None,
    planner: PlannerOpt = None,
    candidates: Annotated[Optional[int], typer.Option("--candidates", min=1, help="Results per attempt.")] = None,
    verify: Annotated[Optional[str], typer.Option("--verify", help="Judges, comma-separated (setting `verify`).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="pie-bench | magicbrush (default: by index file)")] = None,
    mask_provided: Annotated[bool, typer.Option("--mask-provided", help="The data set's mask is the user's mask.")] = False,
    independent_turns: Annotated[bool, typer.Option("--independent-turns",
                                                    help="MagicBrush: each turn from its ground-truth input.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every edit (and of every RNG per case).")] = 0,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Run the first N cases only.")] = None,
    only: Annotated[Optional[str], typer.Option("--only", help="Case ids to run: glob patterns, comma-separated.")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="Discard earlier results in --out.")] = False,
    cases: Annotated[Optional[str], typer.Option("--cases", help="Cases file of the planner suite.")] = None,
    clip_model: Annotated[Optional[str], typer.Option("--clip-model", help="CLIP for PIE-Bench / captions.")] = None,
    clip_i_model: Annotated[Optional[str], typer.Option("--clip-i-model", help="CLIP for MagicBrush.")] = None,
    dino_model: Annotated[Optional[str], typer.Option("--dino-model", help="DINO ViT for MagicBrush.")] = None,
    lpips_weights: Annotated[Optional[Path], typer.Option("--lpips-weights", help="squeezenet1_1 .pth file.")] = None,
    config: ConfigFile = None,
):
    """Run an eval and write DIR/report.json + DIR/report.html (resumable)."""
    from evals.report import text_summary
    from evals.runner import EvalOptions, out_dirs, run_eval

    opts = EvalOptions(target=target, out=out, profile=profile, planner=planner, candidates=candidates,
                       verify=verify, config=config, seed=seed, fmt=fmt, mask_provided=mask_provided,
                       independent_turns=independent_turns, limit=limit, only=only, restart=restart, cases=cases,
                       clip_model=clip_model, clip_i_model=clip_i_model, dino_model=dino_model,
                       lpips_weights=lpips_weights)
    report = run_eval(opts)
    typer.echo(text_summary(report))
    typer.echo(f"report: {out_dirs(opts)[0] / 'report.html'}")
