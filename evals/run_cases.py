"""The case loop: resume, progress bar (cases done, ETA), one result file per finished case."""
from __future__ import annotations

from pathlib import Path

from evals.cases import CaseSpec
from evals.results import RunDir, clean


def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("cases ·"), TimeElapsedColumn(), TextColumn("· ETA"), TimeRemainingColumn(),
                    TextColumn("{task.fields[case]}"), console=Console(stderr=True), disable=not enabled)


def _context(settings, out: Path, models, protocol: str):
    from engine.backends import make_planner
    from evals.execute import CountingPlanner, RunContext, counting_backends

    planner = CountingPlanner(make_planner(settings))
    backends = counting_backends(settings, planner)
    return RunContext(settings=settings, backends=backends, out_dir=out, planner=planner, models=models,
                      protocol=protocol, vlm=settings.backend("planner") in ("openai", "transformers"))


def identity(opts, settings, protocol: str, models) -> dict:
    from evals.environment import git_revision, redacted_settings

    target = opts.target if not Path(opts.target).exists() else str(Path(opts.target).resolve())
    return {"target": target, "protocol": protocol, "mask_provided": opts.mask_provided,
            "independent_turns": opts.independent_turns, "seed": opts.seed,
            "settings": redacted_settings(settings), "metric_models": models.refs,
            "code": git_revision(Path(__file__).resolve().parents[1]).get("commit")}


def run_cases(cases: list[CaseSpec], opts, settings, protocol: str, out: Path, models, name: str = "eval") -> dict:
    """Run (or resume) `cases`; returns the report's case-derived parts."""
    from evals.execute import run_case, slug
    from evals.summary import summarize

    skipped = [{"id": c.id, "reason": f"only for profile {', '.join(c.profiles)}"}
               for c in cases if c.profiles and settings.profile not in c.profiles]
    todo = [c for c in cases if not c.profiles or settings.profile in c.profiles]
    if opts.only:
        from fnmatch import fnmatchcase

        patterns = [p.strip() for p in opts.only.split(",") if p.strip()]
        todo = [c for c in todo if any(fnmatchcase(c.id, p) for p in patterns)]
    if opts.limit is not None:
        todo = todo[: opts.limit]
    store = RunDir(out, identity(opts, settings, protocol, models), restart=opts.restart)
    ctx = _context(settings, out, models, protocol)
    records, resumed = [], 0
    with _progress(opts.progress) as bar:
        task = bar.add_task(name, total=len(todo), case="")
        for case in todo:
            bar.update(task, case=case.id[:40])
            record = store.finished(slug(case.id), case.fingerprint())
            if record is None:
                record = clean(run_case(case, ctx, opts.seed))
                store.save(record)
            else:
                resumed += 1
            records.append(record)
            bar.advance(task)
    return {"summary": summarize(records, protocol), "metric_models": store.model_status(models.status()),
            "skipped": skipped, "resumed": resumed, "cases": records}
