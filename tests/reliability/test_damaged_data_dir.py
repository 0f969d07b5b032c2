"""A damaged, read-only, full or locked data dir: every command either works (reads) or fails with ONE
typed line naming the file and the fix; afterwards the history and every stored image are as they were.

Each case damages a copy of a real data dir (session "s": v0 the photo, v1 the spoon removed), takes
the snapshot of what is left, runs commands, and compares. Read-only and disk-full are made for real
where the machine allows (a read-only bind mount / a small tmpfs in a user namespace, or chmod as a
non-root user) and injected at the OS-call level otherwise; the lock is a second process holding
BEGIN EXCLUSIVE.
"""
from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.image_store import ImageStore
from faults import BOX, assert_one_line_error, assert_unchanged, run_disk_full, run_read_only, snapshot
from helpers import PHOTO

OK = None  # the command must succeed


def _garbage(path: Path, start: int = 0, n: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    n = len(data) - start if n is None else n
    data[start:start + n] = random.Random(0).randbytes(n)
    path.write_bytes(bytes(data))


def _sql(home: Path, sql: str) -> None:
    db = sqlite3.connect(home / "versions.sqlite")
    db.execute(sql)
    db.commit()
    db.close()


def _files(home: Path, vid: str) -> tuple[Path, Path | None]:
    db = sqlite3.connect(home / "versions.sqlite")
    image_id, mask_id = db.execute("SELECT image_id, mask_id FROM versions WHERE id=?", (vid,)).fetchone()
    db.close()
    store = ImageStore(home / "images")
    return store.path(image_id), store.path(mask_id) if mask_id else None


def _replace_dir(path: Path, with_file: bool) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.write_text("not a directory") if with_file else path.mkdir()


DAMAGE = {
    "versions-corrupt": lambda h: _garbage(h / "versions.sqlite", 4096),
    "versions-truncated": lambda h: (h / "versions.sqlite").write_bytes((h / "versions.sqlite").read_bytes()[:6000]),
    "versions-not-a-database": lambda h: _garbage(h / "versions.sqlite"),
    "versions-is-a-directory": lambda h: _replace_dir(h / "versions.sqlite", with_file=False),
    "checkpoints-corrupt": lambda h: _garbage(h / "checkpoints.sqlite", 4096),
    "checkpoints-not-a-database": lambda h: _garbage(h / "checkpoints.sqlite"),
    "checkpoints-is-a-directory": lambda h: _replace_dir(h / "checkpoints.sqlite", with_file=False),
    "version-row-broken-json": lambda h: _sql(h, "UPDATE versions SET record='{\"id\": \"v1\", broken' WHERE id='v1'"),
    "redo-list-broken-json": lambda h: _sql(h, "UPDATE sessions SET redo='[oops' WHERE name='s'"),
    "pending-broken-json": lambda h: _sql(h, "UPDATE sessions SET pending='{oops' WHERE name='s'"),
    "images-is-a-file": lambda h: _replace_dir(h / "images", with_file=True),
    "locks-is-a-file": lambda h: (h / "locks").write_text("not a directory"),
    "image-overwritten-with-garbage": lambda h: _garbage(_files(h, "v1")[0]),
    "image-swapped-for-another-png": lambda h: _files(h, "v1")[0].write_bytes(_files(h, "v0")[0].read_bytes()),
    "image-missing": lambda h: _files(h, "v0")[0].unlink(),
    "mask-missing": lambda h: _files(h, "v1")[1].unlink(),
    "mask-overwritten-with-garbage": lambda h: _garbage(_files(h, "v1")[1], 100),
    "leftover-temp-file": lambda h: (_files(h, "v1")[0].parent / "tmpk2j3.tmp").write_bytes(b"half a png"),
    "wal-garbage": lambda h: (h / "versions.sqlite-wal").write_bytes(random.Random(1).randbytes(5000)),
}
CORRUPT_DB = ["damaged", "brushedit doctor --data-dir"]

CASES = {  # damage -> [(command args, needle (None: must succeed), extra needle)]
    "versions-corrupt": [(["history", "-s", "s"], *CORRUPT_DB), (["edit", "-s", "s", "remove the spoon", "--box", BOX],
                                                                  *CORRUPT_DB), (["undo", "-s", "s"], *CORRUPT_DB)],
    "versions-truncated": [(["history", "-s", "s"], *CORRUPT_DB), (["new", PHOTO, "-s", "n"], *CORRUPT_DB)],
    "versions-not-a-database": [(["history", "-s", "s"], *CORRUPT_DB), (["sessions"], *CORRUPT_DB)],
    "versions-is-a-directory": [(["history", "-s", "s"], "versions.sqlite", "is not a file")],
    "checkpoints-corrupt": [(["history", "-s", "s"], OK, None),
                            (["edit", "-s", "s", "remove the spoon", "--box", BOX], "checkpoints.sqlite", "mv ")],
    "checkpoints-not-a-database": [(["edit", "-s", "s", "remove the spoon", "--box", BOX], "checkpoints.sqlite", "mv ")],
    "checkpoints-is-a-directory": [(["edit", "-s", "s", "remove the spoon", "--box", BOX], "checkpoints.sqlite", None)],
    "version-row-broken-json": [(["history", "-s", "s"], "version v1", "--salvage s"),
                                (["export", "-s", "s", "--out", "{tmp}/e"], "version v1", None),
                                (["undo", "-s", "s"], "version v1", None)],
    "redo-list-broken-json": [(["redo", "-s", "s"], "redo list", "doctor")],
    "pending-broken-json": [(["history", "-s", "s"], "pending review", "doctor"),
                            (["edit", "-s", "s", "remove the spoon", "--box", BOX], "pending review", None)],
    "images-is-a-file": [(["edit", "-s", "s", "remove the spoon", "--box", BOX], "images", "in the way")],
    "locks-is-a-file": [(["edit", "-s", "s", "remove the spoon", "--box", BOX], "locks", "in the way")],
    "image-overwritten-with-garbage": [(["history", "-s", "s"], OK, None),
                                       (["export", "-s", "s", "--out", "{tmp}/e"], "v1 (", "do not verify"),
                                       (["edit", "-s", "s", "remove the spoon", "--box", BOX], "corrupt", None)],
    "image-swapped-for-another-png": [(["export", "-s", "s", "--out", "{tmp}/e"], "v1 (", "do not verify"),
                                      (["edit", "-s", "s", "remove the spoon", "--box", BOX], "corrupt", None)],
    "image-missing": [(["export", "-s", "s", "--out", "{tmp}/e"], "v0 (", "do not verify"),
                      (["history", "-s", "s"], OK, None)],
    "mask-missing": [(["export", "-s", "s", "--out", "{tmp}/e"], "v1 (", "do not verify")],
    "mask-overwritten-with-garbage": [(["export", "-s", "s", "--out", "{tmp}/e"], "v1 (", "do not verify")],
    "leftover-temp-file": [(["history", "-s", "s"], OK, None), (["export", "-s", "s", "--out", "{tmp}/e"], OK, None)],
    "wal-garbage": [(["history", "-s", "s"], OK, None)],
}


@pytest.mark.parametrize("name", list(CASES))
def test_damaged_data_dir(name, cli, home, tmp_path):
    DAMAGE[name](home)
    before = snapshot(home)
    for args, needle, extra in CASES[name]:
        r = cli(*[str(a).replace("{tmp}", str(tmp_path)) for a in args], env={"BRUSHEDIT_HOME": home})
        if needle is OK:
            assert r.code == 0 and not r.errors, r.err
            continue
        line = assert_one_line_error(r, needle)
        assert extra is None or extra in line, line
    assert not (tmp_path / "e" / "v1.png").exists() or name in ("leftover-temp-file",), "exported unverified files"
    assert_unchanged(before, home)


# --- an edit waiting for review whose files are gone or damaged: accept is refused ------------------------
@pytest.fixture
def pending_home(home):
    from agent.session import Session
    from engine.settings import Settings

    s = Session.open("s", Settings.load(env={}, data_dir=home), interactive=True)
    out = s.edit("remove the spoon", box=(300, 50, 140, 290))
    assert out.status == "pending"
    return home, out


@pytest.mark.parametrize("damage", ["result-missing", "result-overwritten", "mask-missing"])
def test_accept_refuses_a_pending_result_that_does_not_verify(damage, cli, pending_home):
    home, out = pending_home
    store = ImageStore(home / "images")
    result, mask = store.path(out.result_id), store.path(out.mask_id)
    {"result-missing": result.unlink, "result-overwritten": lambda: _garbage(result, 200),
     "mask-missing": mask.unlink}[damage]()
    before = snapshot(home)
    line = assert_one_line_error(cli("accept", "-s", "s", env={"BRUSHEDIT_HOME": home}), "the pending result")
    assert "do not verify" in line
    assert_unchanged(before, home)
    assert "waiting for review" in cli("history", "-s", "s", env={"BRUSHEDIT_HOME": home}).out


# --- read-only: reads work, every write says "read-only" ----------------------------------------------------
@pytest.mark.parametrize("where", ["data-dir", "images-dir"])
def test_read_only_data_dir_reads_work_writes_say_read_only(where, home, tmp_path):
    target = home if where == "data-dir" else home / "images"
    before = snapshot(home)
    r, how = run_read_only(home, target, "history", "-s", "s")
    assert r.code == 0 and "remove the spoon" in r.out, (how, r.err)
    r, how = run_read_only(home, target, "export", "-s", "s", "--out", tmp_path / "exp")
    assert r.code == 0 and (tmp_path / "exp" / "v1.png").exists(), (how, r.err)
    writes = [["edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100"], ["new", _noise(tmp_path), "-s", "n"]]
    writes += [["undo", "-s", "s"]] if where == "data-dir" else []
    for args in writes:
        r, how = run_read_only(home, target, *args)
        assert_one_line_error(r, "read-only")
    assert_unchanged(before, home)


# --- disk full: nothing half-written, the message says how much was needed --------------------------------
def _noise(tmp_path: Path) -> Path:
    """A photo that is not in the store yet (its bytes must be written)."""
    path = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(path)
    return path


@pytest.mark.parametrize("args, free_kb", [
    (["edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100"], 400),
    (["new", "{noise}", "-s", "n"], 100),
    (["undo", "-s", "s"], 0),
])
def test_disk_full_leaves_nothing_half_written(args, free_kb, home, tmp_path):
    before = snapshot(home)
    args = [str(_noise(tmp_path)) if a == "{noise}" else a for a in args]
    r, after, how = run_disk_full(home, free_kb, *args)
    line = assert_one_line_error(r, "disk full")
    assert "needs" in line and "free" in line, (how, line)
    assert_unchanged(before, after, new_images_ok=True)
    assert not list(after.rglob("*.tmp")), "a half-written file was left"


# --- a database locked by another process: a bounded wait, then "busy" --------------------------------------
LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.mark.slow
def test_locked_database_waits_briefly_then_says_busy(cli, home):
    before = snapshot(home)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(home / "versions.sqlite"), "20"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        for args in (["history", "-s", "s"], ["edit", "-s", "s", "remove the spoon", "--box", BOX]):
            t0 = time.monotonic()
            line = assert_one_line_error(cli(*args, env={"BRUSHEDIT_HOME": home}), "busy: another brushedit process")
            assert 4 <= time.monotonic() - t0 < 15, line
    finally:
        locker.kill()
        locker.wait()
    assert_unchanged(before, home)
    assert cli("history", "-s", "s", env={"BRUSHEDIT_HOME": home}).code == 0
