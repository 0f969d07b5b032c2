"""Tool calls in a local model's text output -> langchain-core tool calls.

Understood forms: `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` blocks (Qwen, Hermes),
and an answer that is only a JSON object (or fenced JSON) with "name" and "arguments"/"parameters"
naming a bound tool. `arguments` may itself be a JSON string.
"""
from __future__ import annotations

import json
import re
import uuid

from engine.planners.json_repair import JSONRepairError, extract_json_object

_BLOCK = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.DOTALL)


def _call(data: dict, names: set[str] | None) -> dict | None:
    if "function" in data and isinstance(data["function"], dict):
        data = data["function"]
    name = data.get("name")
    args = data.get("arguments", data.get("parameters", data.get("args", {})))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            return None
    if not isinstance(name, str) or not isinstance(args, dict) or (names is not None and name not in names):
        return None
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


def parse_tool_calls(text: str, tool_names: set[str] | None = None) -> tuple[str, list[dict]]:
    """(text without the tool calls, tool calls). Unknown tool names are left as text."""
    calls: list[dict] = []
    if "<tool_call>" in text:
        for block in _BLOCK.findall(text):
            try:
                call = _call(extract_json_object(block), tool_names)
            except JSONRepairError:
                call = None
            if call:
                calls.append(call)
        if calls:
            return _BLOCK.sub("", text).strip(), calls
    stripped = text.strip()
    if stripped.startswith(("{", "```")):
        try:
            call = _call(extract_json_object(stripped), tool_names)
        except JSONRepairError:
            call = None
        if call:
            return "", [call]
    return text, []


def format_tool_call(call: dict) -> str:
    """How an earlier tool call is written back into the conversation for the chat template."""
    return "<tool_call>" + json.dumps({"name": call["name"], "arguments": call.get("args", {})}) + "</tool_call>"
