"""act: tool-calling mode. The chat model calls the typed tools in a loop; recoverable tool errors
go back to it as tool messages; a step budget ends runaway loops."""
from __future__ import annotations

import json

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.errors import BrushEditError, StepBudgetError
from tools import all_tools

# which result field of which tool updates which state key
_TRACK = {"classify_edit": ("plan", "plan"), "ground_edit": ("mask_id", "mask_id"),
          "segment": ("mask_id", "mask_id"), "edit_mask": ("mask_id", "mask_id"),
          "inpaint": ("image_id", "generated_id"), "blend": ("image_id", "result_id")}


def _task(state: EditState) -> str:
    lines = [f"Instruction: {state['instruction']}", f"Image id: {state['source_id']}"]
    if state.get("user_box"):
        lines.append(f"The user marked the target with box x,y,w,h = {list(state['user_box'])}.")
    if state.get("user_mask_id"):
        lines.append(f"The user drew a mask: mask id {state['user_mask_id']} (combine: {state.get('combine')}).")
    if state.get("history"):
        lines.append("Earlier instructions: " + " | ".join(t["instruction"] for t in state["history"]))
    if state.get("feedback"):
        lines.append(f"Your previous attempt was rejected: {state['feedback']}")
    return "\n".join(lines)


def _call(tool, call: dict, found: dict) -> ToolMessage:
    if tool is None:
        return ToolMessage(f"Unknown tool '{call['name']}'.", tool_call_id=call["id"], status="error")
    out = tool.invoke(call)
    content = out.content if isinstance(out, ToolMessage) else str(out)
    try:
        data = json.loads(content)
    except (TypeError, ValueError):
        return ToolMessage(content, tool_call_id=call["id"], status="error")
    src, key = _TRACK.get(call["name"], (None, None))
    if key and isinstance(data, dict) and src in data:
        found[key] = data[src]
    return ToolMessage(content, tool_call_id=call["id"])


def act(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    from engine.prompts import render

    ctx = runtime.context
    tools = all_tools(ctx.tools)
    by_name = {t.name: t for t in tools}
    llm = ctx.tools.backends.chat_model.bind_tools(tools)
    msgs = [SystemMessage(render("agent").text), HumanMessage(_task(state))]
    found: dict = {}
    timings = dict(state.get("timings") or {})
    with timed(timings, "act"):
        for step in range(ctx.settings.tool_step_budget):
            ai: AIMessage = llm.invoke(msgs)
            msgs.append(ai)
            if not ai.tool_calls:
                break
            for call in ai.tool_calls:
                emit(runtime, "tool", name=call["name"], step=step)
                msgs.append(_call(by_name.get(call["name"]), call, found))
        else:
            raise StepBudgetError(f"The model made {ctx.settings.tool_step_budget} tool-calling steps without "
                                  "finishing.", fix="Raise tool_step_budget or use --mode single-call.")
    if not found.get("result_id") or not found.get("mask_id"):
        raise BrushEditError("The model finished without producing an edited image (no successful blend call).",
                             fix="Use --mode single-call, or a model that follows tool-calling instructions.")
    plan = found.get("plan") or {"category": "local", "target": "", "caption": ai.content or ""}
    return {"plan": plan, "plan_meta": {"planner": "tool-calling", "requests": step + 1},
            "mask_id": found["mask_id"], "generated_id": found.get("generated_id"),
            "result_id": found["result_id"], "timings": timings}
