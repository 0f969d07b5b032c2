"""OpenAIPlanner against a real HTTP server on localhost speaking the chat-completions protocol."""
import base64
import io
import json
import socket
import time

import pytest
from PIL import Image

from engine.backends import make_planner
from engine.errors import NotUnderstoodError, PlannerBackendError, PlanParseError
from engine.plan import Turn
from engine.planners.openai_compat import OpenAIPlanner
from engine.planners.parse import parse_plan
from engine.planners.vlm_planner import history_for_prompt
from engine.protocols import PlanRequest
from engine.settings import Settings
from planner_fixtures import ADD_PLAN, PLAN
from engine.prompts import render

FAST = {"retry-after-ms": "1"}  # the client honours it: keeps retry tests fast


def _image_of(request: dict) -> Image.Image:
    parts = request["messages"][1]["content"]
    url = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
    assert url.startswith("data:image/jpeg;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def _text_of(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


def test_happy_path_is_one_request_with_the_image_as_data_url(server, openai_settings, photo):
    planner = make_planner(openai_settings)
    assert isinstance(planner, OpenAIPlanner) and server.requests == []  # constructing sends nothing
    result = planner.plan(PlanRequest("remove the cup", photo, history=(Turn(instruction="make it brighter"),)))
    assert result.plan.model_dump(include={"category", "target", "caption"}) == {
        k: PLAN[k] for k in ("category", "target", "caption")}
    assert result.requests == 1 and len(server.requests) == 1
    assert result.planner == "openai:scripted-vlm" and result.raw == json.dumps(PLAN) and result.seconds > 0
    body = server.requests[0]
    assert body["model"] == "scripted-vlm" and body["messages"][0]["role"] == "system"
    assert _image_of(body).size == (64, 48)  # 128x96 downscaled to vlm_max_image_side=64
    prompt = _text_of(body["messages"][1])
    assert "remove the cup" in prompt and "64x48" in prompt and '1. "make it brighter"' in prompt
    expected = render("plan", instruction="remove the cup", width=64, height=48,
                      history=history_for_prompt([Turn(instruction="make it brighter")]), feedback=None)
    assert result.prompt_sha256 == expected.sha256


def test_plan_wrapped_in_prose_and_fences_needs_no_second_request(server, openai_settings, photo):
    server.set_script([{"content": f"Sure! Here it is:\n```json\n{json.dumps(PLAN)[:-1]},}}\n```\nHope it helps."}])
    result = OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", photo))
    assert result.plan.target == "cup" and result.requests == 1 and len(server.requests) == 1


def test_malformed_then_valid_takes_the_retry_path(server, openai_settings, photo):
    server.set_script([{"content": '{"category": "teleport", "target": "cup", "caption": "x"}'},
                       {"content": json.dumps(PLAN)}])
    result = OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", photo))
    assert result.plan.category == "remove" and result.requests == 2 and len(server.requests) == 2
    second = server.requests[1]["messages"]
    assert second[2] == {"role": "assistant", "content": '{"category": "teleport", "target": "cup", "caption": "x"}'}
    assert "unknown category 'teleport'" in _text_of(second[3])  # the validation error is fed back


def test_always_malformed_ends_in_plan_parse_error_with_raw(server, openai_settings, photo):
    server.set_script([{"content": "Plan: take the cup away, probably."}])
    with pytest.raises(PlanParseError) as info:
        OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", photo))
    assert len(server.requests) == openai_settings.plan_retries + 1 == 3
    assert info.value.raw == "Plan: take the cup away, probably." and "take the cup away" in str(info.value)
    assert "3 request(s)" in str(info.value)


@pytest.mark.parametrize("answer", ['{"category": "none", "reason": "a question about the car colour"}',
                                    "I am not sure what you mean: this is not an image editing request."])
def test_model_answering_no_edit_is_not_understood_after_one_request(server, openai_settings, photo, answer):
    server.set_script([{"content": answer}])
    with pytest.raises(NotUnderstoodError) as info:
        OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("what colour is the car?", photo))
    assert len(server.requests) == 1 and info.value.fix


def test_history_and_compound_answer_reach_the_plan(server, openai_settings, photo):
    steps = {"steps": [PLAN, {"category": "global", "target": "", "caption": "the same photo in black and white",
                              "operations": [{"op": "grayscale", "strength": 1}]}],
             "references": [{"phrase": "it", "resolved": "cup", "turn": 1}]}
    server.set_script([{"content": json.dumps(steps)}])
    history = (Turn(instruction="add a cup", plan=parse_plan(json.dumps(ADD_PLAN)), version="v1"),)
    plan = OpenAIPlanner.from_settings(openai_settings).plan(
        PlanRequest("remove it and make it black and white", photo, history=history)).plan
    assert [s.category for s in plan.all_steps()] == ["remove", "global"]
    assert plan.steps[1].operations[0].op == "grayscale" and plan.references[0].turn == 0
    prompt = _text_of(server.requests[0]["messages"][1])
    assert '1. "add a cup" -> addition, target "red ball", caption "a red ball on the table"' in prompt


def test_addition_box_is_mapped_from_shown_to_full_resolution(server, openai_settings, photo):
    server.set_script([{"content": json.dumps(ADD_PLAN)}])  # box [16, 8, 32, 16] in the 64x48 image shown
    plan = OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("add a red ball", photo)).plan
    assert plan.category == "addition" and plan.box.as_tuple() == (32.0, 16.0, 64.0, 32.0)


def test_500_is_retried_with_backoff_then_succeeds(server, openai_settings, photo):
    server.set_script([{"status": 500}, {"content": json.dumps(PLAN)}])
    t0 = time.perf_counter()
    result = OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", photo))
    assert result.requests == 1 and len(server.requests) == 2
    assert time.perf_counter() - t0 > 0.3  # the client backed off before retrying


def test_429_retried_then_typed_error_naming_endpoint_and_status(server, openai_settings, photo):
    server.set_script([{"status": 429, "headers": FAST, "body": {"error": {"message": "slow down"}}}])
    with pytest.raises(PlannerBackendError) as info:
        OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", photo))
    assert len(server.requests) == openai_settings.http_retries + 1
    assert server.base_url in str(info.value) and "HTTP 429" in str(info.value) and "slow down" in str(info.value)


def test_400_is_not_retried(server, openai_settings, photo):
    server.set_script([{"status": 400, "headers": FAST, "body": {"error": {"message": "bad image"}}}])
    with pytest.raises(PlannerBackendError, match="HTTP 400"):
        OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", photo))
    assert len(server.requests) == 1


def test_slow_response_times_out_with_typed_error(server, openai_settings, photo):
    server.set_script([{"delay": 1.5, "content": json.dumps(PLAN)}])
    settings = openai_settings.model_copy(update={"http_timeout_s": 0.3, "http_retries": 0})
    t0 = time.perf_counter()
    with pytest.raises(PlannerBackendError, match="timed out") as info:
        OpenAIPlanner.from_settings(settings).plan(PlanRequest("remove the cup", photo))
    assert time.perf_counter() - t0 < 1.4 and server.base_url in str(info.value)


def test_connection_refused_is_a_typed_error(openai_settings, photo):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    settings = openai_settings.model_copy(update={"openai_base_url": f"http://127.0.0.1:{port}/v1", "http_retries": 0})
    with pytest.raises(PlannerBackendError, match="Cannot connect") as info:
        OpenAIPlanner.from_settings(settings).plan(PlanRequest("remove the cup", photo))
    assert f"127.0.0.1:{port}" in str(info.value)


def test_standard_env_vars_configure_the_backend(server, photo, tmp_path):
    env = {"BRUSHEDIT_PLANNER": "openai", "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test",
           "BRUSHEDIT_VLM_MODEL": "env-model", "BRUSHEDIT_HOME": str(tmp_path)}
    result = make_planner(Settings.load(env=env)).plan(PlanRequest("remove the cup", photo))
    assert result.planner == "openai:env-model" and server.requests[0]["model"] == "env-model"
    assert server.headers[0]["authorization"] == "Bearer sk-test"


def test_feedback_reaches_the_prompt_without_an_image(server, openai_settings):
    OpenAIPlanner.from_settings(openai_settings).plan(PlanRequest("remove the cup", feedback="the cup is still there"))
    text = _text_of(server.requests[0]["messages"][1])
    assert "rejected: the cup is still there" in text
    assert all(p["type"] == "text" for p in server.requests[0]["messages"][1]["content"])


def test_overhead_measurement_one_request_and_small_latency():
    from tests.servers.measure_planner_overhead import measure

    numbers = measure(n=5)
    assert numbers["requests_per_edit_happy_path"] == 1.0
    assert numbers["plan_call_ms_median"] < 250 and numbers["parse_messy_ms"] < 5
