"""PostgreSQL jobs in one process: submit's rules, events woken by NOTIFY, and what a worker's Runner does with
typed errors, crashes and a retry whose first run had already committed (no worker process here)."""
from __future__ import annotations

import threading
import time

import pytest

from agent.session import Session
from app.jobs_pg import PgJobs, check_queue
from app.worker import MAX_ATTEMPTS, Runner, SerialModels
from engine.backends import Backends
from engine.errors import BrushEditError, SessionBusyError, SessionNotFoundError
from engine.settings import Settings
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner
from standins import SleepInpainter

EDIT = {"instruction": "remove the spoon", "box": list(SPOON_BOX)}


@pytest.fixture
def pg(pg_url, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "home", store=pg_url)
    Session.new("s", PHOTO, settings)
    return settings, PgJobs(settings)


class Exploding:
    name = "exploding"

    def plan(self, request):
        raise RuntimeError("secret internals /home/x")


def test_submit_refuses_unknown_sessions_and_kinds_and_a_second_job_per_session(pg):
    settings, jobs = pg
    with pytest.raises(SessionNotFoundError):
        jobs.submit("edit", "nope", EDIT)
    with pytest.raises(BrushEditError, match="Unknown job kind"):
        jobs.submit("paint", "s", EDIT)
    info = jobs.submit("edit", "s", EDIT)
    assert info.status == "queued" and [e.kind for e in jobs.events(info.id)] == ["queued"]
    with pytest.raises(SessionBusyError, match=f"job {info.id}"):
        jobs.submit("accept", "s", {})
    Session.new("t", PHOTO, settings)
    assert jobs.submit("edit", "t", EDIT).session == "t"  # other sessions are free


def test_events_wake_on_notify_not_on_polling(pg):
    settings, jobs = pg
    info = jobs.submit("edit", "s", EDIT)
    runner = Runner(settings, None, "w")
    threading.Timer(0.3, lambda: runner.table.emit(info.id, "stage", {"name": "plan"})).start()
    t0 = time.monotonic()
    got = jobs.events(info.id, after_seq=1, wait_s=10)
    assert [e.kind for e in got] == ["stage"] and 0.25 < time.monotonic() - t0 < 2.0


def test_runner_stores_a_typed_error_without_retrying_and_retries_anything_else(pg):
    settings, jobs = pg
    bad = jobs.submit("edit", "s", {**EDIT, "box": [5000, 5000, 10, 10]})
    Runner(settings, Backends(settings), "w").run(bad.id, 0)  # returns: nothing for procrastinate to retry
    info = jobs.get(bad.id)
    assert info.status == "failed" and info.error["type"] == "BadBoxError" and info.error["fix"]
    assert jobs.events(bad.id)[-1].kind == "error"
    crash = jobs.submit("edit", "s", EDIT)
    runner = Runner(settings, Backends(settings, planner=Exploding()), "w")
    for attempt in range(MAX_ATTEMPTS):
        with pytest.raises(Exception) as raised:  # for procrastinate to retry
            runner.run(crash.id, attempt)
        assert not isinstance(raised.value, BrushEditError)
        assert jobs.get(crash.id).status == ("failed" if attempt == MAX_ATTEMPTS - 1 else "running")
    err = jobs.get(crash.id).error
    assert err["type"] == "InternalError" and "secret" not in err["error"] + err["fix"]


def test_a_retry_after_the_commit_reports_that_version_and_edits_nothing_again(pg):
    settings, jobs = pg
    info = jobs.submit("edit", "s", EDIT)
    first = Runner(settings, Backends(settings, inpainter=SleepInpainter(0)), "w1")
    first.run(info.id, 0)
    assert jobs.get(info.id).result["version"]["id"] == "v1"
    first.table.update(info.id, status="running")  # as if the worker died between commit and "done"
    Runner(settings, Backends(settings, planner=Exploding()), "w2").run(info.id, 1)
    again = jobs.get(info.id)
    assert again.status == "done" and again.result["version"]["id"] == "v1"
    assert [v.id for v in Session.open("s", settings).history()] == ["v0", "v1"]
    assert [e.data for e in jobs.events(info.id) if e.kind == "retry"] == [{"by": "queue", "attempt": 2}]


def test_a_job_that_keeps_killing_its_worker_is_given_up(pg):
    settings, jobs = pg
    info = jobs.submit("edit", "s", EDIT)
    Runner(settings, Backends(settings, planner=Exploding()), "w").run(info.id, MAX_ATTEMPTS)
    got = jobs.get(info.id)
    assert got.status == "failed" and got.error["type"] == "WorkerCrashError"


def test_serial_models_take_turns_but_a_remote_planner_does_not(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path)
    inside, most = [0], [0]

    class Slow:
        name = "slow"

        def inpaint(self, request):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            inside[0] -= 1

    planner = ScriptedPlanner({"category": "remove", "target": "x", "caption": ""})
    backends = SerialModels(Backends(settings, inpainter=Slow(), planner=planner))
    threads = [threading.Thread(target=backends.inpainter.inpaint, args=(None,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and backends.inpainter.name == "slow"
    remote = SerialModels(Backends(settings.model_copy(update={"planner": "openai"}), planner=Exploding()))
    assert type(remote.planner) is Exploding and type(backends.planner).__name__ == "_Locked"


def test_check_queue_says_when_no_worker_runs(pg, pg_server, tmp_path):
    settings, _ = pg
    assert [p for p in check_queue(settings) if "No `brushedit worker` is running" in p]
    bare = Settings.load(env={}, data_dir=tmp_path, store=pg_server.create_database())
    assert [p for p in check_queue(bare) if "brushedit db init" in p]
