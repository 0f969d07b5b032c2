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
