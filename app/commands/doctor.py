"""`brushedit doctor [--salvage SESSION --to DIR]`: check a data dir; copy a session's intact part out.

Exit code 0 when everything verifies, 1 when something is broken (each problem on its own line,
then the salvage command for every damaged session).
"""
from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.options import ConfigFile, DataDir, load_settings, printable
from engine.errors import BrushEditError


def _salvage(settings, session: str, to: Path, as_json: bool) -> None:
    from agent.salvage import salvage

    r = salvage(settings, session, to)
    if as_json:
        typer.echo(r.model_dump_json(indent=2))
        return
    typer.echo(f"salvaged session '{r.session}' into {r.to}: {len(r.kept)} version(s) ({', '.join(r.kept)}), "
               f"head {r.head}")
    for vid, why in r.dropped.items():
        typer.echo(f"  left out {vid}: {printable(why)}")
    for note in r.notes:
        typer.echo(f"  note: {printable(note)}")
    typer.echo(f"use it: {shlex.join(['brushedit', 'history', '-s', r.session, '--data-dir', str(r.to)])}")


def doctor_command(
    salvage: Annotated[Optional[str], typer.Option("--salvage",
                                                   help="Copy this session's intact versions out (with --to).")] = None,
    to: Annotated[Optional[Path], typer.Option("--to", help="New, empty data dir for --salvage.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Check every version's files (sha256 against its id) and the databases; say what is broken."""
    if (salvage is None) != (to is None):
        raise BrushEditError("--salvage SESSION and --to DIR go together.",
                             fix="brushedit doctor --salvage SESSION --to NEW_DIR")
    settings = load_settings(data_dir, config)
    if salvage is not None:
        _salvage(settings, salvage, to, as_json)
        return
    from agent.doctor import examine

    report = examine(settings)
    if settings.uses_postgres and not report.problems:  # the queue the API processes hand edits to
        from app.jobs_pg import check_queue

        queue = check_queue(settings)
        for p in queue:
            report.add(False, "queue", p)
        if not queue:
            report.add(True, "queue", "the job tables are set up and a worker is running")
    if as_json:
        typer.echo(json.dumps({**report.model_dump(), "problems": len(report.problems)}, indent=2))
    else:
        typer.echo(f"{'store' if settings.uses_postgres else 'data dir'}: {report.data_dir}")
        for f in report.findings:
            typer.echo(f"  {'ok' if f.ok else 'BROKEN':<6} {printable(f.where)}: {printable(f.what)}")
        home = ["--data-dir", str(settings.data_dir)]
        for name in report.damaged_sessions if not settings.uses_postgres else []:  # salvage reads SQLite files
            typer.echo(f"copy the intact part of '{name}' out: "
                       f"{shlex.join(['brushedit', 'doctor', *home, '--salvage', name, '--to', f'{name}-salvaged'])}")
        for name in report.damaged_sessions if settings.uses_postgres else []:
            typer.echo(f"session '{name}' names files that do not verify: restore {settings.images_dir} from a backup "
                       "(--salvage copies SQLite data dirs only)")
        typer.echo(f"{len(report.problems)} problem(s) found." if report.problems else "everything verifies.")
    if report.problems:
        raise typer.Exit(1)
