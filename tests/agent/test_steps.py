"""Turns of several steps, `undo` before editing, and review per step (agent/steps.py), through the
real graph: the rules planner and the classical inpainter of `lite`, or scripted plans and the seeded
fake inpainter for what `lite` cannot do."""
import numpy as np
import pytest
from fakes import SeededInpainter, bbox

from agent.session import Session
from engine.backends import make_planner
from engine.blending import band
from engine.errors import UnsupportedEditError
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner, changed_outside

CUP_BOX = (170, 20, 240, 260)


class CountingPlanner:
    """The profile's planner, counting its calls."""

    def __init__(self, inner):
        self.inner, self.name, self.requests = inner, inner.name, []

    def plan(self, request):
        self.requests.append(request)
        return self.inner.plan(request)


def _inside(mask: np.ndarray, box) -> bool:
    x0, y0, x1, y1 = bbox(mask)
    x, y, w, h = box
    return x - 25 <= x0 and y - 25 <= y0 and x1 <= x + w + 25 and y1 <= y + h + 25  # the mask grows a little


def test_lite_compound_commits_step_1_and_refuses_step_2_clearly(settings, make_backends):
    planner = CountingPlanner(make_planner(settings))
    s = Session.new("c", PHOTO, settings, backends=make_backends(planner=planner))
    out = s.edit("remove the spoon and add a cat", box=SPOON_BOX)
    assert out.status == "committed" and out.version.id == "v1" and s.head.id == "v1" and len(planner.requests) == 1
    assert [(st.n, st.of, st.instruction, st.status, st.version) for st in out.steps] == [
        (1, 2, "remove the spoon", "committed", "v1"), (2, 2, "add a cat", "refused", None)]
    assert out.note.startswith("step 2 of 2 'add a cat' was refused: The 'classical' inpainter cannot do an "
                               "'addition' edit") and out.note.endswith("; step 1 is committed as v1")
    err = out.steps[1].error
    assert err["type"] == "UnsupportedEditError" and "--profile full" in err["fix"]
    v1 = s.head  # the step's own turn: its clause, its plan, the turn as typed
    assert v1.instruction == "remove the spoon" and v1.plan["target"] == "spoon" and not v1.plan["steps"]
    assert (v1.step.n, v1.step.of, v1.step.turn) == (1, 2, "remove the spoon and add a cat")
    allowed = band(s.store.get_mask(v1.mask_id), settings.blur_kernel)
    assert changed_outside(s.image("v0"), s.image("v1"), allowed) == 0 and _inside(s.store.get_mask(v1.mask_id),
                                                                                    SPOON_BOX)
    assert [v.id for v in s.history()] == ["v0", "v1"] and s.undo().id == "v0"


def test_each_step_is_a_version_and_undo_goes_back_one_step(settings, make_backends):
    planner = CountingPlanner(make_planner(settings))
    s = Session.new("two", PHOTO, settings, backends=make_backends(planner=planner))
    out = s.edit("remove the spoon, then make it black and white", box=SPOON_BOX)
    assert out.status == "committed" and out.version.id == "v2" and out.note is None and len(planner.requests) == 1
    v1, v2 = s.history()[1:]
    assert (v1.parent, v2.parent, v1.instruction, v2.instruction) == ("v0", "v1", "remove the spoon",
                                                                      "make it black and white")
    assert v2.plan["operations"] == [{"op": "grayscale", "strength": 1.0}] and v2.step.n == 2
    assert _inside(s.store.get_mask(v1.mask_id), SPOON_BOX)  # the box went to the removal
    gray = s.image("v2")
    assert np.array_equal(gray[..., 0], gray[..., 1]) and not np.array_equal(s.image("v1"), gray)
    assert out.attempt_ids == [a.id for a in s.attempts()] and {a.status for a in s.attempts()} == {"committed"}
    assert s.undo().id == "v1" and s.undo().id == "v0" and s.redo().id == "v1"
    # later turns see each step as its own turn
    assert [t.instruction for t in planner.requests[-1].history] == []
    s.redo()
    s.edit("remove the spoon", box=SPOON_BOX)
    assert [t.instruction for t in planner.requests[-1].history] == ["remove the spoon", "make it black and white"]


def test_a_user_box_goes_to_the_first_step_that_edits_a_region(settings, make_backends):
    s = Session.new("box", PHOTO, settings, backends=make_backends())
    out = s.edit("make it black and white and remove the spoon", box=SPOON_BOX)
    assert [st.status for st in out.steps] == ["committed", "committed"]
    v1, v2 = s.history()[1:]
    assert v1.plan["category"] == "global" and s.store.get_mask(v1.mask_id).all()  # the whole photo
    assert v2.plan["category"] == "remove" and _inside(s.store.get_mask(v2.mask_id), SPOON_BOX)
    # two removals, one box: the first takes it; lite finds nothing for the second without one
    two = s.edit("remove the spoon, then remove the cup", box=SPOON_BOX)
    assert [st.status for st in two.steps] == ["committed", "refused"] and two.version.id == "v3"
    assert "needs the GroundingDINO detector" in two.note and "step 1 is committed as v3" in two.note
    assert "(This turn's box / mask went to its step 1.)" in two.steps[1].error["fix"]


def test_undo_that_and_instead_edits_from_the_grandparent(settings, make_backends):
    s = Session.new("u", PHOTO, settings, backends=make_backends())
    s.edit("remove the spoon", box=SPOON_BOX)
    s.edit("remove the cup", box=CUP_BOX)
    out = s.edit("try again", box=CUP_BOX)  # the rules planner: repeat the last edit, undo = 1
    v3 = out.version
    assert out.undid == ["v2"] and (v3.id, v3.parent) == ("v3", "v1") and s.head.id == "v3"
    assert v3.instruction == "remove the cup" and v3.step.undid == ["v2"] and v3.step.turn == "try again"
    assert [v.id for v in s.history()] == ["v0", "v1", "v2", "v3"]  # nothing deleted
    assert s.undo().id == "v1" and s.redo().id == "v3"
    # a turn that commits nothing leaves the head where it was: what it took back is redone
    with pytest.raises(UnsupportedEditError, match="^'undo that and add a hat' was refused: .*the head is back at v3"):
        s.edit("undo that and add a hat", box=CUP_BOX)
    assert s.head.id == "v3" and len(s.history()) == 4


def test_review_pauses_the_turn_accept_carries_on_reject_replans_that_step(settings, make_backends):
    planner = ScriptedPlanner(
        {"category": "remove", "target": "spoon", "caption": "a saucer", "clause": "remove the spoon",
         "steps": [{"category": "remove", "target": "spoon", "caption": "a saucer", "clause": "remove the spoon"},
                   {"category": "addition", "target": "cat", "caption": "a cat", "box": {"x": 20, "y": 200, "w": 120,
                                                                                          "h": 120},
                    "clause": "add a cat"}]},
        {"category": "addition", "target": "cat", "caption": "a big cat", "box": {"x": 20, "y": 200, "w": 150,
                                                                                  "h": 150}})
    backends = make_backends(planner=planner, inpainter=SeededInpainter())
    s = Session.new("r", PHOTO, settings, backends=backends)
    first = s.edit("remove the spoon and add a cat", box=SPOON_BOX, review=True)
    assert first.status == "pending" and s.head.id == "v0" and first.version is None
    assert [st.status for st in first.steps] == ["pending", "not run"]
    assert "step 1 of 2 'remove the spoon' waits for review" in first.note and "step 2 'add a cat'" in first.note
    again = Session.open("r", settings, backends=backends)  # another process: the turn is kept with the review
    second = again.accept()
    assert second.status == "pending" and second.version.id == "v1" and s.head.id == "v1"
    assert [(st.status, st.version) for st in second.steps] == [("committed", "v1"), ("pending", None)]
    assert len(planner.requests) == 1  # the planner was asked once for both steps
    third = again.reject("the cat is too small")
    assert third.status == "pending" and len(planner.requests) == 2
    replan = planner.requests[1]  # that step alone, re-planned with the feedback, step 1 in its history
    assert replan.instruction == "add a cat" and "too small" in replan.feedback
    assert [t.instruction for t in replan.history] == ["remove the spoon"]
    done = again.accept()
    assert done.status == "committed" and done.version.id == "v2" and done.version.parent == "v1"
    assert done.version.instruction == "add a cat" and done.version.plan["caption"] == "a big cat"
    assert done.version.attempts == 2 and s.pending() is None
    statuses = {a.id: (a.status, a.instruction) for a in s.attempts()}
    assert statuses == {"a1": ("committed", "remove the spoon"), "a2": ("rejected", "add a cat"),
                        "a3": ("committed", "add a cat")}
    assert s.pick("a2").parent == "v1"  # every step's attempts stay pickable: a2 was made on v1


def test_review_reject_to_the_end_stops_the_turn_at_that_step(settings, make_backends):
    settings = settings.model_copy(update={"retry_budget": 0})
    s = Session.new("rr", PHOTO, settings, backends=make_backends())
    s.edit("remove the spoon, then make it black and white", box=SPOON_BOX, review=True)
    s.accept()
    out = s.reject("not what I asked")
    assert out.status == "committed" and out.version.id == "v1" and s.head.id == "v1" and s.pending() is None
    assert [st.status for st in out.steps] == ["committed", "rejected"]
    assert out.note.startswith("step 2 of 2 'make it black and white' was rejected: No attempts left")
    assert out.note.endswith("step 1 is committed as v1") and out.result_id == s.head.image_id
    assert [(a.id, a.status) for a in s.attempts()] == [("a1", "committed"), ("a2", "rejected")]


def test_scripted_steps_lite_cannot_do_and_a_retried_turn_commits_once(settings, make_backends):
    box = {"x": 20, "y": 200, "w": 120, "h": 120}
    steps = [{"category": "local", "target": "cup", "caption": "a blue cup", "clause": "make the cup blue"},
             {"category": "addition", "target": "cat", "caption": "a cat", "box": box, "clause": "add a cat"}]
    planner = ScriptedPlanner({**steps[0], "steps": steps})
    s = Session.new("f", PHOTO, settings, backends=make_backends(planner=planner, inpainter=SeededInpainter()))
    out = s.edit("make the cup blue and add a cat", box=CUP_BOX, run_id="job-1")
    assert [(st.status, st.version) for st in out.steps] == [("committed", "v1"), ("committed", "v2")]
    v1, v2 = s.history()[1:]
    assert (v1.run_id, v2.run_id) == ("job-1", "job-1-step2") and v2.plan["box"] == box
    assert _inside(s.store.get_mask(v1.mask_id), CUP_BOX) and _inside(s.store.get_mask(v2.mask_id), (20, 200, 120, 120))
    retried = s.edit("make the cup blue and add a cat", box=CUP_BOX, run_id="job-1")  # the job ran again
    assert retried.version.id == "v2" and len(s.history()) == 3 and len(planner.requests) == 1
    assert [st.version for st in retried.steps] == ["v1", "v2"]
