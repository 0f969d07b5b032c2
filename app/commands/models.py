"""`brushedit models [--profile full]`: every model a profile needs, where it is, and the command that fetches them.

Nothing is downloaded and the network is not used: presence is read from local paths and the
Hugging Face cache (`HF_HUB_CACHE`, default ~/.cache/huggingface/hub).
"""
from __future__ import annotations

import json
from typing import Annotated

import typer

from app.options import ConfigFile, DataDir, DetectorOpt, InpainterOpt, PlannerOpt, Profile, SegmenterOpt, load_settings


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def models_command(
    profile: Profile = None,
    planner: PlannerOpt = None,
    detector: DetectorOpt = None,
    segmenter: SegmenterOpt = None,
    inpainter: InpainterOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """List the models a profile needs (repo id, size on disk, local path, present or not) and the one
    command that fetches the missing ones."""
    from engine.model_check import fetch_command, locate, needs

    settings = load_settings(data_dir, config, profile=profile, planner=planner, detector=detector,
                             segmenter=segmenter, inpainter=inpainter)
    statuses = [locate(n) for n in needs(settings)]
    command = fetch_command(statuses)
    if as_json:
        typer.echo(json.dumps({"profile": settings.profile, "fetch": command, "models": [
            {"what": s.need.what, "ref": s.need.ref, "setting": s.need.setting, "repo_id": s.repo_id,
             "subfolder": s.subfolder, "present": s.present, "path": str(s.path) if s.path else None,
             "bytes": s.size} for s in statuses]}, indent=2))
        return
    if not statuses:
        typer.echo(f"profile '{settings.profile}' needs no model weights (rules planner, your box/mask, "
                   "classical inpainting); `brushedit models --profile full` lists the full stack.")
        return
    typer.echo(f"profile '{settings.profile}': {len(statuses)} model(s)")
    for s in statuses:
        where = f" — {_size(s.size)} at {s.path}" if s.present else ""
        mark = "present" if s.present else "MISSING"
        typer.echo(f"  {mark:<8} {s.need.what} ({s.need.setting}): {s.need.ref}{where}")
    missing = [s for s in statuses if not s.present]
    if command:
        typer.echo(f"fetch the {len(missing)} missing: {command}")
        typer.echo("  (`hf` comes with huggingface_hub: pip install -e '.[models]' from the checkout)")
    elif missing:
        typer.echo("fix the missing local paths above (the settings in brackets name them).")
    else:
        typer.echo("all present.")
