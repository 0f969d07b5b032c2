"""`brushedit` command line. Heavy libraries are imported inside the commands that need them."""
from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.options import (BoxOpt, ConfigFile, DataDir, DetectorOpt, InpainterOpt, MaskOpt, ModeOpt, PlannerOpt,
                         Profile, SegmenterOpt, SessionOpt, StoreOpt, load_settings, parse_box)
from engine.errors import BrushEditError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="BrushEdit agent: edit photos by instruction, with undo/redo/branch history.")


def _fail(exc: BrushEditError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


def command(name: str | None = None, on: typer.Typer | None = None):
    """Register a command (on `app`, or the sub-app `on`); BrushEditError -> one-line message on stderr and exit 1."""

    def deco(fn):
        @wraps(fn)
        def wrapper(*a, **kw):
            try:
                return fn(*a, **kw)
            except BrushEditError as exc:
                _fail(exc)

        return (on or app).command(name)(wrapper)

    return deco


def _session(name: str, data_dir, config, **kw):
    from agent.session import Session

    return Session.open(name, load_settings(data_dir, config, **kw))


def _print_version(v) -> None:
    typer.echo(f"head: {v.id}" + (f"  ({v.instruction})" if v.instruction else "  (original)"))


@command("new")
def new_cmd(image: Path, session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None,
            store: StoreOpt = None):
    """Start a session from IMAGE (version v0)."""
    from agent.session import Session

    s = Session.new(session, image, load_settings(data_dir, config, store=store))
    h = s.head
    typer.echo(f"session '{session}' created: {h.id} = {image} ({h.source_size[0]}x{h.source_size[1]})")


@command("edit")
def edit_cmd(args: Annotated[list[str], typer.Argument(help='"INSTRUCTION" with --session, or IMAGE "INSTRUCTION" --out')],
             session: Annotated[Optional[str], typer.Option("--session", "-s")] = None,
             out: Annotated[Optional[Path], typer.Option("--out", help="one-shot: where to write the result")] = None,
             box: BoxOpt = None, mask: MaskOpt = None,
             combine: Annotated[str, typer.Option(help="override | union | subtract (user mask with found mask)")] = "override",
             seed: Annotated[Optional[int], typer.Option()] = None,
             review: Annotated[bool, typer.Option("--review", help="stop for accept/reject")] = False,
             verify: Annotated[Optional[str], typer.Option(
                 "--verify", help="judges in order: none | preservation,quality,detector,vlm")] = None,
             candidates: Annotated[Optional[int], typer.Option(
                 "--candidates", min=1, max=8, help="results per attempt (one batched call on BrushNet)")] = None,
             data_dir: DataDir = None, config: ConfigFile = None, profile: Profile = None, planner: PlannerOpt = None,
             mode: ModeOpt = None, inpainter: InpainterOpt = None, detector: DetectorOpt = None,
             segmenter: SegmenterOpt = None, store: StoreOpt = None):
    """Edit the session's head version (or one image, one-shot) by instruction."""
    from app.edit import run_edit

    run_edit(args, session=session, out=out, box=parse_box(box), mask=mask, combine=combine, seed=seed,
             review=review, settings=lambda data_dir=data_dir: load_settings(
                 data_dir, config, profile, planner, mode, inpainter, detector, segmenter, verify=verify,
                 candidates=candidates, store=store))


@command("accept")
def accept_cmd(session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Accept the edit waiting for review."""
    from app.edit import report_outcome

    report_outcome(_session(session, data_dir, config, store=store).accept(), session)


@command("reject")
def reject_cmd(session: SessionOpt, reason: Annotated[str, typer.Option("--reason")] = "",
               data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Reject the edit waiting for review; the agent re-plans from what REASON says is wrong."""
    from app.edit import report_outcome

    report_outcome(_session(session, data_dir, config, store=store).reject(reason), session)


@command("undo")
def undo_cmd(session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Move head to its parent version."""
    _print_version(_session(session, data_dir, config, store=store).undo())


@command("redo")
def redo_cmd(session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Move head forward again after an undo."""
    _print_version(_session(session, data_dir, config, store=store).redo())


@command("checkout")
def checkout_cmd(version: str, session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None,
                 store: StoreOpt = None):
    """Move head to VERSION; the next edit starts a branch from it."""
    _print_version(_session(session, data_dir, config, store=store).checkout(version))


@command("history")
def history_cmd(session: SessionOpt, as_json: Annotated[bool, typer.Option("--json")] = False,
                data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """List the versions of a session (parent, instruction, category, head)."""
    s = _session(session, data_dir, config, store=store)
    data = s.history_json()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for v in data["versions"]:
        mark = "*" if v["is_head"] else " "
        what = v["instruction"] or "(original)"
        ops = ", ".join(f"{o['op']} {o['strength']:g}" for o in (v.get("plan") or {}).get("operations") or [])
        what += f"  [{ops}]" if ops else ""
        typer.echo(f"{mark} {v['id']:<5} parent={v['parent'] or '-':<5} {v['category'] or '':<10} {what}")
    if data["pending"]:
        typer.echo(f"  an edit of {data['head']} is waiting for review: brushedit accept|reject -s {session}")


@command("export")
def export_cmd(session: SessionOpt, out: Annotated[Path, typer.Option("--out")],
               data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Write head.png, one PNG per version, masks, history.json and report.html to OUT."""
    from app.report import write_report

    s = _session(session, data_dir, config, store=store)
    s.export(out)
    write_report(s, out)
    typer.echo(f"exported {len(s.history())} versions to {out}")


@command("sessions")
def sessions_cmd(data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """List sessions in the store (the data dir, or PostgreSQL with --store)."""
    from agent.stores import make_version_store

    for name in make_version_store(load_settings(data_dir, config, store=store)).sessions():
        typer.echo(name)


@command("gc")
def gc_cmd(dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
           grace_minutes: Annotated[float, typer.Option("--grace-minutes", min=0)] = 60.0,
           data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Delete stored images no version references (rejected attempts, raw generations)."""
    from agent.maintenance import collect_garbage

    r = collect_garbage(load_settings(data_dir, config, store=store), grace_minutes * 60, dry_run)
    verb = "would remove" if r.dry_run else "removed"
    typer.echo(f"{verb} {r.removed} images ({r.bytes_freed / 2**20:.1f} MiB), kept {r.kept}")


@command("demo")
def demo_cmd(out: Annotated[Path, typer.Option("--out")] = Path("brushedit-demo")):
    """Offline multi-turn demo on a bundled photo; writes images and an HTML report to OUT."""
    from app.demo import run_demo

    run_demo(out)


@command("serve")
def serve_cmd(host: Annotated[str, typer.Option()] = "127.0.0.1", port: Annotated[int, typer.Option()] = 8765,
              data_dir: DataDir = None, config: ConfigFile = None, profile: Profile = None, planner: PlannerOpt = None,
              inpainter: InpainterOpt = None, store: StoreOpt = None):
    """Serve the HTTP API and web UI (needs the [web] extra); with a PostgreSQL store, edits go to workers."""
    try:
        from app.serve import serve
    except ImportError as exc:
        raise BrushEditError(f"`serve` needs {exc.name}.", fix="pip install -e '.[web]'") from exc
    serve(host, port, load_settings(data_dir, config, profile, planner, inpainter=inpainter, store=store))


from app.commands.attempts import attempts_command, pick_command, show_command  # noqa: E402
from app.commands.mask import mask_command  # noqa: E402
from app.commands.plan import plan_command  # noqa: E402

command("mask")(mask_command)
command("plan")(plan_command)
command("attempts")(attempts_command)
command("pick")(pick_command)
command("show")(show_command)
from app.commands import eval as _eval  # noqa: E402,F401  (registers `brushedit eval`)

from app.commands import db as db_commands  # noqa: E402
from app.commands.worker import worker_command  # noqa: E402

db_commands.register(command)
app.add_typer(db_commands.db_app, name="db")
command("worker")(worker_command)


def main() -> None:
    app(prog_name="brushedit")


if __name__ == "__main__":
    sys.exit(main())
