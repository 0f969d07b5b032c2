"""Tool-calling chat models and the VLM verifier, over the scripted OpenAI-compatible server."""
import json

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool

from engine.errors import ModelNotAvailableError, PlannerBackendError
from engine.planners.chat_models import make_chat_model
from engine.plan import EditPlan
from engine.planners.transformers_vlm import TransformersVLM, _LOADED
from engine.verification_vlm import VLMJudge, read_verdict
from engine.settings import Settings


@tool
def segment(image_id: str, box: list[float]) -> str:
    """Segment the object inside box (x, y, w, h pixels of the image) and return a mask id."""
    return json.dumps({"mask_id": "m1"})


def test_bound_tools_go_over_the_wire_and_calls_come_back_parsed(server, openai_settings):
    server.set_script([{"tool_calls": [{"name": "segment", "arguments": {"image_id": "abc", "box": [1, 2, 3, 4]}}]},
                       {"content": "Done."}])
    llm = make_chat_model(openai_settings).bind_tools([segment])
    messages = [HumanMessage("segment the cup in abc")]
    ai = llm.invoke(messages)
    assert [(c["name"], c["args"]) for c in ai.tool_calls] == [("segment", {"image_id": "abc", "box": [1, 2, 3, 4]})]
    sent = server.requests[0]["tools"][0]["function"]
    assert sent["name"] == "segment" and set(sent["parameters"]["properties"]) == {"image_id", "box"}
    messages += [ai, ToolMessage("Box is outside the image.", tool_call_id=ai.tool_calls[0]["id"], status="error")]
    final = llm.invoke(messages)
    assert final.content == "Done." and not final.tool_calls
    tool_msg = server.requests[1]["messages"][-1]
    assert tool_msg["role"] == "tool" and tool_msg["tool_call_id"] == ai.tool_calls[0]["id"]


def test_backend_failure_inside_tool_calling_is_typed(server, openai_settings):
    server.set_script([{"status": 503, "headers": {"retry-after-ms": "1"}}])
    llm = make_chat_model(openai_settings.model_copy(update={"http_retries": 1})).bind_tools([segment])
    with pytest.raises(PlannerBackendError, match="HTTP 503"):
        llm.invoke([HumanMessage("go")])
    assert len(server.requests) == 2


def test_chat_model_choice_follows_the_planner_setting(tmp_path):
    with pytest.raises(ModelNotAvailableError, match="no chat model"):
        make_chat_model(Settings.load(env={}, data_dir=tmp_path, planner="rules"))
    model = make_chat_model(Settings.load(env={}, data_dir=tmp_path, planner="transformers",
                                          vlm_model=str(tmp_path / "not-there")))
    assert isinstance(model, TransformersVLM) and model.model_path.endswith("not-there")
    assert not any(k[0] == model.model_path for k in _LOADED)  # constructing loads nothing


@pytest.mark.parametrize("answer,expected", [
    ('{"ok": false, "reason": "the cup is still visible"}', (False, "target_still_present", "the cup is still visible")),
    ('```json\n{"ok": "yes", "reason": "cup gone",}\n```', (True, "none", "cup gone")),
    ("No. The cup is still there.", (False, "target_still_present", "The cup is still there")),
    ("Yes, looks right.", (True, "none", "looks right")),
    ('{"ok": false, "problem": "artifact", "reason": "a grey smear"}', (False, "artifact", "a grey smear")),
])
def test_verifier_reads_yes_no_with_reason(server, openai_settings, photo, answer, expected):
    server.set_script([{"content": answer}])
    plan = EditPlan(category="remove", target="cup", caption="a table")
    verdict = VLMJudge(make_chat_model(openai_settings)).verify(photo, photo[::-1].copy(), "remove the cup", plan)
    assert (verdict.ok, verdict.problem, verdict.reason) == expected and verdict.by == "vlm"
    parts = server.requests[0]["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["image_url", "image_url", "text"]  # before, after, question
    assert "remove the cup" in parts[2]["text"] and "a table" in parts[2]["text"]


def test_unreadable_verdict_keeps_the_result_and_says_so(server, openai_settings, photo):
    server.set_script([{"content": "Hmm, hard to say."}])
    verdict = VLMJudge(make_chat_model(openai_settings)).verify(
        photo, photo, "remove the cup", EditPlan(category="remove", target="cup", caption="a table"))
    assert verdict.ok and "could not be read" in verdict.reason and "hard to say" in verdict.reason
    assert read_verdict("maybe") is None
