"""`brushedit demo`: a scripted multi-turn session on a bundled photo, fully offline (lite profile).

coffee.png is scikit-image's sample "coffee" photo (CC0, Rachel Michetti).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import typer

from engine.errors import BrushEditError
from engine.masks import ellipse_mask
from engine.settings import Settings

PHOTO = Path(__file__).parent / "assets" / "coffee.png"
SPOON = (322, 62, 108, 266)  # x, y, w, h of the spoon in coffee.png
HANDLE = (190, 225, 70, 85)  # the cup's handle


def run_demo(out: Path) -> Path:
    from agent.session import Session
    from app.report import write_report

    if out.exists():
        shutil.rmtree(out)
    data = out / "data"
    settings = Settings.load(data_dir=data, env={}, profile="lite")
    say = typer.echo
    notes = []
    s = Session.new("demo", PHOTO, settings)
    say(f"v0: {PHOTO.name} {s.head.source_size}")

    o = s.edit("Please remove the spoon", box=SPOON)
    say(f"{o.version.id}: remove the spoon (box {SPOON}) — {o.status}")
    o = s.edit("get rid of the cup handle", box=HANDLE)
    say(f"{o.version.id}: remove the handle (box {HANDLE}) — {o.status}")
    say(f"undo -> {s.undo().id};  redo -> {s.redo().id}")
    try:
        s.edit("make the cup blue", box=(170, 20, 240, 260))
    except BrushEditError as exc:
        notes.append(f"'make the cup blue' was refused offline, nothing lost: {exc}")
        say(f"refused (as expected offline): {exc.message}")
    say(f"checkout v0 -> {s.checkout('v0').id}")
    h, w = s.image().shape[:2]
    user_mask = ellipse_mask((h, w), SPOON)
    o = s.edit("erase the spoon", mask=user_mask)
    say(f"{o.version.id}: erase the spoon with a user-drawn mask — a branch from {o.version.parent}")
    s.export(out)
    report = write_report(s, out, notes)
    say(f"history: " + ", ".join(f"{v.id}<-{v.parent or '-'}" for v in s.history()))
    say(f"wrote {out}/head.png, one PNG per version, history.json and {report}")
    return report
