"""`brushedit` command line. Heavy libraries are imported inside the commands that need them.

Every failure is ONE line on stderr ("error: what was wrong. how to fix it.") with a non-zero exit
code: typed BrushEditErrors, OS faults of the data dir (full, read-only), damaged databases and the
command-line parser's own usage errors alike.
"""
from __future__ import annotations

import json
import sqlite3
import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.edit import step_words
from app.options import (BoxOpt, ConfigFile, DataDir, DetectorOpt, InpainterOpt, MaskOpt, ModeOpt, PlannerOpt,
                         Profile, SegmenterOpt, SessionOpt, StoreOpt, load_settings, one_line, parse_box, printable)
from engine.errors import BrushEditError, os_error
from engine.settings import MAX_CANDIDATES

# the parser's exception base class, whether typer uses click or its vendored copy of it
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,  # help texts show [web], [brushedit] ... literally
                  help="BrushEdit agent: edit photos by instruction, with undo/redo/branch history.")


def _fail(exc: BrushEditError) -> None:
    typer.echo(f"error: {one_line(exc)}", err=True)
    raise typer.Exit(1)


def _typed(exc: BaseException, kw: dict) -> BrushEditError | None:
    """A typed error for a fault that is not a BrushEditError (or None: a bug, shown as a traceback)."""
    if isinstance(exc, OSError):
        return os_error(exc)
    if isinstance(exc, sqlite3.Error):
        from agent.storage_guard import explain_sqlite

        return explain_sqlite(exc, load_settings(kw.get("data_dir"), kw.get("config")).data_dir)
    if isinstance(exc, MemoryError):
        return BrushEditError("Out of memory.",
                              fix="Use a smaller image or working_short_side, or close other programs.")
    return None


def command(name: str | None = None, on: typer.Typer | None = None):
    """Register a command (on `app`, or the sub-app `on`); its failures -> one line on stderr and exit code 1."""

    def deco(fn):
        @wraps(fn)
        def wrapper(*a, **kw):
            try:
                return fn(*a, **kw)
            except BrushEditError as exc:
                _fail(exc)
            except (OSError, sqlite3.Error, MemoryError) as exc:
                typed = _typed(exc, kw)
                if typed is None:
                    raise
                _fail(typed)

        return (on or app).command(name)(wrapper)

    return deco


def command_names() -> set[str]:
    return {c.name or c.callback.__name__ for c in app.registered_commands}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"brushedit {version('brushedit-agent')}")
        except PackageNotFoundError:
            typer.echo("brushedit (not installed: run from a checkout)")
        raise typer.Exit(0)


@app.callback()
def _root(show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                     help="Print the version and exit.")] = False) -> None:
    """BrushEdit agent: edit photos by instruction, with undo/redo/branch history."""


def _session(name: str, data_dir, config, **kw):
    from agent.session import Session

    return Session.open(name, load_settings(data_dir, config, **kw))


def _print_version(v) -> None:
    typer.echo(f"head: {v.id}" + (f"  ({printable(v.instruction)})" if v.instruction else "  (original)"))


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
ImageOpt = Annotated[Optional[Path], typer.Option("--image", help="The photo, for planners that look.")]
EditArgs = Annotated[list[str], typer.Argument(metavar="[IMAGE] INSTRUCTION",
                                               help='"INSTRUCTION" with --session, or IMAGE "INSTRUCTION" --out')]
EditSession = Annotated[Optional[str], typer.Option("--session", "-s", help="Session to edit (its head).")]
CombineOpt = Annotated[str, typer.Option(help="override | union | subtract (your --mask with the found mask).")]
SeedOpt = Annotated[Optional[int], typer.Option(help="Random seed, 0 to 2**32-1 (default: settings).")]
ReviewOpt = Annotated[bool, typer.Option("--review", help="Stop for accept/reject before committing.")]
QueueOpt = Annotated[bool, typer.Option("--queue",
                                        help="If the session is being edited, wait and build on that edit's result.")]
GraceOpt = Annotated[float, typer.Option("--grace-minutes", min=0,
                                         help="Keep unreferenced images younger than this (an upload in flight).")]
WaitOpt = Annotated[float, typer.Option("--wait", min=0, help="Seconds to wait for running edits (gc never runs "
                                                              "during one).")]
DemoOut = Annotated[Path, typer.Option("--out", help="Directory for the images and report.html.")]
VerifyOpt = Annotated[Optional[str], typer.Option("--verify", help="Judges in order: none | "
                                                  "preservation,quality,detector,vlm.")]
CandidatesOpt = Annotated[Optional[int], typer.Option("--candidates", min=1, max=MAX_CANDIDATES,
                                                      help="Results per attempt (one batched call on BrushNet).")]


@command("new")
def new_cmd(image: Annotated[Path, typer.Argument(help="The photo to start from (PNG, JPEG, WebP ...).")],
            session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Start a session from IMAGE (version v0)."""
    from agent.session import Session

    s = Session.new(session, image, load_settings(data_dir, config, store=store))
    h = s.head
    typer.echo(f"session '{session}' created: {h.id} = {printable(str(image))} ({h.source_size[0]}x{h.source_size[1]})")


@command("edit")
def edit_cmd(args: EditArgs, session: EditSession = None,
             out: Annotated[Optional[Path], typer.Option("--out", help="One-shot: where to write the result.")] = None,
             box: BoxOpt = None, mask: MaskOpt = None,
             combine: CombineOpt = "override", seed: SeedOpt = None, review: ReviewOpt = False, queue: QueueOpt = False,
             verify: VerifyOpt = None, candidates: CandidatesOpt = None,
             data_dir: DataDir = None, config: ConfigFile = None, profile: Profile = None, planner: PlannerOpt = None,
             mode: ModeOpt = None, inpainter: InpainterOpt = None, detector: DetectorOpt = None,
             segmenter: SegmenterOpt = None, store: StoreOpt = None):
    """Edit the session's head version (or one image, one-shot) by instruction."""
    from app.edit import run_edit

    def settings(data_dir=data_dir):
        return load_settings(data_dir, config, profile, planner, mode, inpainter, detector, segmenter, verify=verify,
                             candidates=candidates, store=store)

    settings().check_edit(args[-1] if args else "", seed, combine)  # before anything is opened or written
    run_edit(args, session=session, out=out, box=parse_box(box), mask=mask, combine=combine, seed=seed,
             review=review, queue=queue, data_dir=data_dir, settings=settings)


@command("accept")
def accept_cmd(session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Accept the edit waiting for review."""
    from app.edit import report_outcome

    report_outcome(_session(session, data_dir, config, store=store).accept(), session, data_dir)


@command("reject")
def reject_cmd(session: SessionOpt,
               reason: Annotated[str, typer.Option("--reason", help="What is wrong; the next attempt uses it.")] = "",
               data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Reject the edit waiting for review; the agent re-plans from what REASON says is wrong."""
    from app.edit import report_outcome

    report_outcome(_session(session, data_dir, config, store=store).reject(reason), session, data_dir)


@command("undo")
def undo_cmd(session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Move head to its parent version."""
    _print_version(_session(session, data_dir, config, store=store).undo())


@command("redo")
def redo_cmd(session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Move head forward again after an undo."""
    _print_version(_session(session, data_dir, config, store=store).redo())


@command("checkout")
def checkout_cmd(version: Annotated[str, typer.Argument(help="Version id, e.g. v0 (see `brushedit history`).")],
                 session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Move head to VERSION; the next edit starts a branch from it."""
    _print_version(_session(session, data_dir, config, store=store).checkout(version))


@command("history")
def history_cmd(session: SessionOpt, as_json: JsonOpt = False,
                data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """List the versions of a session (parent, instruction, category, head)."""
    s = _session(session, data_dir, config, store=store)
    data = s.history_json()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for v in data["versions"]:
        mark = "*" if v["is_head"] else " "
        what = printable(v["instruction"]) if v["instruction"] else "(original)"
        ops = ", ".join(f"{o['op']} {o['strength']:g}" for o in (v.get("plan") or {}).get("operations") or [])
        what += f"  [{ops}]" if ops else ""
        what += f"  ({step_words(v['step'])})" if v.get("step") else ""
        typer.echo(f"{mark} {v['id']:<5} parent={v['parent'] or '-':<5} {printable(v['category'] or ''):<10} {what}")
    if data["pending"]:
        typer.echo(f"  an edit of {data['head']} is waiting for review: brushedit accept|reject -s {session}")


@command("export")
def export_cmd(session: SessionOpt,
               out: Annotated[Path, typer.Option("--out", help="Directory to write into (created if missing).")],
               data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Write head.png, one PNG per version, masks, history.json and report.html to OUT."""
    from app.report import write_report

    s = _session(session, data_dir, config, store=store)
    s.export(out)
    write_report(s, out)
    typer.echo(f"exported {len(s.history())} versions to {out.resolve()} (open {out.resolve() / 'report.html'})")


@command("sessions")
def sessions_cmd(data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """List sessions in the store (the data dir, or PostgreSQL with --store)."""
    from agent.stores import make_version_store

    for name in make_version_store(load_settings(data_dir, config, store=store)).sessions():
        typer.echo(name)


@command("gc")
def gc_cmd(dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be removed.")] = False,
           grace_minutes: GraceOpt = 60.0, wait: WaitOpt = 30.0,
           data_dir: DataDir = None, config: ConfigFile = None, store: StoreOpt = None):
    """Delete stored images nothing references (rejected attempts, raw generations) and old checkpoints."""
    from agent.maintenance import collect_garbage

    r = collect_garbage(load_settings(data_dir, config, store=store), grace_minutes * 60, dry_run, wait_s=wait)
    verb = "would remove" if r.dry_run else "removed"
    typer.echo(f"{verb} {r.removed} images ({r.bytes_freed / 2**20:.1f} MiB), kept {r.kept}; "
               f"{verb} {r.checkpoints_pruned} old checkpoints ({r.checkpoint_bytes_freed / 2**20:.1f} MiB)")


@command("demo")
def demo_cmd(out: DemoOut = Path("brushedit-demo")):
    """Offline multi-turn demo on a bundled photo; writes images and an HTML report to OUT."""
    from app.demo import run_demo

    run_demo(out)


@command("serve")
def serve_cmd(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
              data_dir: DataDir = None, config: ConfigFile = None, profile: Profile = None, planner: PlannerOpt = None,
              inpainter: InpainterOpt = None, store: StoreOpt = None):
    """Serve the HTTP API and web UI (needs the [web] extra); with a PostgreSQL store, edits go to workers."""
    try:
        from app.serve import serve
    except ImportError as exc:
        raise BrushEditError(f"`serve` needs {exc.name}.", fix="From the checkout: pip install -e '.[web]'") from exc
    serve(host, port, load_settings(data_dir, config, profile, planner, inpainter=inpainter, store=store))


from app.commands.attempts import attempts_command, pick_command, show_command  # noqa: E402
from app.commands.doctor import doctor_command  # noqa: E402
from app.commands.mask import mask_command  # noqa: E402
from app.commands.models import models_command  # noqa: E402
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
command("models")(models_command)
command("doctor")(doctor_command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code. Usage errors are one line too (exit code 2)."""
    from typer.main import get_command

    try:
        code = get_command(app).main(args=argv, prog_name="brushedit", standalone_mode=False)
    except _ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `brushedit`: the help text
            exc.show()
            return exc.exit_code
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        typer.echo(f"error: {printable(exc.format_message())}{where}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("error: aborted.", err=True)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
