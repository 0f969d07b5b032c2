"""The rules grammar's structure and its clause-level behaviour (issue 13): clause roles, compound steps,
photometric operations, replacement and background frames, coordination, typos, refusals."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.errors import NotUnderstoodError
from engine.planners.rules import parse
from evals.metrics import target_match

RULES = Path(__file__).resolve().parents[3] / "engine" / "planners" / "rules"


def _imports() -> dict[str, set[str]]:
    graph = {}
    for f in RULES.glob("*.py"):
        tree = ast.parse(f.read_text())
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engine.planners.rules"):
                deps |= {node.module.rsplit(".", 1)[-1]} if node.module != "engine.planners.rules" else {
                    a.name for a in node.names}
        graph[f.stem] = deps - {f.stem}
    return graph


def test_rules_package_has_no_import_cycle_and_one_top_module():
    graph = _imports()
    seen, done = set(), set()

    def visit(m, path):
        assert m not in path, f"import cycle: {' -> '.join(path + [m])}"
        if m in done:
            return
        for d in graph.get(m, ()):
            visit(d, path + [m])
        done.add(m)

    for m in graph:
        visit(m, [])
    importers = {m for m, deps in graph.items() if "grammar" in deps}
    assert importers == {"planner"}  # the top grammar module is imported by the planner only
    assert not graph["lexicon"] and graph["vocabulary"] == set()  # word lists import nothing
    for leaf in ("subject", "verbs", "questions", "arrow", "frames"):
        assert "sentence" not in graph[leaf] and "grammar" not in graph[leaf]  # recursion comes in as ctx.parse


def _plans(text):
    return [(s.category, s.target, sorted((o.op, o.strength) for o in s.operations)) for s in parse(text).all_steps()]


@pytest.mark.parametrize("text,category,target", [
    ("Hi! There's a plastic cup on the bench, could you get rid of it? thanks", "remove", "plastic cup"),
    ("I don't like the jacket, make it green", "local", "jacket"),
    ("the vase looks sad and empty, put some tulips in it", "addition", "tulips"),
    ("not a fan of the poster, swap it for a clock", "local", "poster"),
    ("I'd rather have a goat where the sheep is", "local", "sheep"),
    ("a bicycle in place of the scooter", "local", "scooter"),
    ("swap in a mug for the glass", "local", "glass"),
    ("keep the bride, turn everything else into a garden", "background", "bride"),
    ("everything around the statue should look like a desert", "background", "statue"),
    ("the rest of the picture should be a snowy forest", "background", ""),
    ("take the children to a beach", "background", "children"),
    ("put the cat and the dog on a sofa in space", "background", "cat and dog"),
    ("remove the lamp and the chair", "remove", "lamp and chair"),
    ("mak the vase red", "local", "vase"),
    ("rmove the cup", "remove", "cup"),
    ("sketch a fish on the napkin", "addition", "fish"),
    ("sketch the scene", "global", ""),
    ("paint the shutters blue", "local", "shutters"),
    ("make it a watercolor painting", "global", ""),
    ("clear the desk of papers", "remove", "papers"),
    ("put her in a yellow raincoat", "local", "woman"),
])
def test_clause_frames(text, category, target):
    plan = parse(text)
    assert plan.category == category and target_match(plan.target, target), (text, plan)


def test_compound_instructions_become_ordered_steps():
    assert [(c, t) for c, t, _ in _plans("remove the dog and add a cat")] == [("remove", "dog"), ("addition", "cat")]
    steps = _plans("make it winter, then blur the background")
    assert [c for c, _, _ in steps] == ["global", "background"] and steps[0][2] == []
    assert steps[1][2] == [("background_blur", 0.6)]
    gapped = _plans("paint the door red and the shutters green")
    assert [(c, t) for c, t, _ in gapped] == [("local", "door"), ("local", "shutters")]
    assert parse("paint the door red and the shutters green").steps[1].caption == "green shutters"
    assert [(c, t) for c, t, _ in _plans("add a hat to the man and make it red")] == [("addition", "hat"),
                                                                                    ("local", "hat")]
    assert len(parse("make the car black and white").all_steps()) == 1  # not a clause boundary
    assert len(parse("add salt and pepper shakers").all_steps()) == 1
    merged = _plans("brighten it and add more contrast")  # adjustments in a row are one step
    assert merged == [("global", "", [("brightness", 0.4), ("contrast", 0.4)])]


def test_a_plan_with_steps_keeps_the_first_step_on_top():
    plan = parse("first remove the people, then change the background to a beach")
    assert plan.category == "remove" and plan.target == "people" and plan.steps[0].steps == []
    assert plan.steps[1].category == "background" and plan.steps[1].clause == "change the background to a beach"


@pytest.mark.parametrize("text,ops", [
    ("make it black and white", [("grayscale", 1.0)]),
    ("a bit more sepia", [("sepia", 0.4)]),
    ("make it much darker", [("brightness", -0.64)]),
    ("slightly less contrast", [("contrast", -0.2)]),
    ("turn down the saturation", [("saturation", -0.4)]),
    ("warm it up a little", [("warmth", 0.2)]),
    ("the photo is way too cold, fix it", [("warmth", 0.64)]),
    ("make the picture less blurry", [("sharpness", 0.4)]),
    ("give it a vintage feel", [("vintage", 0.7)]),
])
def test_photometric_instructions_become_operations(text, ops):
    plan = parse(text)
    assert plan.category == "global" and plan.target == "" and sorted(
        (o.op, o.strength) for o in plan.operations) == ops, plan


def test_background_adjustments_and_semantic_edits():
    blur = parse("make the background out of focus")
    assert blur.category == "background" and [o.op for o in blur.operations] == ["background_blur"]
    subject = parse("blur everything except the dog")
    assert subject.category == "background" and subject.target == "dog" and subject.operations[0].op == "background_blur"
    assert parse("darken the background").operations[0].strength < 0
    for semantic in ("make it winter", "make the sky stormy", "make the background a beach", "give it a golden glow",
                     "make the dog brighter"):
        assert parse(semantic).operations == [], semantic
    with pytest.raises(NotUnderstoodError):
        parse("cool photo")  # praise, not an adjustment


@pytest.mark.parametrize("text,why", [
    ("asdf qwerty", "names no edit"), ("what color is the car?", "question"), ("is the dog asleep?", "question"),
    ("tell me a joke", "something other than an image edit"), ("thanks!", "names no edit"),
    ("undo that", "only takes back"), ("the the the", "names no edit"),
])
def test_not_an_edit_is_a_typed_error_with_examples(text, why):
    with pytest.raises(NotUnderstoodError) as info:
        parse(text)
    assert why in info.value.message and info.value.fix
    assert "e.g." in info.value.fix or "brushedit undo" in info.value.fix


def test_edit_requests_phrased_as_questions_are_not_refused():
    assert parse("what if the car were red?").category == "local"
    assert parse("could you remove the bin?").category == "remove"
    assert parse("what would it look like at night?").category == "global"
    assert parse("can there be a kite in the sky?").category == "addition"


def test_pronouns_inside_one_instruction():
    assert parse("There's a vase. make it vintage").target == "vase"  # a statement names the object
    night = parse("add a lamp. then make it evening.")  # an earlier step does not turn a season local
    assert [s.category for s in night.all_steps()] == ["addition", "global"]
    assert parse("The chair is old. Could you turn it into a modern one?").steps == []
    assert parse("The chair is old. Could you turn it into a modern one?").caption == "a modern chair"
    assert parse("give the boat a white sail").target == "white sail"  # "sail" is a noun after an adjective


def test_early_sentence_shapes_match_only_with_their_cue_words():
    """parse_words skips the early shapes (arrow, frames, label, no_x, questions) when `early_cue` says none of
    their cue words is there: on every instruction of the dev files and each of its tails, a shape that
    matches has its cue (and the cue test does skip most instructions, or it would save nothing)."""
    import json

    from engine.planners.rules.base import Ctx
    from engine.planners.rules.sentence import _EARLY_SHAPES, early_cue, parse_words
    from engine.planners.rules.text import tokenize

    cases = RULES.parents[2] / "evals" / "cases"
    texts = [json.loads(line)["instruction"] for f in sorted(cases.glob("*_dev*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    ctx = Ctx(frozenset(), parse_words)
    matched, skipped, n = 0, 0, 0
    for text in texts:
        words = tokenize(text)[0]
        skipped += bool(words) and not early_cue(words)
        for k in range(len(words)):
            tail = [x for x in words[k:] if x not in ",;:!?."]
            if not tail:
                continue
            n += 1
            for shape in _EARLY_SHAPES:
                if shape(list(tail), ctx) is not None:
                    matched += 1
                    assert early_cue(tail), (shape.__name__, tail)
    assert matched > 500 and skipped > len(texts) / 3, (matched, skipped, n)
