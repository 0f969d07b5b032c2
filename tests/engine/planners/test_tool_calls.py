"""Parsing a local model's tool-call text into langchain-core tool calls."""
import pytest

from engine.planners.tool_calls import format_tool_call, parse_tool_calls

NAMES = {"segment", "blend"}


def _calls(text):
    rest, calls = parse_tool_calls(text, NAMES)
    return rest, [(c["name"], c["args"]) for c in calls]


def test_several_tool_call_blocks_and_the_text_around_them():
    text = ('I will segment then blend.\n<tool_call>{"name": "segment", "arguments": {"box": [1, 2, 3, 4]}}</tool_call>'
            '\n<tool_call>{"name": "blend", "arguments": "{\\"image_id\\": \\"a\\"}"}</tool_call>')
    rest, calls = _calls(text)
    assert calls == [("segment", {"box": [1, 2, 3, 4]}), ("blend", {"image_id": "a"})]
    assert rest == "I will segment then blend."


@pytest.mark.parametrize("text", [
    '<tool_call>{"name": "segment", "arguments": {"box": [1, 2, 3, 4]}}',             # closing tag cut off
    '<tool_call>\n{"name": "segment", "arguments": {"box": [1, 2, 3, 4],},}\n</tool_call>',  # trailing commas
    '{"name": "segment", "parameters": {"box": [1, 2, 3, 4]}}',                      # bare JSON object
    '{"function": {"name": "segment", "arguments": "{\\"box\\": [1, 2, 3, 4]}"}}',  # OpenAI-shaped
])
def test_tool_call_forms(text):
    assert _calls(text)[1] == [("segment", {"box": [1, 2, 3, 4]})]


@pytest.mark.parametrize("text", [
    '<tool_call>{"name": "teleport", "arguments": {}}</tool_call>',  # not a bound tool
    '{"category": "remove", "target": "cup", "caption": "x"}',       # a plan, not a call
    "All done, the image is edited.",
    '<tool_call>{"name": "segment", "arguments": "not json"}</tool_call>',
])
def test_non_calls_stay_text(text):
    rest, calls = _calls(text)
    assert calls == [] and rest == text


def test_written_back_call_parses_to_itself():
    call = {"name": "blend", "args": {"image_id": "a", "mask_id": "m"}, "id": "c1"}
    assert _calls(format_tool_call(call))[1] == [("blend", {"image_id": "a", "mask_id": "m"})]
