"""`brushedit plan` against a session's history (issue 13), each command in its own process."""
import json

from agent.versions import Version, VersionStore
from engine.planners.rules import parse
from helpers import PHOTO, SPOON_BOX
from test_cli import cli  # noqa: F401  (the fixture: each command in its own process)


def _commit(tmp_path, instruction: str) -> str:
    """Commit a version as the agent would (the plan recorded with it), on the current head."""
    store = VersionStore(tmp_path / "home" / "versions.sqlite")
    head = store.head("s")
    plan = parse(instruction)
    v = store.commit("s", Version(id="", parent=head.id, image_id=head.image_id, instruction=instruction,
                                  category=plan.category, plan=plan.model_dump()))
    return v.id


def test_plan_resolves_it_to_the_previous_turn_and_shows_the_resolution(cli, tmp_path):
    cli("new", PHOTO, "--session", "s")
    vid = _commit(tmp_path, "add a hat to the dog")
    plan = json.loads(cli("plan", "-s", "s", "now make it bigger", "--json").stdout)
    assert plan["category"] == "local" and plan["target"] == "hat" and "steps" not in plan
    assert plan["references"] == [{"phrase": "it", "resolved": "hat", "kind": "object", "turn": 0, "version": vid}]
    assert plan["clause"] == "make the hat bigger" and "'it' -> 'hat'" in plan["reason"]
    text = cli("plan", "-s", "s", "now make it bigger").stdout
    assert "refers: 'it' -> 'hat' (object, v1)" in text and "step 1" not in text
    alone = cli("plan", "now make it bigger", "--json", ok=False)  # without -s: no history, nothing is 'it'
    assert alone.returncode == 1 and alone.stdout == ""
    assert "resize 'it'" in alone.stderr and 'make the cat bigger' in alone.stderr


def test_plan_after_a_real_edit_undo_and_alternative(cli, tmp_path):
    cli("new", PHOTO, "--session", "s")
    cli("edit", "-s", "s", "remove the spoon", "--box", ",".join(map(str, SPOON_BOX)))
    again = json.loads(cli("plan", "-s", "s", "try again", "--json").stdout)
    assert again["category"] == "remove" and again["target"] == "spoon" and again["undo"] == 1
    cli("undo", "-s", "s")  # head back at v0: the planner sees no earlier turn
    assert "undo" not in json.loads(cli("plan", "-s", "s", "remove the cup", "--json").stdout)


def test_plan_json_one_step_fields_and_steps(cli):
    one = json.loads(cli("plan", "remove the dog", "--json").stdout)
    assert set(one) == {"category", "target", "caption", "reason", "negative_prompt", "operations"}
    two = json.loads(cli("plan", "remove the dog and add a cat", "--json").stdout)
    assert {k: two[k] for k in ("category", "target")} == {"category": "remove", "target": "dog"}
    assert [(s["category"], s["target"], s["clause"]) for s in two["steps"]] == [
        ("remove", "dog", "remove the dog"), ("addition", "cat", "add a cat")]
    text = cli("plan", "remove the dog and add a cat").stdout
    assert "step 2 of 2:" in text and text.count("category:") == 2  # the steps, not the first one twice
    bw = json.loads(cli("plan", "make it a bit brighter", "--json").stdout)
    assert bw["operations"] == [{"op": "brightness", "strength": 0.2}]


def test_not_an_edit_is_one_line_with_examples_and_exit_1(cli):
    out = cli("plan", "asdf qwerty", ok=False)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "did not understand 'asdf qwerty'" in out.stderr
    assert 'e.g. "remove the dog"' in out.stderr
    q = cli("plan", "what color is the car?", ok=False)
    assert "question about the image" in q.stderr
    missing = cli("plan", "-s", "nope", "make it red", ok=False)
    assert "No session named 'nope'" in missing.stderr and "brushedit new" in missing.stderr
