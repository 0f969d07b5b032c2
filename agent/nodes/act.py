"""act: tool-calling mode. The chat model calls the typed tools in a loop (LangGraph's prebuilt
ToolNode + tools_condition, as a subgraph whose messages never reach the edit's state).

Two error channels (STYLE.md §6): arguments that fail validation (ToolInvocationError) and
recoverable tool errors (RecoverableToolError, turned into error tool messages by tools._base) go
back to the model, at most `tool_error_budget` times per edit; every other error (missing
weights, a corrupt file) stops the run with its typed error. `tool_step_budget` caps model calls.
"""
from __future__ import annotations

import json
from typing import Annotated, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.prebuilt.tool_node import ToolInvocationError
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes._util import emit, timed
from agent.state import EditState
from engine.errors import BrushEditError, StepBudgetError
from engine.replan import AttemptParams
from tools import all_tools

# which result field of which tool gives which state key
_TRACK = {"classify_edit": ("plan", "plan"), "ground_edit": ("mask_id", "mask_id"),
          "segment": ("mask_id", "mask_id"), "edit_mask": ("mask_id", "mask_id"),
          "inpaint": ("image_ids", "generated_ids"), "blend": ("image_id", "result_id")}


class ToolLoop(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


def _task(state: EditState, params: AttemptParams) -> str:
    lines = [f"Instruction: {state['instruction']}", f"Image id: {state['source_id']}"]
    if state.get("user_box"):
        lines.append(f"The user marked the target with box x,y,w,h = {list(state['user_box'])}.")
    if state.get("user_mask_id"):
        lines.append(f"The user drew a mask: mask id {state['user_mask_id']} (combine: {state.get('combine')}).")
    if state.get("history"):
        lines.append("Earlier instructions: " + " | ".join(t["instruction"] for t in state["history"]))
    if params.feedback:
        lines.append(f"Your previous attempt was rejected: {params.feedback}")
        lines.append(f"For this attempt: {params.change}; inpaint with seeds {params.seeds}"
                     + (f", method '{params.method}'" if params.method else "")
                     + (f", grow the mask by {params.grow_px} px" if params.grow_px else "") + ".")
    return "\n".join(lines)


def _invalid_call(error: ToolInvocationError) -> str:
    """Arguments that failed the tool's schema: the tool, the arguments and what to fix, for the model."""
    return error.message


def _loop(llm, tools, step_budget: int, error_budget: int):
    def model(state: ToolLoop) -> dict:
        msgs = state["messages"]
        errors = [m for m in msgs if isinstance(m, ToolMessage) and m.status == "error"]
        if len(errors) > error_budget:
            raise StepBudgetError(f"{len(errors)} tool calls failed (budget {error_budget}); last error: "
                                  f"{str(errors[-1].content)[:300]}",
                                  fix="Raise tool_error_budget or use --mode single-call.")
        if sum(isinstance(m, AIMessage) for m in msgs) >= step_budget:
            raise StepBudgetError(f"The model made {step_budget} tool-calling steps without finishing.",
                                  fix="Raise tool_step_budget or use --mode single-call.")
        return {"messages": [llm.invoke(msgs)]}

    g = StateGraph(ToolLoop)
    g.add_node("model", model)
    g.add_node("tools", ToolNode(tools, handle_tool_errors=_invalid_call))
    g.add_edge(START, "model")
    g.add_conditional_edges("model", tools_condition, ["tools", END])
    g.add_edge("tools", "model")
    return g.compile()


def _found(messages: list) -> dict:
    """The last successful result of each tracked tool; `adjusted`: the last adjust call's result
    ({image_id, operations, mask_id}) when no blend came after it (the adjusted image is final)."""
    found: dict = {}
    calls = {c["id"]: c.get("args") or {} for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    for m in messages:
        if not isinstance(m, ToolMessage) or m.status == "error" or m.name not in (*_TRACK, "adjust"):
            continue
        try:
            data = json.loads(m.content)
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        if m.name == "adjust" and "image_id" in data:
            found["adjusted"] = {**data, "mask_id": calls.get(m.tool_call_id, {}).get("mask_id")}
            continue
        src, key = _TRACK[m.name]
        if src in data:
            found[key] = data[src]
            if key == "result_id":
                found.pop("adjusted", None)
    return found


def _adjusted(state: EditState, found: dict, final: str, ctx) -> dict:
    """The state update of an edit the model made with the adjust tool: its image is the result, its
    operations are the plan's (the record says what was adjusted), its mask where it applied (all: global)."""
    import numpy as np

    done = found["adjusted"]
    mask_id = done.get("mask_id")
    if not mask_id:
        h, w = ctx.store.get_image(state["source_id"]).shape[:2]
        mask_id = ctx.store.put(np.ones((h, w), bool))
    plan = dict(found.get("plan") or {"category": "global" if not done.get("mask_id") else "local", "target": "",
                                       "caption": final or ""})
    plan["operations"] = done["operations"]
    return {"plan": plan, "mask_id": mask_id, "generated_ids": [done["image_id"]], "result_ids": [done["image_id"]]}


def act(state: EditState, runtime: Runtime[AgentContext]) -> dict:
    from engine.prompts import render

    ctx = runtime.context
    s = ctx.settings
    params = AttemptParams.model_validate(state["params"])
    tools = all_tools(ctx.tools)
    loop = _loop(ctx.backends.chat_model.bind_tools(tools), tools, s.tool_step_budget, s.tool_error_budget)
    msgs = [SystemMessage(render("agent").text), HumanMessage(_task(state, params))]
    timings: dict = {}
    with timed(timings, "act"):
        out = loop.invoke({"messages": msgs}, {"recursion_limit": 2 * s.tool_step_budget + 5})
    messages = out["messages"]
    for m in messages:
        if isinstance(m, AIMessage):
            for call in m.tool_calls:
                emit(runtime, "tool", name=call["name"])
    found = _found(messages)
    final = messages[-1].content if isinstance(messages[-1], AIMessage) else ""
    meta = {"planner": "tool-calling", "requests": sum(isinstance(m, AIMessage) for m in messages)}
    if found.get("adjusted"):
        return {**_adjusted(state, found, final, ctx), "plan_meta": {**meta, "inpainter": "adjust"}, "timings": timings}
    if not found.get("result_id") or not found.get("mask_id"):
        raise BrushEditError("The model finished without producing an edited image (no successful blend or adjust call).",
                             fix="Use --mode single-call, or a model that follows tool-calling instructions.")
    plan = found.get("plan") or {"category": "local", "target": "", "caption": final or ""}
    return {"plan": plan, "plan_meta": meta,
            "mask_id": found["mask_id"], "generated_ids": (found.get("generated_ids") or [])[:1],
            "result_ids": [found["result_id"]], "timings": timings}
