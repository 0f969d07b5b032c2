"""The `edit` command: session edits and one-shot edits, with live stage status."""
from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from engine.errors import BrushEditError


def _progress():
    from rich.console import Console

    console = Console(stderr=True)
    status = console.status("planning…")

    def on_event(kind: str, data: dict) -> None:
        if kind == "stage":
            status.update(f"{data['name']}…")
        elif kind == "plan":
            p = data["plan"]
            ops = ", ".join(f"{o['op']} {o['strength']:g}" for o in p.get("operations") or [])
            console.print(f"plan: [bold]{p['category']}[/] '{p['target']}' — {p['caption']}"
                          + (f" (adjust: {ops})" if ops else ""))
        elif kind == "retry" and not data.get("stop"):
            console.print(f"[yellow]retry {data['attempt']}[/]: {data.get('change') or data['feedback']}")
        elif kind == "verdict" and not data.get("ok"):
            console.print(f"[yellow]{data.get('by')}[/] ({data.get('problem')}): {data.get('reason')}")

    return status, on_event


def report_outcome(outcome, session: str | None = None) -> None:
    for w in outcome.warnings:
        typer.echo(f"warning: {w}", err=True)
    if outcome.note:
        typer.echo(outcome.note)
    s = f" -s {session}" if session else ""
    if outcome.status == "committed":
        v = outcome.version
        typer.echo(f"{v.id} committed (parent {v.parent}, {outcome.attempts} attempt(s))")
    elif outcome.status == "pending":
        typer.echo(f"waiting for review: attempt {outcome.attempt_id} — see it with `brushedit show{s} pending "
                   f"--out pending.png`, then `brushedit accept{s}` or `brushedit reject{s} --reason ...`")
    else:
        typer.echo("rejected: nothing committed; the head version is unchanged")


def run_edit(args: list[str], *, session, out, box, mask, combine, seed, review, settings) -> None:
    from agent.session import Session

    status, on_event = _progress()
    if session is not None:
        if len(args) != 1 or out is not None:
            raise BrushEditError('With --session give only the instruction: brushedit edit -s NAME "remove the cat".')
        s = Session.open(session, settings(), on_event=on_event)
        with status:
            outcome = s.edit(args[0], mask=mask, box=box, combine=combine, seed=seed, review=review)
        report_outcome(outcome, session)
        return
    if review:
        raise BrushEditError("--review needs a session: nobody can review a one-shot edit.",
                             fix='brushedit new IMAGE -s NAME, then brushedit edit -s NAME "..." --review')
    if len(args) != 2 or out is None:
        raise BrushEditError('One-shot edit needs IMAGE "INSTRUCTION" --out OUT.png (or use --session NAME).')
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise BrushEditError(f"--out '{out}' must end in .png, .jpg or .webp.")
    with tempfile.TemporaryDirectory(prefix="brushedit-") as tmp:
        # nobody reviews a one-shot edit: when every attempt is rejected, the best one is written
        one_shot = settings(data_dir=Path(tmp)).model_copy(update={"budget_exhausted": "commit"})
        s = Session.new("oneshot", Path(args[0]), one_shot, on_event=on_event)
        with status:
            outcome = s.edit(args[1], mask=mask, box=box, combine=combine, seed=seed)
        from PIL import Image

        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(s.image()).save(out)
    report_outcome(outcome)
    typer.echo(f"wrote {out}")
