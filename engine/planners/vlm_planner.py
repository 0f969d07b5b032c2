"""Single-call planning with any langchain-core chat model that can see images.

One request on the happy path: system + user message (the image as a data URL, the rendered plan
prompt with the session's earlier turns) -> parse. An answer that there is no edit to make raises
NotUnderstoodError at once (no re-ask). A malformed answer is repaired when safe (engine.planners.parse); otherwise
the model is re-asked with the validation error, at most `plan_retries` times, and then
`PlanParseError` shows its last raw answer.
"""
from __future__ import annotations

import time

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from engine.errors import PlanParseError
from engine.planners.image_payload import encode_image
from engine.planners.parse import PlanValidationError, parse_plan
from engine.plan import PlanResult
from engine.protocols import PlanRequest
from engine.prompts import render


def message_text(message: BaseMessage) -> str:
    """The text of a chat message whose content is a string or a list of content blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = [b if isinstance(b, str) else b.get("text", "") for b in content if isinstance(b, (str, dict))]
    return "".join(parts)


def history_for_prompt(history) -> list[dict]:
    """The earlier turns as the plan prompt lists them: instruction, category, target, caption, accepted."""
    out = []
    for turn in history:
        plan = turn.plan
        steps = plan.all_steps() if plan is not None else []
        out.append({"instruction": turn.instruction, "accepted": turn.accepted,
                    "category": " then ".join(s.category for s in steps),
                    "target": " / ".join(s.target for s in steps if s.target),
                    "caption": steps[-1].caption if steps else ""})
    return out


def planning_options(settings) -> dict:
    """The VLMPlanner keyword arguments that come from Settings."""
    return {"max_image_side": settings.vlm_max_image_side, "plan_retries": settings.plan_retries}


class VLMPlanner:
    """Planner protocol over a chat model. `name` is recorded with each plan."""

    def __init__(self, chat_model, *, name: str, max_image_side: int = 1024, plan_retries: int = 2):
        self.chat_model = chat_model
        self.name = name
        self.max_image_side = max_image_side
        self.plan_retries = plan_retries

    def _messages(self, request: PlanRequest) -> tuple[list[BaseMessage], str, tuple | None, tuple | None]:
        full = shown = None
        content: list[dict] = []
        if request.image is not None:
            url, shown = encode_image(request.image, self.max_image_side)
            full = (request.image.shape[1], request.image.shape[0])
            content.append({"type": "image_url", "image_url": {"url": url}})
        prompt = render("plan", instruction=request.instruction, width=shown[0] if shown else None,
                        height=shown[1] if shown else None, history=history_for_prompt(request.history),
                        feedback=request.feedback)
        content.append({"type": "text", "text": prompt.text})
        messages = [SystemMessage(render("plan_system").text), HumanMessage(content=content)]
        return messages, prompt.sha256, shown, full

    def plan(self, request: PlanRequest) -> PlanResult:
        t0 = time.perf_counter()
        messages, sha, shown, full = self._messages(request)
        raw, requests = "", 0
        for _ in range(self.plan_retries + 1):
            answer = self.chat_model.invoke(messages)
            requests += 1
            raw = message_text(answer)
            try:
                plan = parse_plan(raw, shown, full, turns=len(request.history))
            except PlanValidationError as exc:
                error = exc.reason
                messages = [*messages, AIMessage(raw), HumanMessage(render("plan_retry", error=error).text)]
                continue
            return PlanResult(plan=plan, planner=self.name, prompt_sha256=sha, requests=requests, raw=raw,
                              seconds=round(time.perf_counter() - t0, 4))
        raise PlanParseError(
            f"The '{self.name}' planner gave no valid plan in {requests} request(s); last error: {error}",
            raw=raw, fix="Use a stronger model, raise plan_retries, or use --planner rules.")
