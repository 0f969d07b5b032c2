"""Multi-turn sessions through the real graph: versions, undo/redo/branch, pixels outside masks."""
import numpy as np
import pytest

from agent.session import Session
from engine.blending import band
from engine.errors import (BadBoxError, BadMaskError, BrushEditError, EmptyInstructionError, NothingToUndoError,
                           SessionNotFoundError, UnsupportedEditError, VersionNotFoundError)
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner, changed_outside

REMOVE = {"category": "remove", "target": "spoon", "caption": "an empty saucer"}


def test_multi_turn_undo_redo_checkout_branch_keep_pixels_outside_masks(settings, make_backends):
    s = Session.new("trip", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    v1 = s.edit("remove the spoon", box=SPOON_BOX).version
    v2 = s.edit("remove the spoon's shadow", box=(100, 300, 60, 40)).version
    assert (v1.id, v1.parent, v2.id, v2.parent) == ("v1", "v0", "v2", "v1")
    for v in (v1, v2):
        before, after = s.image(v.parent), s.image(v.id)
        allowed = band(s.store.get_mask(v.mask_id), settings.blur_kernel)
        assert changed_outside(before, after, allowed) == 0
        assert (before != after).any()
    assert s.undo().id == "v1" and s.undo().id == "v0"
    with pytest.raises(NothingToUndoError):
        s.undo()
    assert s.redo().id == "v1" and s.redo().id == "v2"
    with pytest.raises(NothingToUndoError):
        s.redo()
    s.checkout("v1")
    v3 = s.edit("remove the spoon", box=(10, 10, 40, 40)).version
    assert v3.parent == "v1" and s.head.id == "v3"
    tree = {v.id: v.parent for v in s.history()}
    assert tree == {"v0": None, "v1": "v0", "v2": "v1", "v3": "v1"}  # v2 and v3 are sibling branches
    assert v3.instruction == "remove the spoon" and v3.models["planner"] == "scripted"
    assert set(v3.timings) >= {"plan", "ground", "inpaint", "blend"}


def test_planner_sees_lineage_history_not_other_branches(settings, make_backends):
    planner = ScriptedPlanner(REMOVE)
    s = Session.new("h", PHOTO, settings, backends=make_backends(planner=planner))
    s.edit("first", box=SPOON_BOX)
    s.checkout("v0")
    s.edit("second", box=SPOON_BOX)
    s.edit("third", box=SPOON_BOX)
    assert [t.instruction for t in planner.requests[-1].history] == ["second"]
    assert planner.requests[-1].image.shape == (400, 600, 3)


def test_user_mask_override_and_addition_box(settings, make_backends, tmp_path):
    from PIL import Image

    mask = np.zeros((400, 600), np.uint8)
    mask[50:100, 50:150] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    s = Session.new("m", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    v = s.edit("remove it", mask=tmp_path / "m.png").version
    assert np.array_equal(s.store.get_mask(v.mask_id), mask > 0)
    with pytest.raises(BadMaskError, match="300x200"):
        Image.fromarray(mask[:200, :300]).save(tmp_path / "small.png")
        s.edit("remove it", mask=tmp_path / "small.png")


def test_errors_are_typed_and_lose_nothing(settings, make_backends):
    s = Session.new("e", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(
        {"category": "local", "target": "cup", "caption": "a blue cup"})))
    with pytest.raises(EmptyInstructionError):
        s.edit("   ")
    with pytest.raises(BadBoxError):
        s.edit("make the cup blue", box=(700, 0, 10, 10))
    with pytest.raises(UnsupportedEditError, match="diffusion"):
        s.edit("make the cup blue", box=(170, 20, 240, 260))
    assert [v.id for v in s.history()] == ["v0"] and s.head.id == "v0"
    with pytest.raises(VersionNotFoundError, match="v0"):
        s.checkout("v9")
    with pytest.raises(SessionNotFoundError):
        Session.open("nope", settings)
    with pytest.raises(BrushEditError, match="already exists"):
        Session.new("e", PHOTO, settings)
    with pytest.raises(BrushEditError, match="not allowed"):
        Session.new("../x", PHOTO, settings)


def test_export_writes_every_version_and_history(settings, make_backends, tmp_path):
    import json

    s = Session.new("x", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    s.edit("remove the spoon", box=SPOON_BOX)
    out = s.export(tmp_path / "out")
    names = {p.name for p in out.iterdir()}
    assert {"head.png", "v0.png", "v1.png", "v1_mask.png", "history.json"} <= names
    data = json.loads((out / "history.json").read_text())
    assert data["head"] == "v1" and [v["is_head"] for v in data["versions"]] == [False, True]


def test_lineage_follows_one_branch_and_names_a_damaged_chain(tmp_path):
    import json
    import sqlite3

    from agent.versions import Version, VersionStore
    from engine.errors import DatabaseCorruptError

    vs = VersionStore(tmp_path / "versions.sqlite")
    vs.create("b", "0" * 64)
    for parent in ("v0", "v1", "v1"):  # v1, v2 on v1, then v3 on v1: a branch
        vs.commit("b", Version(id="pending", parent=parent, image_id="0" * 64, instruction=f"on {parent}"))
    assert [v.id for v in vs.lineage("b")] == ["v0", "v1", "v3"]
    assert [v.id for v in vs.lineage("b", "v2")] == ["v0", "v1", "v2"]

    def damage(vid, parent):  # another writer replaces v1's record (a damaged file)
        with sqlite3.connect(tmp_path / "versions.sqlite") as db:
            rec = json.loads(db.execute("SELECT record FROM versions WHERE id=?", (vid,)).fetchone()[0])
            db.execute("UPDATE versions SET record=? WHERE id=?", (json.dumps({**rec, "parent": parent}), vid))

    damage("v1", "v7")
    with pytest.raises(VersionNotFoundError, match="v7"):
        vs.lineage("b")
    damage("v1", "v3")  # v3 -> v1 -> v3 ...: reported, not an endless walk
    with pytest.raises(DatabaseCorruptError, match="cycle"):
        vs.lineage("b")
