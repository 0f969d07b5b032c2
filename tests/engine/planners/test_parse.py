"""Repair of malformed planner answers: what is safely repairable becomes a plan, the rest a typed error."""
import json

import pytest

from engine.errors import NotUnderstoodError, PlanParseError
from engine.planners.boxes import normalise_box
from engine.planners.json_repair import JSONRepairError, extract_json_object
from engine.planners.parse import PlanValidationError, normalise_category, parse_plan
from planner_fixtures import PLAN

GOOD = '{"category": "remove", "target": "the cup", "caption": "a table", "reason": "gone"}'

REPAIRABLE = {
    "plain": GOOD,
    "prose around": f"Sure! Here is the plan:\n{GOOD}\nLet me know if you need anything else.",
    "code fence": f"```json\n{GOOD}\n```",
    "fence no lang, prose": f"The plan is below.\n```\n{GOOD}\n```\nDone.",
    "trailing commas": '{"category": "remove", "target": "the cup", "caption": "a table", "reason": "gone",}',
    "single quotes": "{'category': 'remove', 'target': 'the cup', 'caption': 'a table', 'reason': 'gone'}",
    "python literals": '{"category": "remove", "target": "the cup", "caption": "a table", "box": None, '
                       '"reason": "gone"}',
    "unquoted keys": '{category: "remove", target: "the cup", caption: "a table", reason: "gone"}',
    "enum casing": '{"category": "REMOVE", "target": "the cup", "caption": "a table", "reason": "gone"}',
    "enum synonym": '{"category": "Removal", "target": "the cup", "caption": "a table", "reason": "gone"}',
    "key synonyms": '{"edit_type": "delete", "object": "the cup", "prompt": "a table", "explanation": "gone"}',
    "truncated string": '{"category": "remove", "target": "the cup", "caption": "a table", "reason": "go',
    "truncated after key": '{"category": "remove", "target": "the cup", "caption": "a table", "reason":',
    "truncated mid key": '{"category": "remove", "target": "the cup", "caption": "a table", "rea',
    "nested plan": '{"plan": {"category": "remove", "target": "the cup", "caption": "a table"}}',
    "braces in prose first": 'I think {this} is easy. {"category": "remove", "target": "the cup", '
                             '"caption": "a table"}',
}


@pytest.mark.parametrize("raw", REPAIRABLE.values(), ids=REPAIRABLE.keys())
def test_repairable_answers_become_the_same_plan(raw):
    plan = parse_plan(raw)
    assert (plan.category, plan.target, plan.caption) == ("remove", "the cup", "a table")
    assert plan.box is None


@pytest.mark.parametrize("value,expected", [
    ("Removal", "remove"), ("replace", "local"), ("style", "global"), ("Style_Transfer", "global"),
    ("ADD", "addition"), ("object addition", "addition"), ("Background-Change", "background"),
    ("local edit", "local"), ("Category: remove", "remove"), ("global", "global"),
])
def test_category_synonyms(value, expected):
    assert normalise_category(value) == expected


NOT_REPAIRABLE = {
    "no json": ("The plan follows in the next message.", "no JSON object"),
    "empty": ("", "no JSON object"),
    "unknown category": ('{"category": "teleport", "target": "cup", "caption": "x"}', "unknown category"),
    "missing category": ('{"target": "cup", "caption": "x"}', 'missing "category"'),
    "missing caption": ('{"category": "remove", "target": "cup"}', 'missing "caption"'),
    "missing target": ('{"category": "remove", "caption": "a table"}', 'missing "target"'),
    "addition without box": ('{"category": "addition", "target": "cat", "caption": "a cat"}', 'needs "box"'),
    "garbage braces": ("{{{ ::: }", "malformed"),
    "mismatched brackets": ('{"category": ["remove"}', "malformed"),
}


@pytest.mark.parametrize("raw,needle", NOT_REPAIRABLE.values(), ids=NOT_REPAIRABLE.keys())
def test_unrepairable_answers_raise_typed_error_with_raw(raw, needle):
    with pytest.raises(PlanParseError) as info:
        parse_plan(raw, (100, 100), (100, 100))
    assert isinstance(info.value, PlanValidationError) and needle in info.value.reason
    assert info.value.raw == raw
    if raw:
        assert raw in str(info.value)  # the user sees what the model said


def test_global_plan_may_omit_target_and_optional_fields():
    plan = parse_plan('{"category": "Global", "caption": "the same street in winter, snow"}')
    assert (plan.category, plan.target, plan.box, plan.reason) == ("global", "", None, "")


def test_long_target_is_cut_to_five_words():
    plan = parse_plan('{"category": "local", "target": "the big old red car on the left", "caption": "x"}')
    assert plan.target == "the big old red car"


# --- boxes: shown image 200x100, full image 800x400 (scale 4) --------------------------------------------------
SHOWN, FULL = (200, 100), (800, 400)


@pytest.mark.parametrize("box", [
    [20, 10, 40, 30],                                   # x, y, w, h pixels of the shown image
    {"x": 20, "y": 10, "w": 40, "h": 30},
    {"x": 20, "y": 10, "width": 40, "height": 30},
    {"x0": 20, "y0": 10, "x1": 60, "y1": 40},
    {"xmin": 20, "ymin": 10, "xmax": 60, "ymax": 40},
    [[20, 10], [60, 40]],
    [0.1, 0.1, 0.2, 0.3],                               # fractions 0-1
    {"bbox_2d": [20, 10, 60, 40]},                      # Qwen2.5-VL grounding: corners in pixels
    "<|box_start|>(100,100),(300,400)<|box_end|>",      # Qwen2-VL: corners on a 0-1000 grid
    [100, 100, 300, 400],                               # 0-1000 corners without markers (exceeds 200x100)
    "20, 10, 40, 30",
])
def test_box_forms_map_to_full_resolution_pixels(box):
    assert normalise_box(box, SHOWN, FULL).as_tuple() == (80.0, 40.0, 160.0, 120.0)


def test_list_read_as_corners_only_when_xywh_would_leave_the_image():
    # as x,y,w,h this would end at x=250 > 200: the corner reading (x1=130, y1=90) fits
    assert normalise_box([120, 60, 130, 90], SHOWN, SHOWN).as_tuple() == (120.0, 60.0, 10.0, 30.0)


def test_box_is_clipped_to_the_image():
    assert normalise_box([190, 90, 40, 40], SHOWN, SHOWN).as_tuple() == (190.0, 90.0, 10.0, 10.0)


@pytest.mark.parametrize("box", [[1, 2, 3], [10, 10, 0, 5], {"foo": 1}, "left side", [-50, -50, 10, 10]])
def test_bad_boxes_for_addition_are_errors(box):
    raw = json.dumps({"category": "addition", "target": "cat", "caption": "a cat", "box": box})
    with pytest.raises(PlanValidationError, match="box"):
        parse_plan(raw, SHOWN, FULL)


def test_bad_box_on_non_addition_is_dropped_not_fatal():
    plan = parse_plan(json.dumps({"category": "remove", "target": "cup", "caption": "x", "box": "left"}), SHOWN, FULL)
    assert plan.box is None


def test_addition_box_from_model_pixels_to_full_image():
    raw = '```json\n{"category": "add", "target": "a red ball", "caption": "a ball", "box": [50, 25, 20, 20],}\n```'
    plan = parse_plan(raw, SHOWN, FULL)
    assert plan.category == "addition" and plan.box.as_tuple() == (200.0, 100.0, 80.0, 80.0)


def test_box_without_image_is_taken_as_pixels():
    raw = '{"category": "addition", "target": "cat", "caption": "c", "box": {"x": 5, "y": 6, "w": 7, "h": 8}}'
    plan = parse_plan(raw)
    assert plan.box.as_tuple() == (5, 6, 7, 8)


def test_extract_json_picks_first_object_and_rejects_non_objects():
    assert extract_json_object('a {"a": 1} b {"b": 2}') == {"a": 1}
    with pytest.raises(JSONRepairError):
        extract_json_object("[1, 2, 3]")


# --- conversation and adjustment fields (issue 13) ---------------------------------------------------
def test_operations_in_every_accepted_form_become_adjust_ops():
    base = {"category": "global", "target": "", "caption": "the same photo, brighter"}
    forms = [
        [{"op": "brightness", "strength": 0.3}], {"brightness": "30%"}, ["brightness +0.3"],
        [{"name": "exposure", "amount": 30}], [{"op": "brighten", "strength": "0.3"}],
    ]
    for ops in forms:
        plan = parse_plan(json.dumps({**base, "operations": ops}))
        assert [(o.op, o.strength) for o in plan.operations] == [("brightness", 0.3)], ops
    dark = parse_plan(json.dumps({**base, "operations": [{"op": "darken", "strength": 0.5}]}))
    assert dark.operations[0].strength == -0.5  # the verb gives the sign
    bw = parse_plan(json.dumps({**base, "operations": ["black and white", {"op": "sepia", "strength": 7}]}))
    assert [(o.op, o.strength) for o in bw.operations] == [("grayscale", 1.0), ("sepia", 0.07)]
    clamp = parse_plan(json.dumps({**base, "operations": [{"op": "contrast", "strength": -3}]}))
    assert clamp.operations[0].strength == -0.03  # -3 read as -3 % (a 0..100 scale), never out of range


def test_unknown_operation_is_re_asked_naming_the_allowed_ones():
    raw = json.dumps({"category": "global", "caption": "x", "operations": [{"op": "teleport"}]})
    with pytest.raises(PlanValidationError) as info:
        parse_plan(raw)
    assert "unknown operation 'teleport'" in info.value.reason and "grayscale" in info.value.reason


def test_steps_become_an_ordered_plan_with_the_first_step_on_top():
    raw = json.dumps({"steps": [PLAN, {"category": "addition", "target": "cat", "caption": "a cat on the table",
                                        "box": [10, 10, 20, 20]}], "undo": 1})
    plan = parse_plan(raw, (100, 100), (100, 100))
    assert [s.category for s in plan.all_steps()] == ["remove", "addition"]
    assert plan.category == "remove" and plan.target == "cup" and plan.undo == 1 and plan.steps[1].box is not None
    listed = parse_plan("```json\n" + json.dumps([PLAN, PLAN]) + "\n```")
    assert len(listed.steps) == 2


def test_undo_and_references_are_read_and_turns_renumbered():
    raw = json.dumps({**PLAN, "undo": "1", "references": [
        {"phrase": "it", "resolved": "cup", "turn": 2}, {"phrase": "that", "resolved": "x", "turn": 9}, "junk"]})
    plan = parse_plan(raw, turns=2)
    assert plan.undo == 1
    assert [(r.phrase, r.turn) for r in plan.references] == [("it", 1), ("that", None)]


@pytest.mark.parametrize("raw", [
    '{"category": "none", "reason": "this is a question about the colour of the car"}',
    '{"category": "not_understood", "target": "", "caption": ""}',
    "I cannot plan an edit for this: it is not an image editing request.",
])
def test_model_saying_there_is_no_edit_is_not_understood_not_a_parse_error(raw):
    with pytest.raises(NotUnderstoodError) as info:
        parse_plan(raw)
    assert not isinstance(info.value, PlanParseError) and "e.g." in info.value.fix
