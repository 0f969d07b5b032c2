"""`brushedit demo`: a scripted multi-turn session on a bundled photo, fully offline (lite profile).

What it shows, on rocket.jpg (scikit-image's "rocket": the Falcon 9 / DSCOVR launch photo, released
into the public domain by SpaceX): a removal from a box (the classical segmenter finds the light tower
in it; the offline quality judge sees the tower's lamps left just outside the first mask, the retry
grows the mask and that result is accepted), a removal from a painted mask (the pole on top of the
left tower, used exactly as painted), a photo adjustment (background blur around the rocket, from a
box), an undo and a branch (black and white from the undone version), and one diffusion-only edit
refused with its clear message. Every result goes through the offline quality judge
(verify = "preservation,quality").

Why not the coffee photo's spoon (app/assets/coffee.png, the README's examples): the spoon lies along
the cup's outline and over the cup's shadow, and no classical fill continues those convincingly; the
judge rejects every try there (docs/benchmarks.md, "Removal, fourth round"). That needs the full
profile (BrushNet).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import typer

from engine.errors import BrushEditError
from engine.settings import Settings

PHOTO = Path(__file__).parent / "assets" / "rocket.jpg"
TOWER = (422, 118, 56, 309)  # x, y, w, h around the light tower right of the rocket (down to the photo's edge)
ROCKET = (285, 120, 85, 307)  # around the rocket and its launch mount
ROCKET_BODY = (300, 125, 40, 285)


def pole_mask(shape: tuple[int, int]):
    """What a user would paint over the pole on top of the lattice tower left of the rocket: one stroke."""
    import cv2
    import numpy as np

    canvas = np.zeros(shape, np.uint8)
    cv2.line(canvas, (201, 120), (199, 188), 255, 13)
    return canvas > 0


def _said(o) -> str:
    ops = ", ".join(f"{op['op']} {op['strength']:g}" for op in (o.version.plan or {}).get("operations") or [])
    return f"{o.version.id} ← {o.version.parent}: {o.version.plan['category']}" + (f" ({ops})" if ops else "")


def _tries(o) -> str:
    """What the judge said of the committed result, in a few words."""
    v = o.verdict or {}
    if not v.get("ok", True):
        return f"every try rejected by the judge; the best of {o.attempts} kept: {v.get('reason', '')[:60]}"
    return f"judge score {v.get('score') or 0:.2f}" + (
        f" on try {o.attempts}; before: {o.feedback[-1].split(' (score')[0]}" if o.feedback else "")


def run_demo(out: Path) -> Path:
    from agent.session import Session
    from app.report import write_report

    if out.exists():  # only an earlier demo's output is replaced: never a directory of the user's
        earlier = (out / "history.json").is_file() and (out / "data" / "versions.sqlite").is_file()
        if not out.is_dir() or (any(out.iterdir()) and not earlier):
            raise BrushEditError(f"--out '{out}' exists and is not an earlier demo's output; it is left as it is.",
                                 fix="Give --out a new directory, e.g. --out brushedit-demo.")
        shutil.rmtree(out)
    settings = Settings.load(data_dir=out / "data", env={}, profile="lite", verify="preservation,quality",
                             budget_exhausted="commit")
    say, notes = typer.echo, []
    s = Session.new("demo", PHOTO, settings)
    say(f"v0: {PHOTO.name} {s.head.source_size}")
    h, w = s.image().shape[:2]

    o = s.edit("remove the tower on the right", box=TOWER)
    say(f"{_said(o)} — the light tower, segmented in the box {TOWER}, removed ({_tries(o)})")
    notes += [f"{o.version.id}: {warning}" for warning in o.warnings]
    o = s.edit("remove the pole on top of the left tower", mask=pole_mask((h, w)))
    say(f"{_said(o)} — the painted pole removed ({_tries(o)})")
    o = s.edit("blur the background", box=ROCKET)
    say(f"{_said(o)} — the launch site blurred around the rocket in the box {ROCKET}")
    say(f"undo -> {s.undo().id}")
    o = s.edit("make it black and white")
    say(f"{_said(o)} — a branch: black and white from the undone version")
    try:
        s.edit("make the rocket red", box=ROCKET_BODY)
    except BrushEditError as exc:
        notes.append(f"'make the rocket red' was refused offline, nothing lost: {exc}")
        say(f"refused (as expected offline): {exc}")
    s.export(out)
    report = write_report(s, out, notes)
    say("history: " + ", ".join(f"{v.id}<-{v.parent or '-'}" for v in s.history()))
    say(f"wrote {out}/head.png, one PNG per version, history.json and {report}")
    return report
