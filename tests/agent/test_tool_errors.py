"""Tool-calling mode: malformed calls and recoverable tool errors go back to the model (ToolNode),
within the per-edit error budget; unrecoverable errors stop the run with their typed error."""
import json

import pytest
from fakes import ScriptedChat
from langchain_core.messages import AIMessage, ToolMessage

from agent.session import Session
from engine.errors import StepBudgetError, UnsupportedEditError
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner

REMOVE = {"category": "remove", "target": "spoon", "caption": "an empty saucer"}


def _call(name, args, i):
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c{i}"}])


def _tools(messages):
    return [m for m in messages if isinstance(m, ToolMessage)]


def _fixing_model(holder, seen):
    """Calls with malformed arguments first, reads the error, then calls correctly."""

    def script(messages):
        i = len([m for m in messages if isinstance(m, AIMessage)])
        img, last = holder["id"], (_tools(messages) or [None])[-1]
        seen.append(last)
        if i == 0:
            return _call("segment", {"image_id": img, "boxes": "the spoon"}, i)  # not a list of boxes
        if i == 1:
            return _call("paint", {"image_id": img}, i)  # no such tool
        if i == 2:
            return _call("segment", {"image_id": img, "boxes": [list(SPOON_BOX)]}, i)
        if i == 3:
            return _call("inpaint", {"image_id": img, "mask_id": json.loads(last.content)["mask_id"]}, i)  # no prompt
        if i == 4:
            mask = json.loads(_tools(messages)[2].content)["mask_id"]
            return _call("inpaint", {"image_id": img, "mask_id": mask, "prompt": "saucer", "category": "remove"}, i)
        if i == 5:
            mask = json.loads(_tools(messages)[2].content)["mask_id"]
            return _call("blend", {"source_id": img, "generated_id": json.loads(last.content)["image_id"],
                                   "mask_id": mask}, i)
        return AIMessage(content="Removed the spoon.")

    return script


def test_malformed_tool_calls_go_back_to_the_model_which_fixes_them(settings, make_backends):
    settings = settings.model_copy(update={"planning_mode": "tool-calling"})
    holder, seen = {}, []
    chat = ScriptedChat(script=_fixing_model(holder, seen))
    s = Session.new("t", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), chat_model=chat))
    holder["id"] = s.head.image_id
    out = s.edit("remove the spoon")
    assert out.status == "committed" and out.version.image_id != s.history()[0].image_id
    bad_args, unknown, bad_call = seen[1], seen[2], seen[4]
    assert bad_args.status == "error" and "boxes" in bad_args.content and "segment" in bad_args.content
    assert unknown.status == "error" and "paint" in unknown.content and "segment" in unknown.content
    assert bad_call.status == "error" and "prompt" in bad_call.content and "Field required" in bad_call.content
    assert s.attempts()[0].status == "committed"


def test_failed_calls_beyond_the_error_budget_stop_the_run(settings, make_backends):
    settings = settings.model_copy(update={"planning_mode": "tool-calling", "tool_error_budget": 2})
    chat = ScriptedChat(script=lambda m: _call("segment", {"image_id": "x", "boxes": 3}, len(m)))
    s = Session.new("t2", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), chat_model=chat))
    with pytest.raises(StepBudgetError, match="3 tool calls failed .budget 2.; last error: .*boxes"):
        s.edit("remove the spoon")
    assert s.head.id == "v0" and s.attempts() == []


def test_unrecoverable_tool_error_stops_with_its_type(settings, make_backends):
    settings = settings.model_copy(update={"planning_mode": "tool-calling"})
    chat = ScriptedChat(script=lambda m: _call("detect_target", {"image_id": "x", "target": "spoon"}, len(m)))
    s = Session.new("t3", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), chat_model=chat))
    with pytest.raises(UnsupportedEditError, match="GroundingDINO"):  # lite has no detector: not the model's fault
        s.edit("remove the spoon")
    assert s.head.id == "v0"
