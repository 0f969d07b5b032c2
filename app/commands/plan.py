"""`brushedit plan "INSTRUCTION" [-s SESSION] [--image IMAGE] [--json]`: the plan alone, no edit made.

With `-s`, the instruction is read against the session's history (the head's lineage, oldest first,
the turns the agent gives the planner), so "now make it bigger" resolves "it". `--json` prints the
plan's fields; a conversation field appears only when it says something: `undo` (versions taken back
first), `references` (what "it", "again", "instead" ... stand for), `clause` (the instruction with
those resolved), `steps` (several edits, in order; the top-level fields are the first step's).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.options import ConfigFile, DataDir, PlannerOpt, Profile, StoreOpt, load_settings

SessionPlanOpt = Annotated[Optional[str], typer.Option("--session", "-s", help="Plan against this session's history.")]
ImageOpt = Annotated[Optional[Path], typer.Option("--image", help="Image the planner may look at (VLM planners).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the plan as JSON, with its resolution.")]


def session_turns(settings, name: str) -> tuple[list, str | None]:
    """(earlier turns along the head's lineage as engine.plan.Turn, the head's image id)."""
    from agent.stores import make_version_store
    from engine.plan import Turn

    lineage = make_version_store(settings).lineage(name)
    turns = [Turn(instruction=v.instruction, plan=v.plan, version=v.id) for v in lineage if v.instruction]
    return turns, lineage[-1].image_id if lineage else None


def plan_json(plan, step: bool = False) -> dict:
    """The plan's fields for --json: the one-step fields always, conversation fields when they say something."""
    data = plan.model_dump(exclude_none=True, exclude={"steps"})
    for key, empty in (("undo", 0), ("references", [])):
        if data.get(key) == empty:
            data.pop(key)
    if not (plan.references or plan.undo or step) or not data.get("clause"):
        data.pop("clause", None)  # the clause is the instruction itself: nothing was resolved
    if plan.steps:
        data["steps"] = [plan_json(s, step=True) for s in plan.steps]
    return data


def _print_text(data: dict, indent: str = "") -> None:
    if data.get("steps"):  # several edits: the steps alone (the top-level fields repeat the first)
        for i, step in enumerate(data["steps"], 1):
            typer.echo(f"step {i} of {len(data['steps'])}:")
            _print_text(step, "  ")
        return
    for k, v in data.items():
        if k == "references":
            for r in v:
                where = "this instruction" if r.get("turn") is None else (r.get("version") or f"turn {r['turn'] + 1}")
                typer.echo(f"{indent}{'refers':>15}: '{r['phrase']}' -> '{r['resolved']}' ({r['kind']}, {where})")
        else:
            typer.echo(f"{indent}{k:>15}: {v}")


def plan_command(instruction: str, session: SessionPlanOpt = None, image: ImageOpt = None, as_json: JsonOpt = False,
                 planner: PlannerOpt = None, data_dir: DataDir = None, config: ConfigFile = None,
                 profile: Profile = None, store: StoreOpt = None):
    """Print the edit plan for INSTRUCTION (category, target, caption, operations, steps, references)."""
    from engine.backends import make_planner
    from engine.errors import EmptyInstructionError
    from engine.protocols import PlanRequest

    if not instruction.strip():
        raise EmptyInstructionError("The instruction is empty.", fix='Say what to change, e.g. "remove the dog".')
    settings = load_settings(data_dir, config, profile, planner, store=store)
    turns, head_image = session_turns(settings, session) if session else ([], None)
    planner_obj = make_planner(settings)
    img = None
    if image is not None:
        from engine.images import load_image

        img = load_image(image)
    elif head_image and planner_obj.name != "rules":  # the VLM sees the head image; the rules see no image
        from agent.stores import make_image_store

        img = make_image_store(settings).get_image(head_image)
    result = planner_obj.plan(PlanRequest(instruction, img, history=tuple(turns)))
    data = plan_json(result.plan)
    if as_json:
        typer.echo(json.dumps(data))
    else:
        _print_text(data)
