"""The rules planner reads an instruction against the session's earlier turns (issue 13)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import NotUnderstoodError
from engine.plan import EditPlan, Turn
from engine.planners.rules import RulesPlanner
from engine.protocols import PlanRequest
from evals.conversation_suite import run

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "evals" / "cases"


def _history(*instructions: str) -> list[Turn]:
    planner, turns = RulesPlanner(), []
    for k, text in enumerate(instructions, 1):
        plan = planner.plan(PlanRequest(text, history=tuple(turns))).plan
        turns.append(Turn(instruction=text, plan=plan, version=f"v{k}"))
    return turns


def _plan(text: str, *earlier: str) -> EditPlan:
    return RulesPlanner().plan(PlanRequest(text, history=tuple(_history(*earlier)))).plan


def test_it_is_the_object_the_last_turn_left():
    plan = _plan("now make it blue", "add a hat to the dog")
    assert (plan.category, plan.target, plan.caption) == ("local", "hat", "a blue hat")
    ref = plan.references[0]
    assert (ref.phrase, ref.resolved, ref.kind, ref.turn, ref.version) == ("it", "hat", "object", 0, "v1")
    assert "'it' -> 'hat'" in plan.reason and plan.clause == "make the hat blue"
    assert _plan("make it smaller", "replace the dog with a corgi").target == "corgi"  # the new object
    assert _plan("make it darker", "make it winter").operations[0].op == "brightness"  # the picture
    assert _plan("make it winter", "add a hat to the dog").category == "global"  # a season is the whole picture


def test_them_the_other_one_ordinals_and_more_of_the_same():
    assert _plan("make them brown", "add a dog on the grass", "add a cat next to the dog").target == "dog and cat"
    assert _plan("make the other one black", "put a cat on the bench", "add a dog next to the cat").target == "cat"
    assert _plan("remove the first one", "put a cat on the bench", "add a dog next to the cat").target == "cat"
    other = _plan("remove the other one too", "remove the lamp")
    assert (other.category, other.target) == ("remove", "lamp")
    more = _plan("add two more", "add a candle on the cake")
    assert (more.category, more.target) == ("addition", "candles")


def test_same_edit_on_another_object():
    assert _plan("same for the woman", "make the man's shirt blue").clause == "make the woman's shirt blue"
    assert _plan("and the cat too", "remove the dog").target == "cat"
    assert _plan("now his sister too", "make the boy smile").target == "sister"
    assert _plan("now the pants", "change the shirt to red").caption == "red pants"


def test_instead_undo_again_and_strength():
    instead = _plan("make it blue instead", "make the car red")
    assert (instead.target, instead.undo, instead.caption) == ("car", 1, "a blue car")
    assert instead.references[0].kind == "alternative" and "takes back 1 version" in instead.reason
    hat = _plan("undo that and try a hat instead", "add a scarf to the man")
    assert (hat.category, hat.target, hat.undo) == ("addition", "hat", 1)
    meant = _plan("no, I meant a plant", "put a lamp on the desk")
    assert (meant.target, meant.undo, meant.clause) == ("plant", 1, "put a plant on the desk")
    again = _plan("again", "make it brighter")
    assert again.undo == 0 and again.operations[0].strength == 0.4
    retry = _plan("try again", "remove the dog")
    assert (retry.category, retry.target, retry.undo) == ("remove", "dog", 1)
    less = _plan("too much, less", "make it brighter")
    assert less.undo == 1 and less.operations[0].strength == 0.2 and "weaker" in less.reason
    bigger = _plan("bigger", "add a boat on the lake")
    assert (bigger.category, bigger.target, bigger.caption) == ("local", "boat", "a bigger boat")


def test_without_history_nothing_is_resolved_and_undo_alone_is_refused():
    assert _plan("now make it blue").references == []
    with pytest.raises(NotUnderstoodError, match="only takes back"):
        _plan("undo that", "add a hat to the dog")


def test_resizing_it_needs_an_object_that_is_still_there():
    assert _plan("now make it bigger", "remove the dog and add a cat").target == "cat"
    assert _plan("make it a bit smaller", "add a balloon", "make it red").target == "balloon"
    for earlier in [(), ("remove the dog",), ("make it warmer",)]:  # nothing, a removed dog, the picture
        with pytest.raises(NotUnderstoodError, match="resize 'it'") as err:
            _plan("now make it bigger", *earlier)
        assert 'make the cat bigger' in err.value.fix
    assert _plan("warmer still", "make it warmer").operations[0].op == "warmth"  # a tone, not a size
    assert _plan("make it brighter").operations[0].op == "brightness"


def test_rejected_turns_and_plans_made_by_a_vlm():
    turns = _history("add a hat to the dog", "add a scarf to the dog")
    turns[1] = turns[1].model_copy(update={"accepted": False})
    assert RulesPlanner().plan(PlanRequest("make it red", history=tuple(turns))).plan.target == "hat"
    vlm = EditPlan(category="local", target="dog", caption="a fluffy corgi sitting on the lawn")
    turn = Turn(instruction="turn the dog into a corgi", plan=vlm, version="v1")
    plan = RulesPlanner().plan(PlanRequest("make it bigger", history=(turn,))).plan
    assert plan.target == "corgi"  # read from the turn's instruction when the plan has no clause


def test_compound_step_pronouns_resolve_inside_the_instruction():
    plan = _plan("remove the people in the background and blur it")
    assert [s.category for s in plan.all_steps()] == ["remove", "background"]
    assert plan.steps[1].operations[0].op == "background_blur" and plan.steps[1].references[0].turn is None


def test_conversation_suite_on_dev_and_it_can_fail():
    report = run(RulesPlanner(), refusals=CASES / "planner_refusals_dev.jsonl")
    assert report["reference"]["n"] >= 40 and report["reference"]["accuracy"] >= 0.9, report["reference"]["failures"]
    assert report["compound"]["accuracy"] >= 0.9, report["compound"]["failures"]
    assert report["refusals"]["refusal_accuracy"] >= 0.9

    class Always:
        name = "always-remove"

        def plan(self, request):
            from engine.plan import PlanResult

            return PlanResult(plan=EditPlan(category="remove", target="dog", caption="x"), planner=self.name)

    bad = run(Always(), refusals=CASES / "planner_refusals_dev.jsonl")
    assert bad["reference"]["accuracy"] < 0.2 and bad["refusals"]["refusal_accuracy"] == 0.0
