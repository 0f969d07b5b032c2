"""The `edit` command: session edits and one-shot edits, with live stage status."""
from __future__ import annotations

import shlex
from contextlib import contextmanager
import tempfile
from pathlib import Path

import typer

from app.options import printable
from engine.errors import BrushEditError, UnsupportedEditError


def _progress():
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True)
    status = console.status("planning…")

    def safe(value) -> str:  # model/user text: never rich markup, never terminal control codes
        return escape(printable(str(value)))

    def on_event(kind: str, data: dict) -> None:
        if kind == "stage" and data.get("step"):  # a turn of several steps: each one announced
            console.print(f"[bold]step {data['step']} of {data['of']}[/]: {safe(data.get('instruction'))}")
        if kind == "stage":
            status.update(f"{safe(data['name'])}…")
        elif kind == "plan":
            p = data["plan"]
            ops = ", ".join(f"{o['op']} {o['strength']:g}" for o in p.get("operations") or [])
            console.print(f"plan: [bold]{safe(p['category'])}[/] '{safe(p['target'])}' — {safe(p['caption'])}"
                          + (f" (adjust: {ops})" if ops else ""))
        elif kind == "retry" and not data.get("stop"):
            console.print(f"[yellow]retry {data['attempt']}[/]: {safe(data.get('change') or data['feedback'])}")
        elif kind == "verdict" and not data.get("ok"):
            console.print(f"[yellow]{safe(data.get('by'))}[/] ({safe(data.get('problem'))}): {safe(data.get('reason'))}")

    return status, on_event


def _cmd(verb: str, session: str, data_dir, *rest: str) -> str:
    """A brushedit command line that works as printed (quoted; --data-dir when one was given)."""
    parts = ["brushedit", verb, "-s", session, *rest] + (["--data-dir", str(data_dir)] if data_dir else [])
    return shlex.join(parts)


def _show_hint(session: str, data_dir, ref: str) -> str:
    from app.cli import command_names

    if "show" in command_names():
        return _cmd("show", session, data_dir, ref, "--out", f"{session}-{ref}.png")
    return _cmd("export", session, data_dir, "--out", f"{session}-export")


def step_words(mark: dict) -> str:
    """A version's step mark (agent.versions.StepMark as a dict) in words, for history and reports."""
    which = f"step {mark['n']} of {mark['of']} of " if mark["of"] > 1 else ""
    undid = f", took back {', '.join(mark['undid'])}" if mark.get("undid") else ""
    return printable(f'{which}"{mark["turn"]}"{undid}')


def _step_line(step, paused: bool) -> str:
    what = {"committed": f"{step.version} committed", "pending": f"waiting for review (attempt {step.attempt_id})",
            "rejected": "rejected, nothing committed", "refused": "refused",
            "not run": "runs after accept" if paused else "not run"}[step.status]
    return printable(f"step {step.n} of {step.of} '{step.instruction}': {what}"
                     + (f" — {step.note}" if step.note and step.status != "refused" else ""))


def report_outcome(outcome, session: str | None = None, data_dir=None, wrote: str | None = None) -> None:
    """What happened and where the result is (the command that writes it out). A turn of several steps:
    one line per step and the head it left; a refused step then exits 1 with its error (after `wrote`)."""
    for w in outcome.warnings:
        typer.echo(f"warning: {printable(w)}", err=True)
    several = len(outcome.steps) > 1
    refused = next((st for st in outcome.steps if st.status == "refused"), None)
    if outcome.undid:
        typer.echo(f"took back {', '.join(outcome.undid)} first")
    for step in outcome.steps if several else []:  # each with its own note; the turn's note repeats them
        typer.echo(_step_line(step, outcome.status == "pending"))
    if outcome.note and not several:
        typer.echo(printable(outcome.note))
    if outcome.status == "committed":
        v = outcome.version
        where = f"; get it: {_show_hint(session, data_dir, v.id)}" if session else ""
        if several:
            done = sum(st.status == "committed" for st in outcome.steps)
            typer.echo(f"head: {v.id} ({done} of {len(outcome.steps)} steps committed){where}")
        else:
            typer.echo(f"{v.id} committed (parent {v.parent}, {outcome.attempts} attempt(s)){where}")
    elif outcome.status == "pending":
        s = session or "NAME"
        typer.echo(f"waiting for review: attempt {outcome.attempt_id} — see it with `{_show_hint(s, data_dir, 'pending')}`,"
                   f" then `{_cmd('accept', s, data_dir)}` or `{_cmd('reject', s, data_dir, '--reason', '...')}`")
    else:
        typer.echo("rejected: nothing committed; the head version is unchanged")
    if wrote:
        typer.echo(wrote)
    if refused:  # the turn stopped at a step it could not do: one error line, exit code 1
        err = refused.error or {}
        rest = " and ".join(st.instruction for st in outcome.steps if st.status in ("refused", "not run"))
        again = f" Then give the rest alone: {_cmd('edit', session, data_dir, rest)}" if session else ""
        raise BrushEditError(printable(f"{outcome.note or err.get('error')}."),
                             fix=printable(f"{err.get('fix') or ''}{again}").strip() or None)


@contextmanager
def _needs_diffusion(args: list[str], session, out, box, mask, combine, seed, review, data_dir):
    """An edit the offline inpainter cannot do at all (an addition, a replacement ...): the fix becomes this
    very edit as a command with the full profile, and how to fetch that profile's models."""
    try:
        yield
    except UnsupportedEditError as exc:
        if "diffusion" not in exc.message:
            raise
        opts = [*(["--box", ",".join(f"{v:g}" for v in box)] if box else []), *(["--mask", str(mask)] if mask else []),
                *(["--combine", combine] if combine != "override" else []), *(["--seed", str(seed)] if seed is not None else []),
                *(["--review"] if review else []), *(["--out", str(out)] if out is not None else []), "--profile", "full"]
        rerun = (_cmd("edit", session, data_dir, args[0], *opts) if session is not None else
                 shlex.join(["brushedit", "edit", *map(str, args), *opts]))
        exc.fix = (f"It needs the full profile (BrushNet on SD1.5): fetch its models once with `brushedit models "
                   f"--profile full`, then run `{rerun}`.")
        exc.args = (f"{exc.message} {exc.fix}",)
        raise


def run_edit(args: list[str], *, session, out, box, mask, combine, seed, review, settings, queue=False,
             data_dir=None) -> None:
    from agent.session import Session
    from agent.versions import EDIT_WAIT_S, QUEUE_WAIT_S

    status, on_event = _progress()
    if session is not None:
        if len(args) != 1 or out is not None:
            raise BrushEditError('With --session give only the instruction: brushedit edit -s NAME "remove the cat".')
        s = Session.open(session, settings(), on_event=on_event, edit_wait_s=QUEUE_WAIT_S if queue else EDIT_WAIT_S)
        with status, _needs_diffusion(args, session, out, box, mask, combine, seed, review, data_dir):
            outcome = s.edit(args[0], mask=mask, box=box, combine=combine, seed=seed, review=review)
        report_outcome(outcome, session, data_dir)
        return
    if review:
        raise BrushEditError("--review needs a session: nobody can review a one-shot edit.",
                             fix='brushedit new IMAGE -s NAME, then brushedit edit -s NAME "..." --review')
    if len(args) != 2 or out is None:
        raise BrushEditError('One-shot edit needs IMAGE "INSTRUCTION" --out OUT.png (or use --session NAME).')
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise BrushEditError(f"--out '{printable(str(out))}' must end in .png, .jpg or .webp.")
    if out.is_dir():
        raise BrushEditError(f"--out '{printable(str(out))}' is a directory.",
                             fix="Give a file name, e.g. --out edited.png.")
    with tempfile.TemporaryDirectory(prefix="brushedit-") as tmp:
        # nobody reviews a one-shot edit: when every attempt is rejected, the best one is written
        one_shot = settings(data_dir=Path(tmp)).model_copy(update={"budget_exhausted": "commit"})
        s = Session.new("oneshot", Path(args[0]), one_shot, on_event=on_event)
        with status, _needs_diffusion(args, None, out, box, mask, combine, seed, review, None):
            outcome = s.edit(args[1], mask=mask, box=box, combine=combine, seed=seed)
        from PIL import Image

        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(s.image()).save(out)
    report_outcome(outcome, wrote=f"wrote {printable(str(out.resolve()))}")
