"""VLM verification of an edit: the model sees before and after and answers yes/no with a reason."""
from __future__ import annotations

import numpy as np
from langchain_core.messages import HumanMessage

from engine.planners.image_payload import encode_image
from engine.planners.json_repair import JSONRepairError, extract_json_object
from engine.plan import EditPlan
from engine.planners.vlm_planner import message_text
from engine.prompts import render

_YES = ("yes", "true", "ok", "pass", "passed", "accept", "accepted", "1")
_NO = ("no", "false", "fail", "failed", "reject", "rejected", "0")


def read_verdict(raw: str) -> tuple[bool, str] | None:
    """{"ok": ..., "reason": ...} or a leading yes/no -> (ok, reason); None when unreadable."""
    try:
        data = extract_json_object(raw)
        value = next((data[k] for k in ("ok", "success", "passed", "answer", "verdict") if k in data), None)
        reason = str(data.get("reason") or data.get("explanation") or "").strip()
    except JSONRepairError:
        words = raw.strip().lower().split(None, 1)
        value = words[0].strip(".,:;!") if words else None
        reason = raw.strip().split(None, 1)[1].strip(" .,:;-") if len(words) > 1 else ""
    if isinstance(value, bool):
        return value, reason
    text = str(value).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES, reason
    return None


class VLMVerifier:
    """Asks a chat model whether `after` follows the instruction; never crashes on a bad answer."""

    def __init__(self, chat_model, max_image_side: int = 768):
        self.chat_model = chat_model
        self.max_image_side = max_image_side
        self.last_raw: str | None = None

    def verify(self, before: np.ndarray, after: np.ndarray, instruction: str, plan: EditPlan) -> tuple[bool, str]:
        prompt = render("verify", instruction=instruction, category=plan.category, target=plan.target,
                        caption=plan.caption)
        content = [{"type": "image_url", "image_url": {"url": encode_image(img, self.max_image_side)[0]}}
                   for img in (before, after)]
        content.append({"type": "text", "text": prompt.text})
        self.last_raw = raw = message_text(self.chat_model.invoke([HumanMessage(content=content)]))
        verdict = read_verdict(raw)
        if verdict is None:
            return True, f"the verifier's answer could not be read, result kept: {raw.strip()[:200]!r}"
        ok, reason = verdict
        return ok, reason or ("the verifier accepted the edit" if ok else "the verifier rejected the edit")
