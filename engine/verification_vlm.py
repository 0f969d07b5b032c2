"""The VLM judge: before/after + instruction -> a typed verdict in one call (prompts/verify.jinja),
and the VLM reading of a person's rejection reason (prompts/verify_reason.jinja).

Answers are read leniently: a JSON object {"ok", "problem", "reason"} (repaired when malformed),
or a leading yes/no. An unreadable answer never crashes the edit: the result is kept and the
verdict says why. A missing or unknown `problem` on a rejection is taken from the reason's words.
"""
from __future__ import annotations

import numpy as np
from langchain_core.messages import HumanMessage

from engine.plan import EditPlan
from engine.planners.image_payload import encode_image
from engine.planners.json_repair import JSONRepairError, extract_json_object
from engine.planners.vlm_planner import message_text
from engine.prompts import render
from engine.verification import PROBLEMS, Case, Verdict
from engine.verification_reason import rule_problem

_YES = ("yes", "true", "ok", "pass", "passed", "accept", "accepted", "1")
_NO = ("no", "false", "fail", "failed", "reject", "rejected", "0")


def read_verdict(raw: str, by: str = "vlm") -> Verdict | None:
    """{"ok": ..., "problem": ..., "reason": ...} or a leading yes/no -> Verdict; None when unreadable."""
    problem = None
    try:
        data = extract_json_object(raw)
        value = next((data[k] for k in ("ok", "success", "passed", "answer", "verdict") if k in data), None)
        reason = str(data.get("reason") or data.get("explanation") or "").strip()
        problem = str(data.get("problem") or "").strip().lower() or None
    except JSONRepairError:
        words = raw.strip().lower().split(None, 1)
        value = words[0].strip(".,:;!") if words else None
        reason = raw.strip().split(None, 1)[1].strip(" .,:;-") if len(words) > 1 else ""
    if isinstance(value, bool):
        ok = value
    elif str(value).strip().lower() in _YES + _NO:
        ok = str(value).strip().lower() in _YES
    else:
        return None
    if ok:
        return Verdict(ok=True, by=by, score=1.0, reason=reason or "the verifier accepted the edit")
    if problem not in PROBLEMS or problem == "none":
        problem = rule_problem(reason) or "off_instruction"
    return Verdict(ok=False, problem=problem, by=by, score=0.0, reason=reason or "the verifier rejected the edit")


class VLMJudge:
    """Asks a chat model whether the result follows the instruction; never crashes on a bad answer."""

    name = "vlm"

    def __init__(self, chat_model, max_image_side: int = 768):
        self.chat_model = chat_model
        self.max_image_side = max_image_side
        self.last_raw: str | None = None

    def verify(self, before: np.ndarray, after: np.ndarray, instruction: str, plan: EditPlan) -> Verdict:
        prompt = render("verify", instruction=instruction, category=plan.category, target=plan.target,
                        caption=plan.caption)
        content = [{"type": "image_url", "image_url": {"url": encode_image(img, self.max_image_side)[0]}}
                   for img in (before, after)]
        content.append({"type": "text", "text": prompt.text})
        self.last_raw = raw = message_text(self.chat_model.invoke([HumanMessage(content=content)]))
        verdict = read_verdict(raw, self.name)
        if verdict is None:
            return Verdict(ok=True, by=self.name,
                           reason=f"the verifier's answer could not be read, result kept: {raw.strip()[:200]!r}")
        return verdict

    def judge(self, case: Case) -> Verdict:
        return self.verify(case.source, case.result, case.instruction, case.plan)


def classify_reason(chat_model, reason: str, instruction: str = "") -> str | None:
    """The problem type the VLM reads in a person's reason; None when its answer is unusable."""
    prompt = render("verify_reason", instruction=instruction or "(not given)", reason=reason)
    raw = message_text(chat_model.invoke([HumanMessage(content=prompt.text)]))
    try:
        problem = str(extract_json_object(raw).get("problem") or "").strip().lower()
    except JSONRepairError:
        problem = raw.strip().strip('."').lower()
    return problem if problem in PROBLEMS and problem != "none" else None
