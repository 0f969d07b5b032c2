"""The version store's SQLite connection (agent/versions.py StoreDatabase): one per store and process,
reopened when the file is replaced or the process forked; reads take no write lock; head moves are
committed at synchronous=NORMAL and still survive a SIGKILL; a version and its attempt mark commit
together."""
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from agent.versions import AttemptRecord, Version, VersionStore
from helpers import ROOT

IMG = "a" * 64


def _store(tmp_path, n=3) -> VersionStore:
    vs = VersionStore(tmp_path / "versions.sqlite")
    vs.create("s", IMG)
    for i in range(1, n):
        vs.commit("s", Version(id="pending", parent=f"v{i - 1}", image_id=IMG, instruction=f"edit {i}"))
    return vs


def test_one_connection_serves_every_transaction(tmp_path, monkeypatch):
    vs = _store(tmp_path)
    opened = []
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: opened.append(a) or real(*a, **kw))
    for _ in range(5):
        vs.history("s")
        vs.undo("s")
        vs.redo("s")
    assert opened == []  # the store's connection stayed open (it was opened by _store)
    assert vs.head("s").id == "v2"


def test_a_replaced_file_is_reopened_not_written_through_a_stale_connection(tmp_path):
    vs = _store(tmp_path)
    path = tmp_path / "versions.sqlite"
    other = VersionStore(tmp_path / "other" / "versions.sqlite")
    other.create("t", IMG)
    other.db.close()  # its WAL checkpointed into the file and removed: the file alone is the database
    for suffix in ("", "-wal", "-shm"):  # moved aside with its WAL (what a salvage or a restore does)
        os.replace(tmp_path / f"versions.sqlite{suffix}", tmp_path / f"old.sqlite{suffix}")
    os.replace(tmp_path / "other" / "versions.sqlite", path)
    assert vs.sessions() == ["t"]
    vs.create("u", IMG)  # written to the new file, not through the old connection
    assert VersionStore(path).sessions() == ["t", "u"]
    assert VersionStore(tmp_path / "old.sqlite").sessions() == ["s"]


def test_reads_do_not_wait_for_another_process_holding_the_write_lock(tmp_path):
    vs = _store(tmp_path)
    holder = sqlite3.connect(tmp_path / "versions.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer in another connection (process) mid-transaction
    try:
        assert [v.id for v in vs.history("s")] == ["v0", "v1", "v2"]
        assert vs.head("s").id == "v2" and vs.pending("s") is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_head_moves_are_not_fsynced_commits_are(tmp_path):
    vs = _store(tmp_path)
    vs.undo("s")
    assert vs.db._sync == "NORMAL"
    assert vs.db._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    vs.commit("s", Version(id="pending", parent="v1", image_id=IMG))
    assert vs.db._sync == "FULL"
    assert vs.db._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert vs.db._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from agent.versions import Version, VersionStore
    vs = VersionStore({path!r})
    vs.undo("s"); vs.undo("s"); vs.redo("s")          # head: v1, redo [v2]
    vs.commit("s", Version(id="pending", parent="v1", image_id="{img}", instruction="branch"))  # v3
    vs.undo("s")                                      # head back to v1, redo [v3]
    print("done", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)              # no close, no checkpoint, no exit handlers
""")


def test_head_moves_and_commits_survive_a_sigkill(tmp_path):
    _store(tmp_path).db.close()
    path = tmp_path / "versions.sqlite"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), path=str(path), img=IMG))
    proc = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL and "done" in proc.stdout, proc.stderr
    vs = VersionStore(path)
    assert vs.state("s") == ("v1", ["v3"])
    assert [v.id for v in vs.history("s")] == ["v0", "v1", "v2", "v3"]
    assert vs.redo("s").instruction == "branch"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX-only")
def test_a_forked_child_opens_its_own_connection(tmp_path):
    vs = _store(tmp_path)
    parent_conn = vs.db._conn
    pid = os.fork()
    if pid == 0:  # the child: its own connection, the parent's left alone
        code = 1
        try:
            vs.undo("s")
            code = 0 if vs.db._conn is not parent_conn and vs.head("s").id == "v1" else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert vs.db._conn is parent_conn and vs.head("s").id == "v1"  # the child's undo is in the file
    assert vs.redo("s").id == "v2"


def test_commit_attempt_records_the_version_and_the_attempt_mark_together(tmp_path):
    vs = _store(tmp_path, n=1)
    (rec,) = vs.add_attempts("s", [AttemptRecord(run_id="r1", turn_parent="v0", n=0, result_id=IMG,
                                                 status="pending")])
    v, stored = vs.commit_attempt("s", Version(id="pending", parent="v0", image_id=IMG, run_id="r1",
                                               attempt_id=rec.id), rec.id)
    assert (v.id, stored.status, stored.version) == ("v1", "committed", "v1")
    assert vs.attempt("s", rec.id).status == "committed"
    with pytest.raises(Exception):  # an unknown attempt: neither the version nor the mark is written
        vs.commit_attempt("s", Version(id="pending", parent="v1", image_id=IMG, run_id="r2"), "a99")
    assert vs.head("s").id == "v1" and len(vs.history("s")) == 2


@pytest.mark.parametrize("run_id", ["3f2a9c:0", 'odd "run" id\u00e9%_'])
def test_commit_by_the_same_run_is_idempotent(tmp_path, run_id):
    vs = _store(tmp_path, n=2)
    first = vs.commit("s", Version(id="pending", parent="v1", image_id=IMG, run_id=run_id))
    again = vs.commit("s", Version(id="pending", parent="v1", image_id=IMG, run_id=run_id))
    other = vs.commit("s", Version(id="pending", parent="v1", image_id=IMG, run_id=run_id + "x"))
    assert first.id == again.id == "v2" and other.id == "v3"


def test_the_checkpointer_commits_without_fsync_and_is_synced_before_a_review(tmp_path, monkeypatch):
    from agent.session import _relaxed, _sync_checkpoints
    from agent.stores import make_checkpointer
    from engine.settings import Settings

    saver = _relaxed(make_checkpointer(Settings.load(env={}, data_dir=tmp_path)))
    assert saver.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert saver.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: no fsync per checkpoint
    with saver.cursor() as cur:  # a checkpoint write: lands in the WAL
        cur.execute("INSERT INTO writes VALUES ('t', '', 'c', 'task', '', 0, 'ch', 'json', x'00')")
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real(fd))
    _sync_checkpoints(saver)
    assert str(tmp_path / "checkpoints.sqlite-wal") in synced


def test_a_fold_leaves_the_database_file_complete_on_its_own(tmp_path):
    vs = _store(tmp_path)
    wal = tmp_path / "versions.sqlite-wal"
    vs.undo("s")  # a head move: in the WAL only
    assert wal.stat().st_size > 0
    vs.fold()  # what the end of every turn does
    assert wal.stat().st_size == 0
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes((tmp_path / "versions.sqlite").read_bytes())  # the file alone, as a backup would take it
    assert VersionStore(copy).state("s") == ("v1", ["v2"])


def test_a_turns_records_are_fsynced_by_the_fold_at_its_end(tmp_path, monkeypatch):
    vs = _store(tmp_path, n=1)
    (rec,) = vs.add_attempts("s", [AttemptRecord(run_id="r1", turn_parent="v0", n=0, result_id=IMG)])
    vs.commit_attempt("s", Version(id="pending", parent="v0", image_id=IMG, run_id="r1"), rec.id)
    assert vs.db._sync == "NORMAL"  # in the WAL (a kill keeps them), not fsynced yet
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real(fd))
    vs.fold()
    assert synced[0] == str(tmp_path / "versions.sqlite-wal")  # before the checkpoint, whatever it meets
    assert (tmp_path / "versions.sqlite-wal").stat().st_size == 0


def test_an_edit_ends_with_the_fold(tmp_path, monkeypatch):
    from agent.versions import holding_edit_lock

    vs = _store(tmp_path)
    folds = []
    monkeypatch.setattr(vs, "fold", lambda: folds.append(1))

    class Turn:
        name, versions = "s", vs

        @holding_edit_lock
        def edit(self, fail):
            if fail:
                raise RuntimeError("the turn failed")
            return "ok"
    assert Turn().edit(False) == "ok"
    with pytest.raises(RuntimeError):
        Turn().edit(True)
    assert folds == [1, 1]
