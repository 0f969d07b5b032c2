"""`brushedit demo`: a scripted multi-turn session on a bundled photo, fully offline (lite profile).

coffee.png is scikit-image's sample "coffee" photo (CC0, Rachel Michetti).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import typer

from engine.errors import BrushEditError
from engine.settings import Settings

PHOTO = Path(__file__).parent / "assets" / "coffee.png"
SPOON = (322, 62, 108, 266)  # x, y, w, h of the spoon in coffee.png
GLINT = (100, 222, 50, 50)  # a bright reflection on the saucer


def spoon_mask(shape: tuple[int, int]):
    """What a user would paint over the spoon: its handle (a thick stroke) and its bowl."""
    import cv2
    import numpy as np

    canvas = np.zeros(shape, np.uint8)
    cv2.line(canvas, (416, 74), (377, 238), 255, 20)
    cv2.ellipse(canvas, (363, 283), (46, 42), 0, 0, 360, 255, -1)
    return canvas > 0


def run_demo(out: Path) -> Path:
    from agent.session import Session
    from app.report import write_report

    if out.exists():  # only an earlier demo's output is replaced: never a directory of the user's
        earlier = (out / "history.json").is_file() and (out / "data" / "versions.sqlite").is_file()
        if not out.is_dir() or (any(out.iterdir()) and not earlier):
            raise BrushEditError(f"--out '{out}' exists and is not an earlier demo's output; it is left as it is.",
                                 fix="Give --out a new directory, e.g. --out brushedit-demo.")
        shutil.rmtree(out)
    data = out / "data"
    settings = Settings.load(data_dir=data, env={}, profile="lite")
    say = typer.echo
    notes = []
    s = Session.new("demo", PHOTO, settings)
    say(f"v0: {PHOTO.name} {s.head.source_size}")

    h, w = s.image().shape[:2]
    o = s.edit("Please remove the spoon", mask=spoon_mask((h, w)))
    say(f"{o.version.id}: remove the spoon (user-painted mask) — {o.status}")
    o = s.edit("get rid of the reflection on the saucer", box=GLINT)
    say(f"{o.version.id}: remove the reflection (box {GLINT}) — {o.status}")
    say(f"undo -> {s.undo().id};  redo -> {s.redo().id}")
    try:
        s.edit("make the cup blue", box=(170, 20, 240, 260))
    except BrushEditError as exc:
        notes.append(f"'make the cup blue' was refused offline, nothing lost: {exc}")
        say(f"refused (as expected offline): {exc.message}")
    say(f"checkout v0 -> {s.checkout('v0').id}")
    o = s.edit("erase the spoon", box=SPOON)
    say(f"{o.version.id}: erase the spoon with a box {SPOON} — a branch from {o.version.parent}")
    s.export(out)
    report = write_report(s, out, notes)
    say("history: " + ", ".join(f"{v.id}<-{v.parent or '-'}" for v in s.history()))
    say(f"wrote {out}/head.png, one PNG per version, history.json and {report}")
    return report
