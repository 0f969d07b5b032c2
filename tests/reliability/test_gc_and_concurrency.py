"""gc cannot race an edit, and one session is edited by one process at a time (never two silent siblings).

The gc case is the one of the issue that lost data: an edit re-creates bytes an older, rejected
attempt left in the store (its file is hours old and nothing references it), and gc runs while that
edit is between storing the result and committing it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from PIL import Image

from agent.maintenance import collect_garbage
from agent.session import Session
from engine.errors import SessionBusyError
from faults import Run, assert_one_line_error, proc_env
from helpers import PHOTO, ROOT, SPOON_BOX


def _verify_every_version(s: Session) -> None:
    for v in s.history():
        s.store.get_image(v.image_id, verify=True)
        if v.mask_id:
            s.store.get_mask(v.mask_id, verify=True)


def test_gc_during_an_edit_that_recreates_an_old_attempts_bytes(settings, tmp_path):
    gone = Session.new("old", PHOTO, settings)
    old = gone.edit("remove the spoon", box=SPOON_BOX)
    gone.delete()  # its images stay until gc: hours old, referenced by nothing
    Session.new("g", PHOTO, settings)
    hours_ago = time.time() - 3 * 3600
    for image_id in (old.result_id, old.mask_id):
        os.utime(gone.store.path(image_id), (hours_ago, hours_ago))
    assert {old.result_id, old.mask_id} <= set(gone.store.ids()) - gone.versions.referenced_ids()

    stored, release = threading.Event(), threading.Event()
    s = Session.open("g", settings)
    real_put = s.store.put

    def put_then_pause(array, **kw):  # the edit stores the old attempt's bytes again, then waits before committing
        image_id = real_put(array, **kw)
        if image_id == old.result_id:
            stored.set()
            assert release.wait(30)
        return image_id

    s.store.put = put_then_pause
    outcome = {}
    edit = threading.Thread(target=lambda: outcome.update(r=s.edit("remove the spoon", box=SPOON_BOX)))
    edit.start()
    try:
        assert stored.wait(60)
        # the same bytes again, not referenced yet: gc by age alone would delete them unless put() refreshed the
        # file's time; either way gc must not run now
        assert old.result_id not in s.versions.referenced_ids()
        with pytest.raises(SessionBusyError, match="busy: an edit is running"):
            collect_garbage(settings, grace_s=3600, wait_s=0.3)
        assert s.store.exists(old.result_id)
        waiting = {}
        gc = threading.Thread(target=lambda: waiting.update(r=collect_garbage(settings, grace_s=3600, wait_s=60)))
        gc.start()
        time.sleep(0.3)
        assert gc.is_alive()  # gc waits for the edit
    finally:
        release.set()
        edit.join(60)
    gc.join(60)
    version = outcome["r"].version
    assert version.image_id == old.result_id and version.mask_id == old.mask_id
    assert waiting["r"].removed == 0  # everything left is referenced now
    _verify_every_version(s)
    s.export(tmp_path / "exported")
    exported = np.asarray(Image.open(tmp_path / "exported" / f"{version.id}.png").convert("RGB"))
    assert np.array_equal(exported, s.store.get_image(old.result_id, verify=True))


def test_gc_prunes_checkpoints_of_finished_runs_keeping_a_pending_review(settings):
    s = Session.new("c", PHOTO, settings)
    for box in (SPOON_BOX, (100, 200, 200, 100)):
        s.edit("remove the spoon", box=box)
    p = Session.new("p", PHOTO, settings, interactive=True)
    assert p.edit("remove the spoon", box=SPOON_BOX).status == "pending"
    path = settings.data_dir / "checkpoints.sqlite"
    report = collect_garbage(settings, grace_s=0)
    assert report.checkpoints_pruned > 3
    import sqlite3

    db = sqlite3.connect(path)
    per_thread = dict(db.execute("SELECT thread_id, COUNT(*) FROM checkpoints GROUP BY thread_id").fetchall())
    db.close()
    assert list(per_thread.values()) == [1]  # finished runs drop their thread; the pending run keeps its newest
    assert collect_garbage(settings, grace_s=0).checkpoints_pruned == 0
    accepted = Session.open("p", settings, interactive=True).accept()  # the pending review still resumes
    assert accepted.status == "committed" and accepted.version.id == "v1"
    _verify_every_version(Session.open("p", settings))
    assert Session.open("c", settings).edit("remove the saucer", box=(90, 210, 60, 60)).version.parent == "v2"


# --- two processes, one session -----------------------------------------------------------------------------
SLOW_EDIT = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from agent.session import Session
    from engine.backends import Backends
    from engine.settings import Settings
    from helpers import ScriptedPlanner, SPOON_BOX
    class Slow(ScriptedPlanner):
        def plan(self, request):
            print("planning", flush=True)
            time.sleep(float(sys.argv[1]))
            return super().plan(request)
    settings = Settings.load(env={{}}, data_dir={home!r})
    plan = {{"category": "remove", "target": "spoon", "caption": "an empty saucer"}}
    s = Session.open("s", settings, backends=Backends(settings, planner=Slow(plan)))
    print(s.edit("remove the spoon slowly", box=SPOON_BOX).version.id, flush=True)
""")


def _slow_edit(home, seconds: float) -> subprocess.Popen:
    script = home.parent / "slow_edit.py"
    script.write_text(SLOW_EDIT.format(root=str(ROOT), tests=str(ROOT / "tests"), home=str(home)))
    proc = subprocess.Popen([sys.executable, str(script), str(seconds)], stdout=subprocess.PIPE, text=True,
                            env=proc_env(home))
    assert proc.stdout.readline().strip() == "planning"  # it holds the session now
    return proc


def _cli(home, *args) -> Run:
    out = subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True,
                         env=proc_env(home), timeout=120)
    return Run(out.returncode, out.stdout, out.stderr)


def _parents(home) -> dict:
    import json

    return {v["id"]: v["parent"] for v in json.loads(_cli(home, "history", "-s", "s", "--json").out)["versions"]}


@pytest.mark.slow
def test_second_edit_of_a_session_waits_briefly_then_says_busy(home):
    first = _slow_edit(home, 8)
    try:
        t0 = time.monotonic()
        r = _cli(home, "edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100")
        assert_one_line_error(r, "busy: session s is being edited")
        assert 2.5 <= time.monotonic() - t0 < 8
        assert "--queue" in r.errors[0]
    finally:
        assert first.stdout.readline().strip() == "v2"
        first.wait(60)
    assert _parents(home) == {"v0": None, "v1": "v0", "v2": "v1"}  # only the first edit, nothing forked


@pytest.mark.slow
def test_queued_edit_runs_after_the_first_and_builds_on_its_result(home):
    first = _slow_edit(home, 5)
    r = _cli(home, "edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100", "--queue")
    assert first.stdout.readline().strip() == "v2"
    first.wait(60)
    assert r.code == 0 and "v3 committed (parent v2" in r.out, r.err
    assert _parents(home) == {"v0": None, "v1": "v0", "v2": "v1", "v3": "v2"}  # a chain, never two siblings


@pytest.mark.slow
def test_edit_lock_is_released_when_the_holder_dies(home):
    first = _slow_edit(home, 60)
    first.kill()
    first.wait(10)
    r = _cli(home, "edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100")
    assert r.code == 0 and "v2 committed (parent v1" in r.out, r.err
