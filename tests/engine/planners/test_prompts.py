"""Prompt templates: loaded by name, rendered strictly, hashed."""
import hashlib

import pytest

from engine.prompts import PromptRenderError, available, render

PLAN_VARS = dict(instruction="add a cat on the sofa", width=640, height=480, history=[], feedback=None)


def test_templates_ship_with_the_package():
    assert {"plan", "plan_system", "plan_retry", "verify", "tools", "agent"} <= set(available())


def test_plan_prompt_names_categories_schema_and_image_size():
    r = render("plan", **PLAN_VARS)
    for word in ("addition", "remove", "local", "global", "background", '"caption"', '"box"', "640x480",
                 "add a cat on the sofa"):
        assert word in r.text
    assert "rejected" not in r.text and "Earlier turns" not in r.text
    for word in ('"operations"', '"steps"', '"undo"', '"references"', '"none"'):
        assert word in r.text
    assert r.sha256 == hashlib.sha256(r.text.encode()).hexdigest() and r.name == "plan"


def test_context_and_feedback_change_the_prompt_and_its_hash():
    base = render("plan", **PLAN_VARS)
    turn = {"instruction": "remove the cup", "category": "remove", "target": "cup", "caption": "a bare table",
            "accepted": True}
    ctx = render("plan", **{**PLAN_VARS, "history": [turn, {**turn, "instruction": "add a lamp", "accepted": False}],
                            "feedback": "the cat is too small"})
    assert '1. "remove the cup" -> remove, target "cup", caption "a bare table"' in ctx.text
    assert '2. "add a lamp"' in ctx.text and "(rejected)" in ctx.text and "the cat is too small" in ctx.text
    assert ctx.sha256 != base.sha256
    assert render("plan", **PLAN_VARS).sha256 == base.sha256  # deterministic


def test_missing_variable_is_a_typed_error_naming_it():
    with pytest.raises(PromptRenderError, match="'width' is undefined"):
        render("plan", instruction="x", height=1, history=[], feedback=None)


@pytest.mark.parametrize("name", ["nope", "../etc/passwd", "plan.jinja"])
def test_unknown_or_unsafe_names_are_rejected(name):
    with pytest.raises(PromptRenderError):
        render(name)


def test_verify_and_tools_prompts_render():
    v = render("verify", instruction="remove the cup", category="remove", target="cup", caption="a table")
    assert '"ok"' in v.text and "remove the cup" in v.text
    t = render("tools", tools=[{"name": "blend", "description": "Blend.", "parameters": {"type": "object"}}])
    assert "<tool_call>" in t.text and "- blend: Blend." in t.text and '{"type": "object"}' in t.text


def test_plan_prompt_without_an_image_does_not_invent_a_size():
    r = render("plan", **{**PLAN_VARS, "width": None, "height": None})
    assert "No image is attached" in r.text and "None" not in r.text
