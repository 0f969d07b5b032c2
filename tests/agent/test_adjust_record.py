"""An `adjust` edit's record says what was adjusted, however it was planned: the version's plan holds
its operations (history, report and web show them, e.g. "grayscale 1"), and its models do not claim an
inpainter or a fill method that never ran."""
import json

import numpy as np
from fakes import ScriptedChat
from langchain_core.messages import AIMessage, ToolMessage

from agent.session import Session
from app.ui_logic import plan_card
from helpers import PHOTO, ROOT

GRAY = [{"op": "grayscale", "strength": 1.0}]


def _history_lines(settings, name):
    import os
    import subprocess
    import sys

    env = {**os.environ, "BRUSHEDIT_HOME": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "app.cli", "history", "-s", name], capture_output=True, text=True,
                         env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _check_record(s, settings, version):
    assert version.plan["operations"] == GRAY
    assert "inpainter" not in version.models or version.models["inpainter"] == "adjust"
    assert "method" not in version.models
    assert "grayscale 1" in _history_lines(settings, s.name)
    assert "adjust: grayscale 1" in plan_card(version.plan, version.model_dump(mode="json")).replace("\\", "")
    assert "method: classical" not in plan_card(version.plan, version.model_dump(mode="json"))
    img = s.image(version.id)
    assert np.array_equal(img[..., 0], img[..., 1]) and not np.array_equal(img, s.image("v0"))


def test_single_call_adjust_records_its_operations(settings):
    s = Session.new("a", PHOTO, settings)
    out = s.edit("make it black and white")
    assert out.status == "committed"
    _check_record(s, settings, out.version)
    assert s.attempts()[0].method is None and s.attempts()[0].seed is None  # no fill ran, no seed used


def test_tool_calling_adjust_commits_and_records_its_operations(settings, make_backends):
    settings = settings.model_copy(update={"planning_mode": "tool-calling"})
    holder = {}

    def script(messages):
        if not any(isinstance(m, ToolMessage) for m in messages):
            return AIMessage(content="", tool_calls=[{"name": "adjust", "id": "c0", "args": {
                "image_id": holder["id"], "operations": GRAY}}])
        assert json.loads([m for m in messages if isinstance(m, ToolMessage)][-1].content)["image_id"]
        return AIMessage(content="Made it black and white.")

    s = Session.new("t", PHOTO, settings, backends=make_backends(chat_model=ScriptedChat(script=script)))
    holder["id"] = s.head.image_id
    out = s.edit("make it black and white")
    assert out.status == "committed"
    _check_record(s, settings, out.version)
