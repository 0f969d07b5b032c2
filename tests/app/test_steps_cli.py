"""Turns of several steps on the command line and through the jobs' execute(), and `plan -s` reading
the turns that real edits recorded (issue 13), each command in its own process."""
import json

from agent.session import Session
from engine.backends import Backends
from engine.settings import Settings
from helpers import PHOTO, SPOON_BOX
from test_cli import cli  # noqa: F401  (the fixture: each command in its own process)

BOX = ",".join(map(str, SPOON_BOX))


class PaintingInpainter:
    """Stands in for a diffusion inpainter (any category): paints the mask one colour."""

    name, methods, seeded = "painting-fake", ("paint",), True

    def supports(self, category):
        return True

    def inpaint(self, request):
        out = request.image.copy()
        out[request.mask] = (200, 40, 40)
        return out


def test_edit_of_two_steps_in_lite_prints_each_step_and_exits_1_on_the_refused_one(cli):
    cli("new", PHOTO, "--session", "s")
    out = cli("edit", "-s", "s", "remove the spoon and add a cat", "--box", BOX, ok=False)
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        "step 1 of 2 'remove the spoon': v1 committed", "step 2 of 2 'add a cat': refused",
        "head: v1 (1 of 2 steps committed); get it: brushedit show -s s v1 --out s-v1.png"]
    err = out.stderr.splitlines()[-1]
    assert err.startswith("error: step 2 of 2 'add a cat' was refused: The 'classical' inpainter cannot do an "
                          "'addition' edit") and "; step 1 is committed as v1. Use --profile full" in err
    assert err.endswith("(This turn's box / mask went to its step 1.) Then give the rest alone: "
                        "brushedit edit -s s 'add a cat'")
    assert "step 1 of 2: remove the spoon" in out.stderr and "step 2 of 2: add a cat" in out.stderr  # progress
    hist = cli("history", "-s", "s").stdout
    assert 'remove the spoon  (step 1 of 2 of "remove the spoon and add a cat")' in hist
    assert "head: v0" in cli("undo", "-s", "s").stdout  # one step back
    done = cli("edit", "-s", "s", "remove the spoon, then make it black and white", "--box", BOX).stdout
    assert "step 2 of 2 'make it black and white': v3 committed" in done and "head: v3 (2 of 2 steps" in done
    again = cli("edit", "-s", "s", "try again", "--box", BOX).stdout  # takes back v3, repeats its edit
    assert again.splitlines()[0] == "took back v3 first" and "v4 committed (parent v2" in again


def test_review_of_a_compound_across_processes(cli):
    cli("new", PHOTO, "--session", "s")
    first = cli("edit", "-s", "s", "remove the spoon, then make it black and white", "--box", BOX, "--review").stdout
    assert "step 1 of 2 'remove the spoon': waiting for review (attempt a1)" in first
    assert "step 2 of 2 'make it black and white': runs after accept" in first
    second = cli("accept", "-s", "s").stdout
    assert "step 1 of 2 'remove the spoon': v1 committed" in second and "waiting for review: attempt a2" in second
    third = cli("accept", "-s", "s").stdout
    assert "step 2 of 2 'make it black and white': v2 committed" in third and "head: v2" in third


def test_plan_resolves_it_against_the_steps_real_edits_recorded(cli, tmp_path):
    """Real edits (the rules planner, the agent's commits) through a fake diffusion inpainter, then
    `brushedit plan -s` in another process: "it" is the previous turn's target, the last step's."""
    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    s = Session.new("s", PHOTO, settings, backends=Backends(settings, inpainter=PaintingInpainter()))
    out = s.edit("make it black and white, then add a hat", box=(250, 40, 120, 100))
    assert [st.version for st in out.steps] == ["v1", "v2"] and s.head.plan["target"] == "hat"
    plan = json.loads(cli("plan", "-s", "s", "now make it bigger", "--json").stdout)
    assert plan["target"] == "hat" and plan["clause"] == "make the hat bigger"
    assert plan["references"] == [{"phrase": "it", "resolved": "hat", "kind": "object", "turn": 1, "version": "v2"}]


def test_the_jobs_execute_path_reports_the_steps(tmp_path):
    from app.jobs import execute

    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    Session.new("j", PHOTO, settings)
    events = []
    result = execute("edit", "j", {"instruction": "remove the spoon and add a cat", "box": list(SPOON_BOX)},
                     settings, Backends(settings), lambda kind, data: events.append((kind, data)))
    assert result["status"] == "committed" and result["version"]["id"] == "v1"
    assert [(st["status"], st["version"]) for st in result["steps"]] == [("committed", "v1"), ("refused", None)]
    assert result["steps"][1]["error"]["type"] == "UnsupportedEditError" and "step 2 of 2" in result["note"]
    announced = [d for k, d in events if k == "stage" and d.get("step")]
    assert [(d["step"], d["of"], d["instruction"]) for d in announced] == [(1, 2, "remove the spoon"),
                                                                           (2, 2, "add a cat")]
