"""Routers: pure functions of the state."""
from __future__ import annotations

from agent.state import EditState


def start(state: EditState, mode: str) -> str:
    return "act" if mode == "tool-calling" else "plan"


def after_ground(state: EditState) -> str:
    if not state.get("mask_id"):
        return "retry"
    return "adjust" if (state.get("plan") or {}).get("operations") else "inpaint"  # photo adjustments: no model


def after_verify(state: EditState, budget: int) -> str:
    verdict = state.get("verdict") or {"ok": True}
    if verdict.get("ok") or int(state.get("attempt", 0)) >= budget:
        return "review"
    return "retry"


def after_review(state: EditState, budget: int) -> str:
    if state.get("decision") == "accept":
        return "commit"
    return "retry" if int(state.get("attempt", 0)) < budget else "__end__"
