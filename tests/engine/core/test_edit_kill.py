"""A kill while an edit's image write is inside its fsync: the edit in flight is lost, nothing else, and no
record names an image that is not whole on disk."""
import os
import signal
import subprocess
import sys
import textwrap
import time

from agent.versions import VersionStore
from engine.image_store import ImageStore
from helpers import ROOT


CHILD = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    import numpy as np
    import engine.store_io as io
    real = os.fsync
    def parked(fd):  # the writer parks inside the fsync of the edit's first image file
        target = os.readlink(f"/proc/self/fd/{{fd}}")
        if not os.path.isdir(target) and ".qoi." in target and os.environ.get("PARK"):
            print("parked", flush=True)
            time.sleep(60)
        real(fd)
    io.os.fsync = parked
    from agent.session import Session
    from engine.backends import Backends
    from engine.plan import EditPlan, PlanResult
    from engine.settings import Settings
    from pathlib import Path

    class Planner:
        name = "scripted"
        def plan(self, request):
            return PlanResult(plan=EditPlan(category="remove", target="thing", caption="bg"), planner=self.name)

    class Inpainter:
        name = "grey"
        methods = ("grey",)
        def supports(self, category):
            return True
        def inpaint(self, request):
            out = request.image.copy()
            out[request.mask] = 127
            return out

    settings = Settings.load(env={{}}, data_dir=Path({home!r}))
    image = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    s = Session.new("k", image, settings, backends=Backends(settings, planner=Planner(), inpainter=Inpainter()))
    print("created", flush=True)
    os.environ["PARK"] = "1"
    s.edit("remove thing", box=(40, 40, 80, 80))
    print("edited", flush=True)
""")


def test_a_kill_while_an_edit_writes_behind_leaves_no_record_of_a_missing_image(tmp_path):
    home = tmp_path / "data"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), home=str(home)))
    proc = subprocess.Popen([sys.executable, script], stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.strip())
            if line.strip() == "parked":
                break
        assert lines[-2:] == ["created", "parked"], lines
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    vs = VersionStore(home / "versions.sqlite")
    store = ImageStore(home / "images")
    assert [v.id for v in vs.history("k")] == ["v0"]  # the edit in flight is lost, nothing else
    for rec in vs.attempts("k"):  # whatever was recorded names images that are whole on disk
        for image_id in (rec.result_id, rec.mask_id, rec.generated_id):
            if image_id:
                store.get_image(image_id, verify=True) if image_id != rec.mask_id else store.get_mask(image_id, True)
    for image_id in store.ids():  # and no file under an id is half-written
        try:
            store.get_image(image_id, verify=True)
        except Exception:
            store.get_mask(image_id, verify=True)
    store.get_image(vs.head("k").image_id, verify=True)
