"""SIGKILL during background writes: nothing flushed ("committed") is lost, no half file under a valid id."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from engine.image_store import ImageStore
from helpers import ROOT

CHILD = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    import numpy as np
    import engine.store_io as io
    from engine.image_store import ImageStore
    if {hold_in_fsync!r}:  # park the writer inside its fsync: temp file written, not yet renamed
        real = os.fsync
        def slow_fsync(fd):
            if not os.path.isdir(os.readlink(f"/proc/self/fd/{{fd}}")):
                print("in-fsync", flush=True)
                time.sleep(30)
            real(fd)
        io.os.fsync = slow_fsync
    store = ImageStore({home!r})
    for n in range(10_000):
        image = np.random.default_rng(n).integers(0, 256, (512, 512, 3), dtype=np.uint8)
        image_id = store.put(image, wait=False)  # the next stage would run while this is written
        if n % 2 == 0 and not {hold_in_fsync!r}:
            store.flush([image_id])  # a version may refer to it only now
            print("committed", n, image_id, flush=True)
""")


def _pixels(n):
    return np.random.default_rng(n).integers(0, 256, (512, 512, 3), dtype=np.uint8)


def _check_store(home, committed):
    store = ImageStore(home)
    for n, image_id in committed:
        assert np.array_equal(store.get_image(image_id, verify=True), _pixels(n))
    for image_id in store.ids():  # every file under a valid id name is whole and matches its id
        store.get_image(image_id, verify=True)
    return store


def _start(tmp_path, home, hold_in_fsync):
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), home=str(home), hold_in_fsync=hold_in_fsync))
    return subprocess.Popen([sys.executable, script], stdout=subprocess.PIPE, text=True)


@pytest.mark.parametrize("delay_s", [0.0, 0.003, 0.011, 0.029])
def test_kill_at_random_moments_of_background_writes_loses_nothing_committed(tmp_path, delay_s):
    home = tmp_path / "images"
    proc = _start(tmp_path, home, hold_in_fsync=False)
    committed = []
    for _ in range(3):
        _, n, image_id = proc.stdout.readline().split()
        committed.append((int(n), image_id))
    time.sleep(delay_s)  # the next put is in flight now (encoding, writing or fsyncing)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    _check_store(home, committed)


def test_kill_inside_a_background_write_leaves_only_an_unlisted_temp_file(tmp_path):
    home = tmp_path / "images"
    proc = _start(tmp_path, home, hold_in_fsync=True)
    assert proc.stdout.readline().strip() == "in-fsync"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    temps = list(home.rglob(".*.tmp"))
    assert len(temps) == 1 and temps[0].stat().st_size > 0  # the kill landed mid-write
    store = _check_store(home, [])
    assert list(store.ids()) == [] and store.temp_files() == temps  # invisible under any id; gc can sweep it


def test_a_normal_exit_finishes_every_queued_background_write(tmp_path):
    home = tmp_path / "images"
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import numpy as np\n"
            "from engine.image_store import ImageStore\n"
            f"s = ImageStore({str(home)!r})\n"
            "print(*[s.put(np.random.default_rng(n).integers(0, 256, (512, 512, 3), dtype=np.uint8), wait=False)"
            " for n in range(4)])\n")
    ids = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    _check_store(home, list(enumerate(ids)))
    assert sorted(ImageStore(home).ids()) == sorted(ids)


def test_a_forked_child_gets_its_own_writer_thread(tmp_path):
    store = ImageStore(tmp_path)
    store.put(_pixels(0))  # the parent's writer thread exists now
    pid = os.fork()
    if pid == 0:  # child: a durable put must not wait on the parent's (absent) thread
        signal.alarm(20)  # a hang fails the test instead of blocking it
        try:
            ImageStore(tmp_path).put(_pixels(1))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert status == 0 and len(list(ImageStore(tmp_path).ids())) == 2
