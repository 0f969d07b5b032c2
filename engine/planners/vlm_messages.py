"""langchain-core messages -> a chat-template conversation + the PIL images it refers to.

Every message becomes {"role", "content": [blocks]} with blocks {"type": "image"} / {"type": "text"}
(the form the Qwen2-VL and LLaVA chat templates read). Earlier tool calls are written back as
`<tool_call>` text and tool results as user turns, so templates without a tool role still work.
Bound tools are described in the system turn (prompts/tools.jinja).
"""
from __future__ import annotations

import base64
import io

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from PIL import Image

from engine.errors import BadImageError
from engine.planners.image_payload import decode_data_url
from engine.planners.tool_calls import format_tool_call
from engine.prompts import render

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "user"}


def _image(block: dict) -> Image.Image:
    if block.get("type") == "image_url":
        url = block["image_url"]["url"] if isinstance(block["image_url"], dict) else block["image_url"]
        return decode_data_url(url)
    data = block.get("base64") or block.get("data")
    if data:
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    url = block.get("url") or ""
    if url.startswith("data:"):
        return decode_data_url(url)
    raise BadImageError(f"Local VLMs need inline images (data URL or base64), got {str(block)[:80]}.")


def _blocks(message: BaseMessage, images: list) -> list[dict]:
    content = message.content
    raw = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
    blocks: list[dict] = []
    for block in raw:
        if isinstance(block, str):
            blocks.append({"type": "text", "text": block})
        elif block.get("type") in ("image_url", "image"):
            images.append(_image(block))
            blocks.append({"type": "image"})
        elif block.get("type") == "text":
            blocks.append({"type": "text", "text": block.get("text", "")})
    return blocks


def _tool_specs(tools: list[dict]) -> list[dict]:
    specs = []
    for tool in tools:
        fn = tool.get("function", tool)
        specs.append({"name": fn["name"], "description": fn.get("description", ""),
                      "parameters": fn.get("parameters", {})})
    return specs


def to_conversation(messages: list[BaseMessage], tools: list[dict] | None = None) -> tuple[list[dict], list]:
    """(conversation for apply_chat_template, PIL images in order of appearance)."""
    images: list = []
    conversation: list[dict] = []
    for message in messages:
        blocks = _blocks(message, images)
        if isinstance(message, AIMessage) and message.tool_calls:
            blocks.append({"type": "text", "text": "\n".join(format_tool_call(c) for c in message.tool_calls)})
        if isinstance(message, ToolMessage):
            blocks.insert(0, {"type": "text", "text": f"Result of tool call {message.tool_call_id}: "})
        conversation.append({"role": _ROLES.get(message.type, "user"), "content": blocks})
    if tools:
        text = render("tools", tools=_tool_specs(tools)).text
        if conversation and conversation[0]["role"] == "system":
            conversation[0]["content"].append({"type": "text", "text": "\n\n" + text})
        else:
            conversation.insert(0, {"role": "system", "content": [{"type": "text", "text": text}]})
    return conversation, images


def tool_names(tools: list[dict] | None) -> set[str]:
    return {spec["name"] for spec in _tool_specs(tools or [])}
