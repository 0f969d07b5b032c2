"""Jobs on PostgreSQL: any API process submits, any worker runs, any API process streams the progress.

    jobs = make_jobs(settings, backends)       # PgJobs with a PostgreSQL store, LocalJobs with SQLite
    info = jobs.submit("edit", "trip", {"instruction": "remove the spoon", "box": [320, 60, 110, 270]})
    jobs.events(info.id, after_seq=0, wait_s=15)   # blocks until the worker reports (LISTEN/NOTIFY)

A job is a row of `brushedit_jobs` (its payload, status, result or typed error) plus its progress
events in `brushedit_job_events`; the procrastinate job that makes a worker run it is deferred in
the SAME transaction as the row, so a job is either queued and will run, or was never accepted.
One queued/running job per session: `submit` locks the session's row and refuses a second
(SessionBusyError). Workers (app/worker.py) write status and events through `JobTable`.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import OrderedDict

from agent.db import PgDatabase, migrate
from agent.versions_pg import require_schema
from app.jobs import JobEvent, JobInfo, JobNotFoundError
from engine.errors import BrushEditError, SessionBusyError, SessionNotFoundError
from engine.settings import Settings

CHANNEL = "brushedit_jobs"  # NOTIFY payload: the job id whose status or events changed
KINDS = ("edit", "accept", "reject", "pick")
JOB_MIGRATIONS = [
    (1, "jobs and their progress events", """
     CREATE TABLE IF NOT EXISTS brushedit_jobs (
       id TEXT PRIMARY KEY, session TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, payload TEXT NOT NULL,
       result TEXT, error TEXT, worker TEXT, attempts INTEGER NOT NULL DEFAULT 0,
       created DOUBLE PRECISION, updated DOUBLE PRECISION);
     CREATE INDEX IF NOT EXISTS brushedit_jobs_by_session ON brushedit_jobs (session, status);
     CREATE TABLE IF NOT EXISTS brushedit_job_events (
       job_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, at DOUBLE PRECISION,
       PRIMARY KEY (job_id, seq))"""),
]


class JobTable:
    """The SQL of jobs and events, shared by the API side (PgJobs) and the workers."""

    def __init__(self, url: str):
        self.db = PgDatabase(url)
        require_schema(self.db, "jobs", max(m[0] for m in JOB_MIGRATIONS))

    def row(self, tx, job_id: str, lock: bool = False) -> dict:
        r = tx.execute("SELECT id, session, kind, status, payload, result, error, created, updated, worker, attempts "
                       "FROM brushedit_jobs WHERE id=?" + (tx.for_update if lock else ""), (job_id,)).fetchone()
        if r is None:
            raise JobNotFoundError(f"No job {job_id!r} in the store at {self.db.location}.",
                                   fix="Use the id that submitting the edit returned.")
        keys = ("id", "session", "kind", "status", "payload", "result", "error", "created", "updated", "worker",
                "attempts")
        out = dict(zip(keys, r))
        for k in ("payload", "result", "error"):
            out[k] = json.loads(out[k]) if out[k] else None
        return out

    def get(self, job_id: str) -> dict:
        with self.db.tx() as tx:
            return self.row(tx, job_id)

    def add_event(self, tx, job_id: str, kind: str, data: dict) -> None:
        (seq,) = tx.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM brushedit_job_events WHERE job_id=?",
                            (job_id,)).fetchone()
        tx.execute("INSERT INTO brushedit_job_events VALUES (?,?,?,?,?)",
                   (job_id, seq, kind, json.dumps(data, default=str), time.time()))
        self.db.notify(tx, CHANNEL, job_id)

    def emit(self, job_id: str, kind: str, data: dict) -> None:
        with self.db.tx() as tx:
            self.row(tx, job_id, lock=True)  # one writer at a time per job: seq stays dense
            self.add_event(tx, job_id, kind, data)

    def update(self, job_id: str, event: tuple[str, dict] | None = None, **fields) -> None:
        """Set columns (status, result, error, worker, attempts) and add an event, in one transaction."""
        for k in ("result", "error"):
            if k in fields and fields[k] is not None:
                fields[k] = json.dumps(fields[k], default=str)
        cols = ", ".join(f"{k}=?" for k in fields)
        with self.db.tx() as tx:
            self.row(tx, job_id, lock=True)
            tx.execute(f"UPDATE brushedit_jobs SET {cols}, updated=? WHERE id=?", (*fields.values(), time.time(), job_id))
            if event:
                self.add_event(tx, job_id, *event)
            else:
                self.db.notify(tx, CHANNEL, job_id)

    def events(self, job_id: str, after_seq: int) -> list[tuple]:
        with self.db.tx() as tx:
            self.row(tx, job_id)
            return list(tx.execute("SELECT job_id, seq, kind, data, at FROM brushedit_job_events "
                                   "WHERE job_id=? AND seq>? ORDER BY seq", (job_id, after_seq)))


class _Listener:
    """One LISTEN connection per process; wakes the threads waiting for a job's events."""

    def __init__(self, url: str):
        self.url, self._seen, self._cond, self._thread = url, OrderedDict(), threading.Condition(), None

    def token(self, job_id: str) -> int:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="brushedit-listen", daemon=True)
                self._thread.start()
            return self._seen.get(job_id, 0)

    def wait(self, job_id: str, token: int, timeout: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._seen.get(job_id, 0) != token, timeout)

    def _loop(self) -> None:
        import psycopg

        while True:
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while True:
                        for n in conn.notifies(timeout=5.0):
                            with self._cond:
                                self._seen[n.payload] = self._seen.pop(n.payload, 0) + 1
                                while len(self._seen) > 4096:
                                    self._seen.popitem(last=False)
                                self._cond.notify_all()
            except Exception:  # server restart: waiters poll meanwhile (they never wait > 0.5 s blind)
                time.sleep(1.0)


class PgJobs:
    """The `Jobs` protocol of app/jobs.py on PostgreSQL + procrastinate."""

    def __init__(self, settings: Settings):
        from agent.stores import make_version_store
        from app.worker import make_app

        self.settings = settings
        self.table = JobTable(settings.store)
        self.versions = make_version_store(settings)
        self.queue = make_app(settings.store)
        self._listener = _Listener(settings.store)

    def submit(self, kind: str, session: str, payload: dict) -> JobInfo:
        from app.worker import TASK

        if kind not in KINDS:
            raise BrushEditError(f"Unknown job kind {kind!r}.", fix=f"Use one of: {', '.join(KINDS)}.")
        self.versions.state(session)  # SessionNotFoundError before anything is queued
        job_id, now = uuid.uuid4().hex, time.time()
        payload = {**payload, "run_id": job_id}  # commits of this job are idempotent by run_id
        if kind == "accept":  # what is accepted: a retry after a crash recognises its own commit
            payload["pending"] = self.versions.pending(session)
        db = self.table.db
        with db.tx() as tx:
            if tx.execute("SELECT name FROM sessions WHERE name=?" + tx.for_update, (session,)).fetchone() is None:
                raise SessionNotFoundError(f"No session named '{session}' in {db.location}.")
            busy = tx.execute("SELECT id, kind FROM brushedit_jobs WHERE session=? AND status IN ('queued', 'running')",
                              (session,)).fetchone()
            if busy:
                raise SessionBusyError(f"busy: session {session} is being edited (job {busy[0]}, {busy[1]})",
                                       fix=f"Wait for that job to finish (GET /jobs/{busy[0]}), then try again.")
            tx.execute("INSERT INTO brushedit_jobs (id, session, kind, status, payload, created, updated) "
                       "VALUES (?,?,?,?,?,?,?)", (job_id, session, kind, "queued", json.dumps(payload), now, now))
            self.table.add_event(tx, job_id, "queued", {"kind": kind, "session": session})
            self.queue.configure_task(TASK, lock=session, connection=tx.connection).defer(job_id=job_id)
        return self.get(job_id)

    def close(self) -> None:
        """Nothing to stop: the listener thread is a daemon, the pools belong to the process."""

    def get(self, job_id: str) -> JobInfo:
        r = self.table.get(job_id)
        return JobInfo(**{k: r[k] for k in ("id", "session", "kind", "status", "result", "error", "created",
                                           "updated")})

    def events(self, job_id: str, after_seq: int = 0, wait_s: float = 0.0) -> list[JobEvent]:
        deadline = time.monotonic() + wait_s
        while True:
            token = self._listener.token(job_id) if wait_s > 0 else 0
            rows = self.table.events(job_id, after_seq)
            left = deadline - time.monotonic()
            if rows or left <= 0:
                return [JobEvent(job_id=r[0], seq=r[1], kind=r[2], data=json.loads(r[3]), at=r[4]) for r in rows]
            self._listener.wait(job_id, token, min(left, 0.5))


def make_jobs(settings: Settings, backends=None, workers: int = 1):
    """The Jobs the API submits to: `brushedit worker` processes with a PostgreSQL store (`backends` and
    `workers` unused: no model runs in the API process), threads in this process with SQLite."""
    if settings.uses_postgres:
        return PgJobs(settings)
    from app.jobs import LocalJobs

    return LocalJobs(settings, backends, workers=workers)


def check_queue(settings: Settings) -> list[str]:
    """Problems with the jobs tables, the queue schema and the workers, one line each ([] = healthy).
    For `brushedit doctor` with a PostgreSQL store (agent.stores.check_store covers versions and images)."""
    from agent.db import redact

    db, fix = PgDatabase(settings.store), f"Run `brushedit db init --store {redact(settings.store)}`."
    try:
        JobTable(settings.store)
        with db.tx() as tx:
            if tx.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
                return [f"The PostgreSQL store at {db.location} has no job queue (procrastinate). {fix}"]
            (alive,) = tx.execute("SELECT COUNT(*) FROM procrastinate_workers "
                                  "WHERE last_heartbeat > NOW() - INTERVAL '60 seconds'").fetchone()
            (waiting,) = tx.execute("SELECT COUNT(*) FROM brushedit_jobs WHERE status='queued'").fetchone()
    except BrushEditError as exc:
        return [str(exc)]
    if not alive:
        return [f"No `brushedit worker` is running on {db.location} ({waiting} job(s) queued): edits wait. "
                f"Start one: brushedit worker --store {redact(settings.store)}"]
    return []


def init_jobs(url: str) -> list[int]:
    return migrate(PgDatabase(url), "jobs", JOB_MIGRATIONS)
