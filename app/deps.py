"""FastAPI dependencies: the process-wide state (settings, shared backends, the job runner) and sessions.

The backends (models) and the graph + checkpointer (app/runtime.py) are created once per process
and shared by every request; a request only builds the cheap per-session objects.
"""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from app.jobs import Jobs
from engine.backends import Backends
from engine.settings import Settings


@dataclass
class AppState:
    settings: Settings
    backends: Backends
    jobs: Jobs


def get_state(request: Request) -> AppState:
    return request.app.state.brushedit


def open_session(state: AppState, name: str):
    from agent.session import Session
    from app.runtime import shared_graph

    return Session.open(name, state.settings, backends=state.backends, graph=shared_graph(state.settings))


def edit_payload(state: AppState, s, body, mask=None) -> dict:
    """The JSON payload of an edit job from a validated EditBody (and a decoded mask, stored here):
    one place for the checks the API and the UI share."""
    from engine.errors import BadMaskError

    text = state.settings.check_instruction(body.instruction)  # empty, or over max_instruction_chars
    if body.box is not None:  # refuse a bad box now (422), not later in the job
        from engine.masks import clip_box

        w, h = s.head.source_size or s.image().shape[1::-1]
        clip_box(body.box, w, h)
    payload = body.model_dump(include={"box", "combine", "seed", "review", "candidates"})
    payload["instruction"] = text
    payload["settings"] = body.model_dump(include={"steps", "guidance_scale", "conditioning_scale", "blur_kernel"},
                                          exclude_none=True)
    if mask is not None:
        if not mask.any():
            raise BadMaskError("The mask has no white pixels.", fix="White (255) marks the area to edit.")
        payload["mask_id"] = s.store.put(mask)
    return payload
