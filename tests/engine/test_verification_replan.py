"""The re-plan policy table (engine.replan) and the VLM reading of a reason the rules miss."""
from langchain_core.messages import AIMessage

from engine.plan import EditPlan
from engine.replan import (POLICY, REMOVAL_CAPTION, AttemptParams, NoChange, Options, apply_to_plan, first_attempt,
                           next_attempt)
from engine.verification import PROBLEMS, Verdict
from engine.verification_reason import classify

DIFFUSION = Options(seed=7, candidates=2, methods=("unipc",), generative=True, steps=50, planner_reads_feedback=True,
                    regroundable=True, detections=3, target="spoon")
LITE = Options(seed=0, candidates=1, methods=("telea", "ns"), generative=False, planner_reads_feedback=False,
               regroundable=False, target="spoon")


def _reject(problem, reason="x", by="person"):
    return Verdict(ok=False, problem=problem, reason=reason, by=by)


def test_every_problem_has_one_row_and_the_first_attempt_uses_the_defaults():
    assert set(POLICY) == set(PROBLEMS)
    p = first_attempt(DIFFUSION)
    assert (p.n, p.seeds, p.method, p.grow_px, p.change) == (0, [7, 8], "unipc", 0, "first attempt")


def test_each_problem_changes_what_it_implies():
    p0 = first_attempt(DIFFUSION)
    still = next_attempt(p0, _reject("target_still_present"), DIFFUSION)
    assert still.grow_px == 15 and still.removal and still.seeds == [9, 10] and still.n == 1
    assert next_attempt(still, _reject("target_still_present"), DIFFUSION).grow_px == 30
    art = next_attempt(p0, _reject("artifact"), DIFFUSION)
    assert art.seeds == [9, 10] and art.steps == 60 and art.method == "unipc" and art.grow_px == 0
    wrong = next_attempt(p0, _reject("wrong_target", "not the spoon, the fork"), DIFFUSION)
    assert wrong.target == "fork" and wrong.detection == 0
    nxt = next_attempt(p0, _reject("wrong_target", "not that one"), DIFFUSION)
    assert nxt.target is None and nxt.detection == 1 and "detection 2 of 3" in nxt.change
    bg = next_attempt(p0, _reject("background_changed"), DIFFUSION)
    assert bg.grow_px == -10 and bg.seeds == [9, 10]
    off = next_attempt(p0, _reject("off_instruction", "make it red instead"), DIFFUSION)
    assert "re-planned" in off.change and "make it red instead" in off.feedback and off.seeds == [9, 10]
    missing = next_attempt(p0, _reject("target_missing", by="detector"), DIFFUSION)
    assert missing.steps == 60 and missing.feedback.startswith("The detector judge rejected")


def test_lite_varies_the_fill_method_once_then_says_nothing_can_change():
    p0 = first_attempt(LITE)
    assert p0.method == "telea"
    ns = next_attempt(p0, _reject("artifact", "smudge"), LITE)
    assert ns.method == "ns" and ns.seeds == p0.seeds and ns.change == "artifact: method ns"
    done = next_attempt(ns, _reject("artifact", "still a smudge"), LITE)
    assert isinstance(done, NoChange) and "no other fill method" in done.reason and "\n" not in done.reason
    vague = next_attempt(p0, _reject("off_instruction", "looks bad"), LITE)
    assert isinstance(vague, NoChange) and "rules planner cannot use a free-text reason" in vague.reason
    assert "classical inpainter" in vague.reason and "looks bad" in vague.reason
    wrong = next_attempt(p0, _reject("wrong_target", "not the spoon, the fork"), LITE)
    assert isinstance(wrong, NoChange) and "fixed by your box/mask" in wrong.reason
    assert isinstance(next_attempt(p0, _reject("target_still_present"), LITE), AttemptParams)  # the mask can grow


def test_the_attempts_changes_show_in_its_plan():
    plan = EditPlan(category="remove", target="spoon", caption="an empty saucer")
    changed = apply_to_plan(plan, AttemptParams(removal=True, target="teaspoon"))
    assert changed.caption == REMOVAL_CAPTION and changed.target == "teaspoon" and "teaspoon" in changed.negative_prompt
    assert apply_to_plan(plan, AttemptParams()) is plan
    local = EditPlan(category="local", target="cup", caption="a blue cup")
    assert apply_to_plan(local, AttemptParams(removal=True)).caption == "a blue cup"


class OneAnswer:
    def __init__(self, text):
        self.text, self.prompts = text, []

    def invoke(self, messages):
        self.prompts.append(messages[-1].content)
        return AIMessage(content=self.text)


def test_the_vlm_reads_a_reason_the_rules_miss_and_is_not_asked_when_they_match():
    vlm = OneAnswer('{"problem": "artifact"}')
    verdict, matched = classify("hmm, the texture is off", vlm, "remove the spoon")
    assert verdict.problem == "artifact" and matched and "the texture is off" in vlm.prompts[0]
    assert "remove the spoon" in vlm.prompts[0]
    classify("the spoon is still there", vlm)
    assert len(vlm.prompts) == 1
    verdict, matched = classify("meh", OneAnswer("no idea"))
    assert verdict.problem == "off_instruction" and not matched


def test_an_inpainter_without_seeds_makes_one_candidate():
    p = first_attempt(Options(candidates=4, generative=False, methods=("telea", "ns")))
    assert p.seeds == [0] and "no seed to vary" in p.change
    assert first_attempt(Options(seed=3, candidates=4)).seeds == [3, 4, 5, 6]
