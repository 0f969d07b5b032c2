"""The adjust tool on its own and through the graph (scripted plans with operations)."""
import json

import numpy as np
import pytest

from agent.session import Session
from engine.backends import Backends
from engine.errors import BrushEditError, UnsupportedEditError
from engine.image_store import ImageStore
from engine.images import load_image
from engine.plan import AdjustOp
from engine.settings import Settings
from helpers import PHOTO, ScriptedPlanner
from tools import all_tools
from tools.adjust import AdjustInput, adjust
from tools.context import ToolContext

GREY = {"category": "global", "target": "", "caption": "black and white",
        "operations": [{"op": "grayscale", "strength": 1.0}]}
BLUR = {"category": "background", "target": "", "caption": "the cup in focus",
        "operations": [{"op": "background_blur", "strength": 1.0}]}
CUP_BOX = (170, 15, 250, 245)


@pytest.fixture
def ctx(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path)
    return ToolContext(settings, ImageStore(tmp_path / "img"), Backends(settings))


def test_adjust_tool_whole_image_and_inside_a_mask(ctx):
    image = load_image(PHOTO)
    image_id = ctx.store.put(image)
    res = adjust(AdjustInput(image_id=image_id, operations=[AdjustOp(op="grayscale")]), ctx)
    out = ctx.image(res.image_id)
    assert np.array_equal(out[..., 0], out[..., 2]) and res.operations[0].op == "grayscale" and res.seconds < 5
    mask = np.zeros(image.shape[:2], bool)
    mask[:, :100] = True
    res = adjust(AdjustInput(image_id=image_id, operations=[AdjustOp(op="warmth", strength=0.5)],
                             mask_id=ctx.store.put(mask)), ctx)
    out = ctx.image(res.image_id)
    assert np.array_equal(out[:, 120:], image[:, 120:]) and not np.array_equal(out[:, :90], image[:, :90])


def test_adjust_is_offered_to_the_tool_calling_model_and_bad_calls_go_back_to_it(ctx):
    tools = {t.name: t for t in all_tools(ctx)}
    image_id = ctx.store.put(load_image(PHOTO))
    ok = json.loads(tools["adjust"].invoke({"image_id": image_id, "operations": [{"op": "sepia"}]}))
    assert ok["operations"] == [{"op": "sepia", "strength": 1.0}]
    with pytest.raises(Exception, match="must lie in -1..1"):
        tools["adjust"].invoke({"image_id": image_id, "operations": [{"op": "brightness", "strength": 5}]})


def test_a_global_adjustment_runs_without_any_inpainter_and_is_recorded(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    s = Session.new("a", PHOTO, settings, backends=Backends(settings, planner=ScriptedPlanner(GREY)))
    out = s.edit("make it black and white")
    assert out.status == "committed"
    img = s.image()
    assert np.array_equal(img[..., 0], img[..., 1])
    v = s.head
    assert v.category == "global" and v.plan["operations"] == [{"op": "grayscale", "strength": 1.0}]
    assert "adjust" in v.timings and "inpaint" not in v.timings and "blend" not in v.timings


def test_background_blur_from_a_box_keeps_the_subject_and_blurs_the_rest(tmp_path):
    import cv2

    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    s = Session.new("b", PHOTO, settings, backends=Backends(settings, planner=ScriptedPlanner(BLUR)))
    src = s.image()
    out = s.edit("blur the background", box=CUP_BOX)
    assert out.status == "committed"
    img = s.image()
    lap = lambda x: cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_32F).var()  # noqa: E731
    assert lap(img[:, :120]) < 0.3 * lap(src[:, :120])  # the wooden table, left of the saucer
    assert np.abs(img[60:150, 230:330].astype(int) - src[60:150, 230:330]).mean() < 1.0  # the cup's crema


def test_background_blur_without_box_or_detector_is_a_clear_error_and_commits_nothing(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    s = Session.new("c", PHOTO, settings, backends=Backends(settings, planner=ScriptedPlanner(BLUR)))
    with pytest.raises(UnsupportedEditError, match="--box"):
        s.edit("blur the background")
    assert s.head.id == "v0" and [v.id for v in s.history()] == ["v0"]


def test_bad_strength_in_a_plan_is_a_one_line_error():
    from engine.adjust import parse_operations

    with pytest.raises(BrushEditError) as err:
        parse_operations([{"op": "saturation", "strength": -2}])
    assert "\n" not in str(err.value) and "saturation" in str(err.value)
