"""CLI option types shared by the commands, settings/box parsing, and safe terminal text."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from engine.errors import BadBoxError

if TYPE_CHECKING:  # start-up: pydantic and the Settings model load only when a command reads settings
    from engine.settings import Settings

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Sessions and images (env BRUSHEDIT_HOME).")]
ConfigFile = Annotated[Optional[Path], typer.Option(
    "--config", help="TOML config file with a [brushedit] table (env BRUSHEDIT_CONFIG).")]
Profile = Annotated[Optional[str], typer.Option("--profile", help="lite (offline, no weights) or full (models).")]
PlannerOpt = Annotated[Optional[str], typer.Option("--planner", help="rules | openai | transformers.")]
ModeOpt = Annotated[Optional[str], typer.Option("--mode", help="single-call | tool-calling.")]
InpainterOpt = Annotated[Optional[str], typer.Option("--inpainter", help="classical | brushnet | sd-inpaint.")]
DetectorOpt = Annotated[Optional[str], typer.Option("--detector", help="grounding-dino | none.")]
SegmenterOpt = Annotated[Optional[str], typer.Option("--segmenter", help="sam | classical (GrabCut in the box; alias box).")]
SessionOpt = Annotated[str, typer.Option("--session", "-s", help="Session name.")]
BoxOpt = Annotated[Optional[str], typer.Option("--box", help="Target box x,y,w,h in image pixels.")]
MaskOpt = Annotated[Optional[Path], typer.Option("--mask", help="Mask image, white = edit, same size as the image.")]
StoreOpt = Annotated[Optional[str], typer.Option("--store", help='"sqlite" (files in the data dir) or '
                                                 '"postgresql://user@host/db" (env BRUSHEDIT_STORE).')]


# C0/C1 control characters (ANSI escapes start with ESC) and the bidi overrides that reorder a line
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe for a terminal: control characters shown as \\xNN escapes, never interpreted."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}",
                       text)


def one_line(exc: Exception) -> str:
    """An error as one printable line (a planner's raw answer, when attached, stays on the lines below)."""
    text = str(exc)
    first, sep, rest = text.partition("\n--- model answer ---\n")
    line = printable(" ".join(first.split("\n")))
    return line + (f"\n--- model answer ---\n{printable(rest)}" if sep else "")


def parse_box(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or values[2] <= 0 or values[3] <= 0:
        raise BadBoxError(f"--box must be four numbers x,y,w,h with w>0 and h>0, got '{text}'.",
                          fix="Example: --box 320,60,110,270")
    return values  # type: ignore[return-value]


def load_settings(data_dir=None, config=None, profile=None, planner=None, mode=None, inpainter=None,
                  detector=None, segmenter=None, **more) -> Settings:
    from engine.settings import Settings

    return Settings.load(config, data_dir=data_dir, profile=profile, planner=planner, planning_mode=mode,
                         inpainter=inpainter, detector=detector, segmenter=segmenter, **more)
