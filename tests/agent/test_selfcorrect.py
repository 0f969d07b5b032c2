"""The self-correction loop: judges reject and the policy changes what the problem implies; every
attempt is stored with its turn, survives the process and can be picked; budget exhausted -> the
best attempt is offered; a person's reason is read into the same problem types."""
import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from fakes import PlacesDetector, SeededInpainter, bbox

from agent.maintenance import collect_garbage
from agent.session import Session
from engine.errors import BrushEditError
from engine.replan import REMOVAL_CAPTION
from engine.verification import ScriptedJudge
from helpers import PHOTO, ROOT, SPOON_BOX, ScriptedPlanner

REMOVE = {"category": "remove", "target": "spoon", "caption": "an empty saucer"}
STILL = {"ok": False, "problem": "target_still_present", "reason": "the spoon tip is visible"}


def _cli(settings, *args):
    env = {**os.environ, "BRUSHEDIT_HOME": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_scripted_judge_rejects_twice_then_accepts_all_kept_and_pickable_after_restart(settings, make_backends,
                                                                                       tmp_path):
    settings = settings.model_copy(update={"verify": "scripted"})
    judge = ScriptedJudge([{**STILL, "score": 0.2}, {**STILL, "score": 0.4}, {"ok": True, "score": 0.9}])
    s = Session.new("j", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)),
                    judges={"scripted": judge})
    out = s.edit("remove the spoon", box=SPOON_BOX)
    assert out.status == "committed" and out.attempts == 3 and len(judge.cases) == 3
    recs = s.attempts()
    assert [(a.id, a.n, a.status) for a in recs] == [("a1", 0, "rejected"), ("a2", 1, "rejected"),
                                                     ("a3", 2, "committed")]
    assert out.version.attempt_id == "a3" and recs[2].version == "v1" and out.version.image_id == recs[2].result_id
    sizes = [s.store.get_mask(a.mask_id).sum() for a in recs]
    assert sizes[0] < sizes[1] < sizes[2]  # target still present -> a larger mask each time
    # a restart: other processes list the attempts, show one and pick another
    listed = json.loads(_cli(settings, "attempts", "-s", "j", "--json"))
    assert [a["status"] for a in listed] == ["rejected", "rejected", "committed"]
    assert "a2" in _cli(settings, "attempts", "-s", "j") and "target_still_present" in _cli(settings, "attempts",
                                                                                              "-s", "j")
    _cli(settings, "show", "-s", "j", "a2", "--out", tmp_path / "a2.png")
    from PIL import Image

    assert np.array_equal(np.asarray(Image.open(tmp_path / "a2.png")), s.store.get_image(recs[1].result_id))
    assert "v2 committed from a1 (parent v0)" in _cli(settings, "pick", "-s", "j", "a1")
    again = Session.open("j", settings)
    assert again.head.id == "v2" and again.head.parent == "v0" and again.head.image_id == recs[0].result_id
    assert again.versions.attempt("j", "a1").status == "committed"


def test_budget_exhausted_offers_the_best_attempt_nothing_lost(settings, make_backends):
    settings = settings.model_copy(update={"verify": "scripted"})
    scores = [0.3, 0.8, 0.5]
    judge = ScriptedJudge([{**STILL, "score": x} for x in scores])
    s = Session.new("b", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)),
                    judges={"scripted": judge})
    out = s.edit("remove the spoon", box=SPOON_BOX)
    assert out.status == "pending" and out.offered and out.attempt_id == "a2" and "Offered the best, a2" in out.note
    assert s.pending()["result_id"] == s.versions.attempt("b", "a2").result_id == out.result_id
    assert [a.status for a in s.attempts()] == ["rejected", "pending", "rejected"]
    done = Session.open("b", settings).accept()  # a fresh Session object, no interactive flag
    assert done.status == "committed" and done.version.image_id == out.result_id and done.version.attempt_id == "a2"
    assert [a.status for a in s.attempts()] == ["rejected", "committed", "rejected"]


def test_budget_exhausted_commits_the_best_when_configured(settings, make_backends):
    settings = settings.model_copy(update={"verify": "scripted", "budget_exhausted": "commit", "retry_budget": 1})
    judge = ScriptedJudge([{**STILL, "score": 0.6}, {**STILL, "score": 0.1}])
    s = Session.new("c", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)),
                    judges={"scripted": judge})
    out = s.edit("remove the spoon", box=SPOON_BOX)
    assert out.status == "committed" and out.version.attempt_id == "a1" and out.offered


SPOONS = [(320, 60, 430, 330), (100, 222, 150, 272)]
FORK = (20, 20, 90, 130)


def _reviewed(settings, make_backends, name):
    inpainter, planner = SeededInpainter(), ScriptedPlanner(REMOVE)
    backends = make_backends(planner=planner, inpainter=inpainter,
                             detector=PlacesDetector({"spoon": SPOONS, "fork": [FORK]}))
    s = Session.new(name, PHOTO, settings, backends=backends)
    first = s.edit("remove the spoon", review=True)
    assert first.status == "pending" and first.attempt_id == "a1"
    return s, inpainter, planner


@pytest.mark.parametrize("reason, problem", [
    ("the spoon is still there", "target_still_present"),
    ("the patch looks like a smudge", "artifact"),
    ("wrong one, I meant the fork", "wrong_target"),
    ("not that one", "wrong_target"),
    ("the background changed around it", "background_changed"),
    ("that is not what I asked for", "off_instruction"),
])
def test_a_persons_reason_changes_what_its_problem_implies(settings, make_backends, reason, problem):
    s, inpainter, planner = _reviewed(settings, make_backends, "h")
    second = s.reject(reason)
    assert second.status == "pending" and second.attempt_id == "a2"
    a1, a2 = s.attempts()
    assert a1.status == "rejected" and a1.verdict["problem"] == problem and a1.verdict["by"] == "person"
    assert a2.change.startswith(problem) and reason in planner.requests[1].feedback
    m1, m2 = s.store.get_mask(a1.mask_id), s.store.get_mask(a2.mask_id)
    if problem == "target_still_present":
        assert m2[m1].all() and m2.sum() > m1.sum()
        assert a2.plan["caption"] == REMOVAL_CAPTION and "spoon" in inpainter.requests[-1].negative_prompt
        assert a2.seed != a1.seed
    elif problem == "artifact":
        assert (a1.method, a2.method) == ("fill-a", "fill-b") and a2.seed != a1.seed
        assert inpainter.requests[-1].steps == settings.steps + 10
    elif reason.endswith("fork"):
        assert a2.plan["target"] == "fork" and bbox(m2)[0] < 100 and not m2[200:, 300:].any()
    elif problem == "wrong_target":  # the next detection of the target
        assert m1[100:300, 340:420].any() and not m2[100:300, 340:420].any() and m2[240:260, 110:140].all()
    elif problem == "background_changed":
        assert m1[m2].all() and m2.sum() < m1.sum()
    else:
        assert np.array_equal(m1, m2) and a2.seed != a1.seed  # re-planned with the reason, new seed
    assert s.accept().version.attempt_id == "a2"


def test_lite_reject_with_a_reason_it_cannot_use_says_so_in_one_line(settings):
    s = Session.new("l", PHOTO, settings)  # lite: rules planner, classical fill
    s.edit("remove the spoon", box=SPOON_BOX, review=True)
    out = s.reject("looks bad")
    assert out.status == "rejected" and s.head.id == "v0" and s.pending() is None
    assert out.note.startswith("Nothing to change") and "rules planner" in out.note and "\n" not in out.note
    assert [a.id for a in s.attempts()] == ["a1"]  # the same image was not produced again



def test_a_repeated_result_is_not_left_pending(settings, make_backends):
    """A re-plan that gives the same image again stops the turn; that repeated attempt is not left
    `pending` (no review waits for it) but rejected, like the attempt it repeats."""
    class SeedBlind(SeededInpainter):  # takes seeds but ignores them
        def inpaint(self, request):
            return super().inpaint(dataclasses.replace(request, seed=0, steps=50))

    s = Session.new("rp", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE), inpainter=SeedBlind()))
    assert s.edit("remove the spoon", box=SPOON_BOX, review=True).status == "pending"
    assert [a.status for a in s.attempts()] == ["pending"]
    out = s.reject("looks bad")  # off instruction: re-plan with the reason, another seed: the same image
    assert out.status == "rejected" and "gave the same image" in out.note and s.pending() is None
    assert [a.status for a in s.attempts()] == ["rejected", "rejected"]
    assert Session.open("rp", settings).pending() is None


@pytest.mark.parametrize("reason", ["the spoon is still there", "wrong one, not that", "it looks like a smudge",
                                    "the background changed", "nothing was added", "not what I asked", "looks bad"])
def test_rejecting_the_first_attempt_of_three_candidates(settings, make_backends, reason):
    """A person's rejection of the very first attempt (three candidates, one rejection in the history) with
    every reason type: the policy's next attempt, three candidates again, or one line saying why not."""
    planner = ScriptedPlanner(REMOVE)
    s = Session.new("c3", PHOTO, settings, backends=make_backends(planner=planner, inpainter=SeededInpainter()))
    first = s.edit("remove the spoon", box=SPOON_BOX, review=True, candidates=3)
    assert first.status == "pending" and [a.candidate for a in s.attempts()] == [0, 1, 2]
    out = s.reject(reason)
    recs = s.attempts()
    if out.status == "pending":
        second = [a for a in recs if a.n == 1]
        assert [a.candidate for a in second] == [0, 1, 2] and out.attempt_id in {a.id for a in second}
        assert {a.seed for a in second}.isdisjoint({a.seed for a in recs if a.n == 0}) or second[0].method != recs[0].method
    else:
        assert out.status == "rejected" and out.note and "\n" not in out.note and s.pending() is None
    assert not [a for a in recs if a.status == "pending" and a.id != out.attempt_id]


CHILD = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from agent.session import Session
from engine.backends import Backends
from engine.settings import Settings
from helpers import ScriptedPlanner
settings = Settings.load(env={{}}, data_dir={home!r}, retry_budget=1)
s = Session.open("p", settings, backends=Backends(settings, planner=ScriptedPlanner({plan!r})))
print(s.reject(sys.argv[1]).status)
"""


def test_reject_through_session_open_in_a_fresh_process_never_commits(settings, make_backends, tmp_path):
    settings = settings.model_copy(update={"retry_budget": 1})
    s = Session.new("p", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    assert s.edit("remove the spoon", box=SPOON_BOX, review=True).status == "pending"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), home=str(settings.data_dir),
                                   plan=REMOVE))
    for reason, status in (("the spoon is still there", "pending"), ("still there", "rejected")):
        out = subprocess.run([sys.executable, script, reason], capture_output=True, text=True)
        assert out.stdout.strip() == status, out.stderr
        assert [v.id for v in Session.open("p", settings).history()] == ["v0"]
    assert Session.open("p", settings).pending() is None
    assert [a.status for a in s.attempts()] == ["rejected", "rejected"]


def test_a_raw_generation_is_recorded_and_kept_only_when_the_setting_asks(settings, make_backends):
    for keep in (False, True):
        st = settings.model_copy(update={"store_raw_generations": keep})
        s = Session.new(f"raw{int(keep)}", PHOTO, st, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
        assert s.edit("remove the spoon", box=SPOON_BOX).status == "committed"
        (rec,) = s.attempts()
        if keep:  # on disk and named by the attempt: its pixels are the raw fill, not the blend
            assert rec.generated_id not in (None, rec.result_id)
            assert s.store.get_image(rec.generated_id, verify=True).shape == s.image().shape
        else:  # memory only, so no record names it
            assert rec.generated_id is None


def test_pick_show_export_gc_and_delete(settings, make_backends, tmp_path):
    s = Session.new("x", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    s.edit("remove the spoon", box=SPOON_BOX, review=True)
    s.reject("the spoon is still there")
    a1, a2 = s.attempts()
    assert np.array_equal(s.show("pending"), s.show("a2")) and not np.array_equal(s.show("a1"), s.show("a2"))
    out = s.export(tmp_path / "exp")
    names = {p.relative_to(out).as_posix() for p in out.rglob("*.png")}
    assert {"pending.png", "pending_mask.png", "attempts/a1.png", "attempts/a1_mask.png", "attempts/a2.png"} <= names
    hist = json.loads((out / "history.json").read_text())
    assert [a["id"] for a in hist["attempts"]] == ["a1", "a2"] and hist["pending"]["attempt_id"] == "a2"
    collect_garbage(settings, grace_s=0)
    assert all(s.store.exists(i) for i in (a1.result_id, a1.mask_id, a2.result_id))
    assert a1.generated_id is None  # the raw generation stays in memory (settings.store_raw_generations)
    v = s.pick("a1")
    assert (v.id, v.parent, v.image_id) == ("v1", "v0", a1.result_id) and s.pending() is None
    assert [a.status for a in s.attempts()] == ["committed", "rejected"]
    with pytest.raises(BrushEditError, match="no edit waiting"):
        s.accept()
    assert s.edit("remove the spoon", box=SPOON_BOX).version.parent == "v1"  # the next turn starts clean
    s.delete()
    assert "x" not in Session.list_names(settings)
    with pytest.raises(BrushEditError):
        Session.open("x", settings)


def test_the_graph_takes_a_narrow_input(settings):
    from agent.graph import build_graph
    from agent.state import EditInput

    props = build_graph().get_input_jsonschema()["properties"]
    assert set(props) == set(EditInput.__annotations__)
    assert "messages" not in props and "prompt" not in props and "extra" not in props


def test_rejecting_a_photo_adjustment_says_what_cannot_change(settings):
    """An adjust edit uses no fill method, seed or prompt: a rejection the rules planner cannot read ends
    the turn in one line naming that, instead of trying another fill method that gives the same image."""
    s = Session.new("adj", PHOTO, settings)
    s.edit("make it black and white", review=True)
    out = s.reject("it looks like a smudge")
    assert out.status == "rejected" and s.pending() is None
    assert out.note.startswith("Nothing to change for 'artifact'") and "photo adjustment" in out.note
    assert [a.status for a in s.attempts()] == ["rejected"]


def test_lite_removal_that_leaves_part_of_the_object_grows_the_mask_and_then_passes(settings, tmp_path):
    """The quality judge sees a remnant (a horse's hooves left just outside a painted mask) as the target
    still present, not as an artifact: the retry grows the mask, which takes the hooves in."""
    import cv2
    from PIL import Image

    rng = np.random.default_rng(5)
    grey = cv2.GaussianBlur(rng.normal(128, 40, (200, 200)).astype(np.float32), (0, 0), 1.2)
    photo = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    body = np.zeros((200, 200), bool)
    body[60:120, 50:150] = True
    horse = body.copy()
    horse[120:134, 62:70] = horse[120:134, 128:136] = True
    stripes = (np.arange(200)[None, :] // 5 % 2).astype(bool)
    photo[horse & stripes], photo[horse & ~stripes] = (200, 120, 40), (40, 90, 200)
    Image.fromarray(photo).save(tmp_path / "horse.png")
    s = Session.new("rem", tmp_path / "horse.png", settings.model_copy(update={"verify": "preservation,quality"}))
    out = s.edit("remove the horse", mask=body)
    recs = s.attempts()
    assert recs[0].status == "rejected" and recs[0].verdict["problem"] == "target_still_present", recs[0].verdict
    assert "mask grown by 15 px" in recs[1].change
    grown = s.store.get_mask(recs[1].mask_id)
    assert grown[horse].all() and out.status == "committed" and out.version.attempt_id == recs[1].id
