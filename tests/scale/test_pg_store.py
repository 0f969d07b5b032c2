"""What PostgreSQL adds: schema set-up and its errors, the cross-process edit lock, sessions and reviews that
any process continues, the doctor's store check, and gc that asks the right store."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from agent.db import VERSION_MIGRATIONS, SqliteDatabase, migrate, schema_version
from agent.session import Session
from agent.stores import check_store, make_version_store
from agent.versions import VersionStore
from agent.versions_pg import PgVersionStore
from engine.errors import SessionBusyError, StoreUnavailableError
from engine.settings import Settings
from helpers import PHOTO, ROOT, SPOON_BOX

LATEST = max(m[0] for m in VERSION_MIGRATIONS)


def _cli(*args, home, check=True, **env_vars):
    env = {**os.environ, "BRUSHEDIT_HOME": str(home), **env_vars}
    out = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert not check or out.returncode == 0, out.stderr
    return out


def test_unreachable_server_and_missing_schema_are_one_line_errors_naming_the_fix(pg_server, tmp_path):
    with pytest.raises(StoreUnavailableError, match="Cannot use the PostgreSQL store at postgresql://postgres:\\*\\*\\*@"):
        PgVersionStore("postgresql://postgres:secret@127.0.0.1:1/nothing")
    empty = pg_server.create_database()
    with pytest.raises(StoreUnavailableError, match="has no BrushEdit schema.*brushedit db init --store"):
        PgVersionStore(empty)
    out = _cli("history", "-s", "x", "--store", empty, home=tmp_path, check=False)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "brushedit db init" in out.stderr


def test_db_init_creates_everything_once_and_is_safe_to_rerun(pg_server, tmp_path):
    url = pg_server.create_database()
    first = _cli("db", "init", "--store", url, home=tmp_path).stdout
    assert f"versions: applied migration(s) {', '.join(str(n) for n in range(1, LATEST + 1))}" in first and "queue: procrastinate" in first and "created" in first
    again = _cli("db", "init", "--store", url, home=tmp_path).stdout
    assert "versions: up to date" in again and "jobs: up to date" in again and "queue: up to date" in again
    _cli("new", str(PHOTO), "-s", "trip", "--store", url, home=tmp_path / "a")
    hist = json.loads(_cli("history", "-s", "trip", "--json", "--store", url, home=tmp_path / "b").stdout)
    assert hist["head"] == "v0" and hist["versions"][0]["source_size"] == [600, 400]  # another data dir, same store


def test_an_old_sqlite_file_is_migrated_in_place(tmp_path):
    path = tmp_path / "versions.sqlite"
    db = sqlite3.connect(path)  # the schema before migrations existed (no brushedit_schema, no versions.n)
    db.executescript("""
      CREATE TABLE sessions (name TEXT PRIMARY KEY, created REAL, head TEXT, redo TEXT, next_n INTEGER, pending TEXT);
      CREATE TABLE versions (session TEXT, id TEXT, parent TEXT, image_id TEXT, mask_id TEXT, instruction TEXT,
        category TEXT, record TEXT, created REAL, PRIMARY KEY (session, id));""")
    db.execute("INSERT INTO sessions VALUES ('s', 1.0, 'v10', '[]', 11, NULL)")
    for n in range(11):
        rec = json.dumps({"id": f"v{n}", "parent": f"v{n - 1}" if n else None, "image_id": "a" * 64, "created": 5.0})
        db.execute("INSERT INTO versions VALUES ('s', ?, NULL, ?, NULL, NULL, NULL, ?, 5.0)", (f"v{n}", "a" * 64, rec))
    db.commit()
    db.close()
    store = VersionStore(path)
    assert schema_version(store.db, "versions") == LATEST
    assert [v.id for v in store.history("s")] == [f"v{n}" for n in range(11)]  # same timestamps: ordered by n
    assert migrate(SqliteDatabase(path), "versions", VERSION_MIGRATIONS) == []


def _hold(store, name, wait_s):
    with store.edit_lock(name, wait_s=wait_s):
        pass


def test_edit_lock_is_one_holder_per_session_and_dies_with_its_process(pg_url):
    store = PgVersionStore(pg_url)
    with store.edit_lock("s"):
        t0, errors = time.monotonic(), []
        t = threading.Thread(target=lambda: errors.append(pytest.raises(SessionBusyError, _hold, store, "s", 0.3)))
        t.start()
        t.join()
        assert "busy: session s is being edited" in str(errors[0].value) and time.monotonic() - t0 >= 0.3
        with store.edit_lock("other"):  # other sessions are not held up
            pass
        _hold(store, "s", 0)  # re-entrant in the holding thread (a second thread waited, above)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from agent.versions_pg import PgVersionStore\n"
        f"with PgVersionStore({pg_url!r}).edit_lock('s'):\n    print('held', flush=True); time.sleep(60)")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SessionBusyError):
            _hold(store, "s", 0.2)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        with store.edit_lock("s", wait_s=10):  # the server dropped the dead connection's lock
            pass
    finally:
        holder.kill()


def test_a_review_paused_in_this_process_is_accepted_by_another(pg_url, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "a", store=pg_url)
    s = Session.new("r", PHOTO, settings, interactive=True)
    out = s.edit("remove the spoon", box=SPOON_BOX)
    assert out.status == "pending" and s.pending()["result_id"] == out.result_id
    accepted = _cli("accept", "-s", "r", "--store", pg_url, home=tmp_path / "b",  # another data dir, same images
                    BRUSHEDIT_IMAGES_DIR=str(settings.images_dir)).stdout
    assert "v1" in accepted
    head = Session.open("r", settings).head
    assert head.id == "v1" and head.image_id == out.result_id and head.run_id


def test_check_store_reports_a_broken_image_dir_and_a_missing_schema(pg_server, pg_url, tmp_path):
    healthy = Settings.load(env={}, data_dir=tmp_path / "h", store=pg_url)
    assert check_store(healthy) == []
    (tmp_path / "file").write_text("not a directory")
    broken = Settings.load(env={}, data_dir=tmp_path / "h", store=pg_url, images_dir=tmp_path / "file")
    assert [p for p in check_store(broken) if "image dir" in p and "not writable" in p]
    bare = Settings.load(env={}, data_dir=tmp_path / "h", store=pg_server.create_database())
    assert [p for p in check_store(bare) if "brushedit db init" in p]


def test_gc_keeps_what_the_postgres_store_references(pg_url, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "h", store=pg_url)
    s = Session.new("g", PHOTO, settings)
    s.edit("remove the spoon", box=SPOON_BOX)
    keep = make_version_store(settings).referenced_ids()
    out = _cli("gc", "--grace-minutes", "0", "--store", pg_url, home=tmp_path / "h").stdout
    assert "removed" in out
    assert all(s.store.exists(i) for i in keep) and len(keep) >= 3
    s.store.get_image(s.head.image_id, verify=True)


def test_gc_and_edits_exclude_each_other_on_postgres(pg_url, tmp_path):
    """The SQLite store's gc lock, on PostgreSQL: every edit holds a shared advisory lock, gc an exclusive
    one, so gc waits for a running edit (then says busy) and no edit starts while gc runs."""
    from agent.maintenance import collect_garbage

    settings = Settings.load(env={}, data_dir=tmp_path / "h", store=pg_url)
    Session.new("g", PHOTO, settings)
    store = make_version_store(settings)
    with store.edit_lock("g"):  # an edit of g is running (in another thread of this process: its own connection)
        result = []
        t = threading.Thread(target=lambda: result.append(pytest.raises(
            SessionBusyError, collect_garbage, settings, grace_s=0, wait_s=0.3)))
        t.start()
        t.join()
        assert "busy: an edit is running" in str(result[0].value)
        with store.edit_lock("other", wait_s=0.3):  # edits of other sessions go on together
            pass
    with store.maintenance_lock(5):  # gc is running: an edit waits, then says so
        errors = []
        t = threading.Thread(target=lambda: errors.append(pytest.raises(SessionBusyError, _hold, store, "g", 0.3)))
        t.start()
        t.join()
        assert "gc" in str(errors[0].value)
    assert collect_garbage(settings, grace_s=0, wait_s=1).kept >= 1  # free again: gc runs


def test_doctor_checks_the_postgres_store_queue_and_every_versions_files(pg_url, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "h", store=pg_url)
    s = Session.new("d", PHOTO, settings)
    v1 = s.edit("remove the spoon", box=SPOON_BOX).version
    r = _cli("doctor", home=tmp_path / "h", check=False, BRUSHEDIT_STORE=pg_url)
    out = r.stdout
    assert "store" in out and "versions.sqlite" not in out  # the store in use, not SQLite files that are not
    assert "session d" in out and "2 of 2 versions intact" in out
    assert "No `brushedit worker` is running" in out and r.returncode == 1  # edits would wait: a problem
    path = s.store.path(v1.image_id)
    path.chmod(0o600)
    path.write_bytes(b"garbage")
    r = _cli("doctor", "--json", home=tmp_path / "h", check=False, BRUSHEDIT_STORE=pg_url)
    report = json.loads(r.stdout)
    assert r.returncode == 1 and report["damaged_sessions"] == ["d"]
    assert [f for f in report["findings"] if not f["ok"] and f["where"] == f"session d {v1.id}"]
