import numpy as np

from agent.maintenance import collect_garbage
from agent.session import Session
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner

REMOVE = {"category": "remove", "target": "spoon", "caption": "an empty saucer"}


def test_gc_removes_only_unreferenced_images(settings, make_backends, tmp_path):
    s = Session.new("g", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)))
    out = s.edit("remove the spoon", box=SPOON_BOX)
    stray = s.store.put(np.full((8, 8, 3), 7, np.uint8))  # e.g. a rejected attempt's image
    assert collect_garbage(settings, grace_s=3600).removed == 0  # too young: another edit may use it
    unreferenced = set(s.store.ids()) - s.versions.referenced_ids()
    assert stray in unreferenced
    dry = collect_garbage(settings, grace_s=0, dry_run=True)
    assert dry.removed == len(unreferenced) and s.store.exists(stray)
    report = collect_garbage(settings, grace_s=0)
    assert report.removed == dry.removed and report.bytes_freed > 0 and not s.store.exists(stray)
    for v in s.history():
        s.store.get_image(v.image_id, verify=True)
    assert np.array_equal(s.store.get_mask(out.version.mask_id, verify=True), s.store.get_mask(out.mask_id))
    s.export(tmp_path / "exp")  # every version still exports


def test_gc_keeps_pending_review_images(settings, make_backends):
    s = Session.new("p", PHOTO, settings, backends=make_backends(planner=ScriptedPlanner(REMOVE)), interactive=True)
    pending = s.edit("remove the spoon", box=SPOON_BOX)
    collect_garbage(settings, grace_s=0)
    assert s.store.exists(pending.result_id) and s.store.exists(pending.mask_id)
    assert s.accept().status == "committed"
