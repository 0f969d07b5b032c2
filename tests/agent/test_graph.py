"""The graph's loops: review (interrupt) → reject → re-plan, verifier rejections, recoverable errors,
and the tool-calling mode driven by a scripted chat model."""
import json

import pytest
from fakes import ScriptedChat
from langchain_core.messages import AIMessage, ToolMessage

from agent.session import Session
from engine.errors import BrushEditError, EmptyMaskError, StepBudgetError
from helpers import PHOTO, SPOON_BOX, FakeDetector, ScriptedPlanner

REMOVE = {"category": "remove", "target": "spoon", "caption": "an empty saucer"}


def test_review_reject_replans_with_feedback_then_accept_commits(settings, make_backends):
    planner = ScriptedPlanner(REMOVE)
    s = Session.new("r", PHOTO, settings, backends=make_backends(planner=planner), interactive=True)
    first = s.edit("remove the spoon", box=SPOON_BOX)
    assert first.status == "pending" and s.head.id == "v0" and s.pending()["result_id"] == first.result_id
    with pytest.raises(BrushEditError, match="waiting for review"):
        s.undo()
    second = s.reject("the shadow is still there")
    assert second.status == "pending" and len(planner.requests) == 2
    assert "the shadow is still there" in planner.requests[1].feedback
    done = s.accept()
    assert done.status == "committed" and done.version.id == "v1" and done.version.attempts == 2
    assert s.pending() is None and s.head.id == "v1"


def test_rejections_beyond_budget_commit_nothing(settings, make_backends):
    settings = settings.model_copy(update={"retry_budget": 1})
    s = Session.new("b", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)), interactive=True)
    s.edit("remove the spoon", box=SPOON_BOX)
    assert s.reject("the spoon is still there").status == "pending"
    out = s.reject("still there")
    assert out.status == "rejected" and s.head.id == "v0" and s.pending() is None
    assert [v.id for v in s.history()] == ["v0"] and "No attempts left" in out.note
    assert [(a.id, a.status) for a in s.attempts()] == [("a1", "rejected"), ("a2", "rejected")]  # kept


class FlakyDetector(FakeDetector):
    """Says the spoon is still there on the first `misses` verification calls."""

    def __init__(self, misses):
        super().__init__()
        self.misses = misses

    def detect(self, image, text, box_threshold=0.3, text_threshold=0.25):
        found = super().detect(image, text)  # counts the call
        return found if self.calls <= self.misses else []


def test_detector_verifier_rejects_then_retry_with_a_larger_mask_passes(settings, make_backends):
    settings = settings.model_copy(update={"verify": "detector"})
    det = FlakyDetector(misses=1)
    s = Session.new("v", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), detector=det))
    out = s.edit("remove the spoon", box=SPOON_BOX)
    assert out.status == "committed" and out.attempts == 2 and det.calls == 2
    assert "still visible" in out.feedback[0]
    first, second = s.attempts()
    assert first.verdict["problem"] == "target_still_present" and first.status == "rejected"
    assert second.status == "committed" and second.version == out.version.id and "mask grown" in second.change
    m1, m2 = s.store.get_mask(first.mask_id), s.store.get_mask(second.mask_id)
    assert m2[m1].all() and m2.sum() > m1.sum()  # target still present -> a larger mask
    assert out.version.seed == first.seed == settings.seed  # the classical fill has no seed to vary


class CopyInpainter:
    """Paints the mask grey: enough to see where the graph put the edit."""

    name = "grey"

    def supports(self, category):
        return True

    def inpaint(self, request):
        out = request.image.copy()
        out[request.mask] = 128
        return out


def test_addition_without_box_is_recoverable_and_replanned(settings, make_backends):
    planner = ScriptedPlanner({"category": "addition", "target": "cookie", "caption": "a cookie"},
                              {"category": "addition", "target": "cookie", "caption": "a cookie",
                               "box": {"x": 330, "y": 70, "w": 90, "h": 250}})
    s = Session.new("a", PHOTO, settings, backends=make_backends(planner=planner))
    s._backends._cache["inpainter"] = CopyInpainter()
    out = s.edit("add a cookie")
    assert out.status == "committed" and "EmptyMaskError" in planner.requests[1].feedback


def test_unrecoverable_after_budget_raises_typed_error(settings, make_backends):
    planner = ScriptedPlanner({"category": "addition", "target": "cookie", "caption": "a cookie"})
    s = Session.new("a2", PHOTO, settings, backends=make_backends(planner=planner, inpainter=CopyInpainter()))
    with pytest.raises(EmptyMaskError, match="needs a place"):
        s.edit("add a cookie")
    assert len(planner.requests) == settings.retry_budget + 1 and s.head.id == "v0"


def _last_tool(messages, name=None):
    for m in reversed(messages):
        if isinstance(m, ToolMessage):
            return json.loads(m.content) if m.status != "error" else {"error": m.content}


def _call(name, args, i):
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c{i}"}])


def tool_script(image_id_holder):
    steps = []

    def script(messages):
        i = len(steps)
        steps.append(i)
        img = image_id_holder["id"]
        if i == 0:  # a wrong call first: the error must come back as a tool message
            return _call("segment", {"image_id": img, "boxes": [[9000, 0, 5, 5]]}, i)
        if i == 1:
            assert "BadBoxError" in _last_tool(messages)["error"]
            return _call("classify_edit", {"instruction": "remove the spoon", "image_id": img}, i)
        if i == 2:
            plan = _last_tool(messages)["plan"]
            return _call("ground_edit", {"image_id": img, "plan": plan, "user_box": list(SPOON_BOX)}, i)
        if i == 3:
            return _call("inpaint", {"image_id": img, "mask_id": _last_tool(messages)["mask_id"],
                                     "prompt": "saucer", "category": "remove"}, i)
        if i == 4:
            mask = next(json.loads(m.content)["mask_id"] for m in messages
                        if isinstance(m, ToolMessage) and "mask_id" in m.content)
            return _call("blend", {"source_id": img, "generated_id": _last_tool(messages)["image_id"],
                                   "mask_id": mask}, i)
        return AIMessage(content="Removed the spoon.")

    return script


def test_tool_calling_mode_runs_tools_and_recovers_from_tool_error(settings, make_backends):
    settings = settings.model_copy(update={"planning_mode": "tool-calling"})
    holder = {}
    chat = ScriptedChat(script=tool_script(holder))
    s = Session.new("t", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), chat_model=chat))
    holder["id"] = s.head.image_id
    out = s.edit("remove the spoon")
    assert out.status == "committed" and out.version.plan["category"] == "remove"
    assert {"classify_edit", "ground_edit", "inpaint", "blend", "segment", "edit_mask"} <= set(chat.bound)
    assert out.version.image_id != s.history()[0].image_id


def test_tool_calling_step_budget(settings, make_backends):
    settings = settings.model_copy(update={"planning_mode": "tool-calling", "tool_step_budget": 3})
    chat = ScriptedChat(script=lambda m: _call("classify_edit", {"instruction": "x"}, len(m)))
    s = Session.new("t2", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), chat_model=chat))
    with pytest.raises(StepBudgetError, match="3 tool-calling steps"):
        s.edit("remove the spoon")
    assert s.head.id == "v0"


def test_vlm_verifier_rejection_feeds_back_into_replanning(settings, make_backends):
    settings = settings.model_copy(update={"verify": "vlm"})
    answers = iter(['{"ok": false, "reason": "a shadow of the spoon remains"}', "yes, the spoon is gone"])
    seen = []

    def script(messages):
        seen.append(messages[-1].content)
        return AIMessage(content=next(answers))

    planner = ScriptedPlanner(REMOVE)
    backends = make_backends(planner=planner, chat_model=ScriptedChat(script=script))
    s = Session.new("vv", PHOTO, settings, backends=backends)
    out = s.edit("remove the spoon", box=SPOON_BOX)
    assert out.status == "committed" and out.attempts == 2 and out.verdict["by"] == "vlm"
    assert "shadow of the spoon" in planner.requests[1].feedback
    assert sum(1 for part in seen[0] if part.get("type") == "image_url") == 2  # before and after


def test_a_paused_runs_checkpoint_holds_ids_and_small_data_only(settings, make_backends):
    """What LangGraph serialises after every node: no pixel array or file bytes, only store ids, so a
    checkpoint stays a few KB whatever the image size."""
    import numpy as np

    s = Session.new("ck", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    s.edit("remove the spoon", box=SPOON_BOX)
    s.edit("remove the spoon", box=SPOON_BOX, review=True)
    graph, _ = s._runtime()
    values = graph.get_state({"configurable": {"thread_id": s.pending()["run_id"]}}).values
    big = []

    def walk(v, path):
        if isinstance(v, (np.ndarray, bytes, bytearray, memoryview)):
            big.append(path)
        for k, x in (v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, (list, tuple)) else ()):
            walk(x, f"{path}.{k}")

    walk(values, "state")
    assert big == [] and values["result_id"] and values["mask_id"]
    assert len(graph.checkpointer.serde.dumps_typed(values)[1]) < 16_000
