"""Sessions survive the process: review across processes, and a kill mid-edit loses no version."""
import os
import signal
import subprocess
import sys
import textwrap

from agent.session import Session
from engine.backends import Backends
from helpers import PHOTO, ROOT, SPOON_BOX, ScriptedPlanner

REMOVE = {"category": "remove", "target": "spoon", "caption": "an empty saucer"}

CHILD = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from agent.session import Session
    from engine.backends import Backends
    from engine.settings import Settings
    from helpers import ScriptedPlanner, SPOON_BOX
    class Slow(ScriptedPlanner):
        def plan(self, request):
            if request.instruction == "slow":
                print("planning-slow", flush=True)
                time.sleep(60)
            return super().plan(request)
    settings = Settings.load(env={{}}, data_dir={home!r})
    b = Backends(settings, planner=Slow({plan!r}))
    s = Session.open("p", settings, backends=b, interactive={interactive})
    action = sys.argv[1]
    if action == "edit":
        print(s.edit(sys.argv[2], box=SPOON_BOX).status, flush=True)
    elif action == "accept":
        print(s.accept().version.id, flush=True)
""")


def _child(tmp_path, home, interactive=False):
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), home=str(home), plan=REMOVE,
                                   interactive=interactive))
    return script


def test_review_pending_in_one_process_accepted_in_another(tmp_path, settings):
    Session.new("p", PHOTO, settings)
    script = _child(tmp_path, settings.data_dir, interactive=True)
    out = subprocess.run([sys.executable, script, "edit", "remove the spoon"], capture_output=True, text=True)
    assert out.stdout.strip() == "pending", out.stderr
    assert Session.open("p", settings).pending() is not None
    out = subprocess.run([sys.executable, script, "accept"], capture_output=True, text=True)
    assert out.stdout.strip() == "v1", out.stderr
    s = Session.open("p", settings)
    assert s.head.id == "v1" and s.pending() is None


def test_kill_during_edit_loses_no_committed_version(tmp_path, settings):
    Session.new("p", PHOTO, settings)
    script = _child(tmp_path, settings.data_dir)
    assert subprocess.run([sys.executable, script, "edit", "remove"], capture_output=True, text=True
                          ).stdout.strip() == "committed"
    proc = subprocess.Popen([sys.executable, script, "edit", "slow"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "planning-slow"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    s = Session.open("p", settings, backends=Backends(settings, planner=ScriptedPlanner(REMOVE)))
    assert [v.id for v in s.history()] == ["v0", "v1"] and s.head.id == "v1"
    s.store.get_image(s.head.image_id, verify=True)
    assert s.edit("remove again", box=SPOON_BOX).version.parent == "v1"
