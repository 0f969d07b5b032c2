"""Routers: pure functions of the state (and of settings bound when the graph is built)."""
from __future__ import annotations

from agent.state import EditState


def after_replan(state: EditState, mode: str) -> str:
    if state.get("stop"):
        return "offer"
    return "act" if mode == "tool-calling" else "plan"


def after_plan(state: EditState) -> str:
    return "ground"  # one place to dispatch plans another tool performs (e.g. photometric `operations`)


def after_ground(state: EditState) -> str:
    if not state.get("mask_id"):
        return "replan"
    return "adjust" if (state.get("plan") or {}).get("operations") else "inpaint"  # photo adjustments: no model


def after_verify(state: EditState, budget: int) -> str:
    if state.get("stop"):
        return "offer"
    if (state.get("verdict") or {"ok": True}).get("ok"):
        return "review"
    return "replan" if int(state.get("attempt", 0)) < budget else "offer"


def after_review(state: EditState, budget: int) -> str:
    if state.get("decision") == "accept":
        return "commit"
    return "replan" if int(state.get("attempt", 0)) < budget else "__end__"


def after_offer(state: EditState, exhausted: str) -> str:
    if state.get("decision") == "reject":
        return "__end__"
    return "review" if exhausted == "review" else "commit"
