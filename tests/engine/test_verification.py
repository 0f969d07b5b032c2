"""Judges and typed verdicts (engine.verification), and a person's reason read into problem types."""
import numpy as np
import pytest

from engine.blending import blend
from engine.diffusion.classical import ClassicalInpainter
from engine.errors import BrushEditError
from engine.images import load_image
from engine.masks import box_mask
from engine.plan import EditPlan
from engine.protocols import Detection, InpaintRequest
from engine.settings import Settings
from engine.verification import (Case, DetectorJudge, PreservationJudge, QualityJudge, ScriptedJudge, Verdict,
                                 build_judges, judge_all, rank)
from engine.verification_reason import classify, refined_target, rule_problem
from helpers import PHOTO, SPOON_BOX

PLAN = EditPlan(category="remove", target="spoon", caption="an empty saucer")


def _case(result, source=None, mask=None, plan=PLAN):
    source = load_image(PHOTO) if source is None else source
    mask = box_mask(source.shape[:2], SPOON_BOX) if mask is None else mask
    return Case(source=source, result=result, mask=mask, plan=plan, instruction="remove the spoon")


def _telea(image, mask):
    return ClassicalInpainter(grow_px=0, radius=7).inpaint(InpaintRequest(image=image, mask=mask, prompt="",
                                                                      category="remove", method="telea"))


def test_preservation_catches_a_pixel_changed_outside_the_band():
    image = load_image(PHOTO)
    mask = box_mask(image.shape[:2], SPOON_BOX)
    good = blend(image, 255 - image, mask)
    assert PreservationJudge().judge(_case(good)) == Verdict(ok=True, by="preservation", score=1.0,
                                                             reason="pixels outside the edit are unchanged")
    leaky = good.copy()
    leaky[5, 5] = 255 - leaky[5, 5]
    v = PreservationJudge().judge(_case(leaky))
    assert not v.ok and v.problem == "background_changed" and "1 pixels" in v.reason and 0.99 < v.score < 1


def test_quality_rejects_the_box_as_mask_telea_spoon_and_accepts_the_untouched_texture():
    image = load_image(PHOTO)
    mask = box_mask(image.shape[:2], SPOON_BOX)
    smeared = QualityJudge().judge(_case(blend(image, _telea(image, mask), mask)))
    assert not smeared.ok and smeared.problem == "artifact" and smeared.by == "quality" and smeared.score < 0.5
    saucer = box_mask(image.shape[:2], (60, 260, 60, 40))  # a patch whose "fill" is the photo itself
    clean = QualityJudge().judge(_case(image, mask=saucer))
    assert clean.ok and clean.problem == "none" and clean.score > 0.5


class Finder:
    name = "finder"

    def __init__(self, found):
        self.found, self.calls = found, 0

    def detect(self, image, text, box_threshold=0.3, text_threshold=0.25):
        self.calls += 1
        return [Detection((330, 70, 420, 320), 0.7, text)] if self.found else []


def test_detector_judge_checks_removed_and_added_targets():
    image = load_image(PHOTO)
    assert DetectorJudge(Finder(True)).judge(_case(image)).problem == "target_still_present"
    assert DetectorJudge(Finder(False)).judge(_case(image)).ok
    add = EditPlan(category="addition", target="cookie", caption="a cookie")
    missing = DetectorJudge(Finder(False)).judge(_case(image, plan=add))
    assert not missing.ok and missing.problem == "target_missing" and missing.score == 0.0
    assert DetectorJudge(Finder(True)).judge(_case(image, plan=add)).ok
    assert DetectorJudge(None).judge(_case(image)).reason == "not checkable by the detector"


def test_judges_run_in_order_and_the_first_rejection_decides():
    image = load_image(PHOTO)
    first = ScriptedJudge([{"ok": True, "score": 0.6, "reason": "fine"}], name="first")
    second = ScriptedJudge([{"ok": False, "problem": "artifact", "score": 0.2, "reason": "smear"}], name="second")
    third = ScriptedJudge([{"ok": True}], name="third")
    v = judge_all([first, second, third], _case(image))
    assert (v.ok, v.problem, v.by, v.score) == (False, "artifact", "second", 0.2) and not third.cases
    both = judge_all([first, ScriptedJudge([{"ok": True, "score": 1.0, "reason": "ok"}], name="b")], _case(image))
    assert both.ok and both.by == "first+b" and both.score == pytest.approx(0.8)
    assert judge_all([], _case(image)).by == "none"
    untyped = judge_all([ScriptedJudge([{"ok": False, "reason": "no"}])], _case(image))
    assert untyped.problem == "off_instruction"  # a rejection always names a problem


def test_rank_puts_accepted_before_rejected_then_score_ties_keep_order():
    vs = [Verdict(ok=False, problem="artifact", score=0.95), Verdict(ok=True, score=0.3),
          Verdict(ok=True, score=0.7), Verdict(ok=True, score=0.7), Verdict(ok=True)]
    assert rank(vs) == [2, 3, 4, 1, 0]


def test_build_judges_by_name_and_the_scripted_one_only_when_given():
    settings = Settings(verify="preservation, quality,detector")
    assert settings.judges == ("preservation", "quality", "detector")
    asked = []
    judges = build_judges(settings.judges, detector=lambda: asked.append("d") or Finder(False),
                          chat_model=lambda: asked.append("c"), settings=settings)
    assert [j.name for j in judges] == ["preservation", "quality", "detector"] and asked == ["d"]
    with pytest.raises(BrushEditError, match="judges=.*scripted"):
        build_judges(["scripted"], detector=None, chat_model=None, settings=settings)
    with pytest.raises(BrushEditError, match="unknown judge 'colour'"):
        Settings.load(env={}, verify="quality,colour")
    assert Settings(verify="none").judges == () and Settings(verify="").verify == "none"


@pytest.mark.parametrize("reason, problem", [
    ("the spoon is still there", "target_still_present"),
    ("I can still see the handle", "target_still_present"),
    ("a shadow of the spoon remains", "target_still_present"),
    ("wrong one", "wrong_target"),
    ("not that, the fork", "wrong_target"),
    ("the patch looks like a smudge", "artifact"),
    ("it's blurry", "artifact"),
    ("looks fake", "artifact"),
    ("you changed the background", "background_changed"),
    ("the rest of the image changed", "background_changed"),
    ("nothing was added", "target_missing"),
    ("I don't see the cat", "target_missing"),
    ("that is not what I asked", "off_instruction"),
    ("looks bad", None),
])
def test_reason_rules(reason, problem):
    assert rule_problem(reason) == problem


def test_refined_target_and_classify():
    assert refined_target("not the cup, the saucer") == "saucer"
    assert refined_target("wrong one, I meant the little fork please") == "little fork"
    assert refined_target("the saucer, not the cup") == "saucer"
    assert refined_target("wrong one") is None
    verdict, matched = classify("the patch looks like a smudge")
    assert (verdict.ok, verdict.problem, verdict.by, matched) == (False, "artifact", "person", True)
    verdict, matched = classify("looks bad")
    assert verdict.problem == "off_instruction" and not matched
