"""The web UI's attempts gallery shows the attempts of the turn on screen: the one waiting for review,
else the last turn from the head that kept nothing, else the turn that made the head; never a finished
turn's attempts as if they belonged to the next one."""
import numpy as np
import pytest

from agent.session import Session
from engine.backends import Backends
from engine.settings import Settings
from helpers import PHOTO, SPOON_BOX

pytest.importorskip("gradio")


@pytest.fixture
def ui(tmp_path):
    from app.ui_actions import UiActions

    s = Settings.load(env={}, data_dir=tmp_path / "home")
    return UiActions(s, None, Backends(s)), s


def _shown(ui, s):
    ui._attempt_items(s, s.head)
    return ui._attempt_ids


def test_gallery_holds_only_the_turn_on_screen(ui):
    actions, settings = ui
    s = Session.new("g", PHOTO, settings, backends=actions.state.backends)
    s.edit("remove the spoon", box=SPOON_BOX)  # a1, committed as v1
    assert _shown(actions, s) == []  # the head's own attempt: nothing else to pick
    out = s.edit("remove the stain", mask=_stain(), review=True)  # a2 waits for review
    assert out.status == "pending" and _shown(actions, s) == []  # not a1 of the finished turn
    again = s.reject("it looks like a smudge")  # another fill method: a3 waits
    assert again.status == "pending" and _shown(actions, s) == ["a2", "a3"]
    s.accept()  # v2 from a3: its turn's rejected a2 stays pickable
    assert _shown(actions, s) == ["a2", "a3"]
    s.edit("remove the stain", mask=_stain(), review=True)  # a4, a new turn from v2
    assert _shown(actions, s) == []
    done = s.reject("not what I asked")  # the rules planner cannot use that: the turn ends, nothing kept
    assert done.status == "rejected" and _shown(actions, s) == ["a4"]  # pickable from the gallery


def _stain():
    m = np.zeros((400, 600), np.uint8)
    m[300:330, 150:200] = 255
    return m
