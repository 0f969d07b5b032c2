"""`brushedit attempts | pick | show`: every stored attempt of a session, kept even when not committed.

    brushedit attempts -s trip [--json]          # by turn (waiting / committed as / nothing kept): id, status, verdict, seed, method
    brushedit pick -s trip a3                    # a3 becomes a new version (parent = its turn's parent)
    brushedit show -s trip pending --out p.png   # a version id, `pending` or an attempt id; head by default
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.options import ConfigFile, DataDir, SessionOpt, load_settings, printable
from engine.errors import BrushEditError


def _open(session: str, data_dir, config):
    from agent.session import Session

    return Session.open(session, load_settings(data_dir, config))


def _line(a) -> str:
    v = a.verdict or {}
    judged = "ok" if v.get("ok") else v.get("problem", "-")
    score = "" if v.get("score") is None else f" {v['score']:.2f}"
    seed = "-" if a.seed is None else a.seed
    became = f" -> {a.version}" if a.version else ""
    return (f"{a.id:<5} {a.status:<9}{became:<6} turn {a.turn_parent}+ attempt {a.n + 1} cand {a.candidate}  "
            f"{judged}{score} by {v.get('by', '-')}  seed {seed} method {a.method or '-'}  {a.instruction}"
            + (f"  [{a.change}]" if a.change and a.n else ""))


def attempts_command(session: SessionOpt, as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
                     data_dir: DataDir = None, config: ConfigFile = None):
    """List every stored attempt and candidate of the session (committed or not)."""
    s = _open(session, data_dir, config)
    records = s.attempts()
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in records], indent=2))
        return
    if not records:
        typer.echo(f"session '{session}' has no stored attempts yet")
    pending = (s.pending() or {}).get("run_id")
    turns: dict[str, list] = {}
    for a in records:
        turns.setdefault(a.run_id, []).append(a)
    for k, (run, recs) in enumerate(turns.items(), 1):
        typer.echo(_turn_line(k, recs, run == pending, session, data_dir))
        for a in recs:
            typer.echo(_line(a))


def _turn_line(k: int, recs: list, waiting: bool, session: str, data_dir) -> str:
    """What became of one turn (one graph run): waiting for review, the version(s) it made, or nothing."""
    from app.edit import _cmd

    made = sorted({a.version for a in recs if a.version}, key=lambda v: int(v[1:]))
    if waiting:
        what = "waiting for review"
    elif made:
        what = f"committed as {', '.join(made)}"
    else:
        what = f"nothing kept (pick one: {_cmd('pick', session, data_dir, 'ID')})"
    return printable(f"turn {k} from {recs[0].turn_parent}: '{recs[0].instruction}' — {what}")


def pick_command(attempt_id: Annotated[str, typer.Argument(help="an attempt id from `brushedit attempts`")],
                 session: SessionOpt, data_dir: DataDir = None, config: ConfigFile = None):
    """Commit a stored attempt as a new version (parent = the version its turn edited)."""
    v = _open(session, data_dir, config).pick(attempt_id)
    typer.echo(f"{v.id} committed from {attempt_id} (parent {v.parent})")


RefArg = Annotated[Optional[str], typer.Argument(help="VERSION | pending | ATTEMPT_ID (head if omitted)")]
OutOpt = Annotated[Path, typer.Option("--out", help="PNG/JPEG/WebP to write")]


def show_command(ref: RefArg = None, session: SessionOpt = ..., out: OutOpt = ...,
                 data_dir: DataDir = None, config: ConfigFile = None):
    """Write the image of a version, of the result waiting for review, or of any stored attempt."""
    from PIL import Image

    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise BrushEditError(f"--out '{out}' must end in .png, .jpg or .webp.")
    image = _open(session, data_dir, config).show(ref)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(out)
    typer.echo(f"wrote {out} ({ref or 'head'}, {image.shape[1]}x{image.shape[0]})")
