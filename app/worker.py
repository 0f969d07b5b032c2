"""GPU workers: procrastinate on the same PostgreSQL runs the jobs that API processes queue.

    brushedit worker --store postgresql://… [--concurrency N]

A worker process loads its models once (one `Backends`) and runs edit/accept/reject/pick jobs
through `app.jobs.execute`, the same function the in-process runner uses. Procrastinate gives
the rest: LISTEN/NOTIFY wakes an idle worker the moment a job is queued; `lock=<session>` means
two jobs of one session never run at once, on any machine; heartbeats mark a killed worker's
job as stalled, and every worker retries stalled jobs (the retry commits once: the edit's
run_id is the job id, and the version store's commit is idempotent by run_id). A job that
fails for a typed reason (BrushEditError: bad input, a missing model) is not retried; its
{error, fix, type} is stored for the client. Any other exception is retried up to MAX_ATTEMPTS.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading

from app.jobs_pg import JobTable
from engine.errors import BrushEditError, SessionBusyError
from engine.settings import Settings

TASK = "brushedit.run_job"
MAX_ATTEMPTS = 3  # runs of one job, crashes of its worker included
log = logging.getLogger("brushedit.worker")


def make_app(url: str):
    """The procrastinate App on `url` with the BrushEdit task registered (API side: defer only)."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
    retry = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, wait=1, exponential_wait=2)
    app.task(name=TASK, pass_context=True, retry=retry)(_run_job)
    return app


def _run_job(context, job_id: str) -> None:
    context.additional_context["runner"].run(job_id, context.job.attempts)


class Runner:
    """Runs one job at a time per thread; the jobs table says what, the emit callback reports progress."""

    def __init__(self, settings: Settings, backends, name: str | None = None):
        self.settings, self.backends = settings, backends
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.table = JobTable(settings.store)

    def run(self, job_id: str, attempts: int) -> None:
        from app.jobs import error_dict, execute

        job = self.table.get(job_id)
        if job["status"] in ("done", "failed"):
            return  # finished already: a duplicate delivery does nothing
        if attempts >= MAX_ATTEMPTS:
            self.table.update(job_id, ("error", {"attempts": attempts}), status="failed", error={
                "error": f"The job stopped its worker {attempts} times and was given up.",
                "fix": "Check the workers' logs (memory, GPU); submit the edit again.", "type": "WorkerCrashError"})
            return
        event = ("retry", {"by": "queue", "attempt": attempts + 1}) if attempts else None
        self.table.update(job_id, event, status="running", worker=self.name, attempts=attempts + 1)
        recovered = self._committed_before(job) if attempts else None
        if recovered is not None:  # the run that crashed had committed: report that version, edit nothing again
            self.table.update(job_id, ("done", {"result": recovered}), status="done", result=recovered)
            return
        self.table.emit(job_id, "stage", {"name": "started", "worker": self.name, "attempt": attempts + 1})
        emit = lambda kind, data: self.table.emit(job_id, kind, dict(data or {}))  # noqa: E731
        try:
            result = execute(job["kind"], job["session"], job["payload"], self.settings, self.backends, emit)
        except SessionBusyError:
            raise  # another run still holds the session (a worker presumed dead): procrastinate retries later
        except BrushEditError as exc:
            err = error_dict(exc, self.settings.data_dir)
            self.table.update(job_id, ("error", err), status="failed", error=err)
            return
        except Exception:  # a bug or a lost connection, not bad input: retried; the client sees a generic error
            log.exception("job %s failed on attempt %d of %d", job_id, attempts + 1, MAX_ATTEMPTS)
            if attempts + 1 >= MAX_ATTEMPTS:
                err = {"error": f"Internal error while running the job ({MAX_ATTEMPTS} attempts).",
                       "fix": f"See the log of worker {self.name}.", "type": "InternalError"}
                self.table.update(job_id, ("error", err), status="failed", error=err)
            raise
        self.table.update(job_id, ("done", {"result": result}), status="done", result=result)


    def _committed_before(self, job: dict) -> dict | None:
        """What an earlier, crashed run of this job already did, as the job's result (None: nothing):
        an edit whose run_id is committed or waiting for review, an accept whose reviewed run is committed."""
        from agent.session import EditOutcome
        from agent.steps import recovered, turn_run_id
        from agent.stores import make_version_store

        versions, payload, session = make_version_store(self.settings), job["payload"] or {}, job["session"]
        pending = versions.pending(session)
        run_id = payload.get("run_id") if job["kind"] == "edit" else (payload.get("pending") or {}).get("run_id")
        if not run_id or job["kind"] not in ("edit", "accept"):
            return None
        if job["kind"] == "edit" and pending and turn_run_id(pending.get("run_id") or "") == run_id:
            return EditOutcome(status="pending", result_id=pending.get("result_id"), mask_id=pending.get("mask_id"),
                               plan=pending.get("plan"), attempt_id=pending.get("attempt_id")).model_dump(mode="json")
        if job["kind"] == "edit" and not pending:  # the versions of the turn's steps (agent/steps.py)
            out = recovered(versions.history(session), run_id)
            return out.model_dump(mode="json") if out else None
        done = [v for v in versions.history(session) if v.run_id == run_id]
        if not done or pending:
            return None
        v = done[-1]
        return EditOutcome(status="committed", version=v, result_id=v.image_id, mask_id=v.mask_id,
                           plan=v.plan).model_dump(mode="json")


async def _retry_stalled(app, stalled_after_s: float) -> None:
    """Put the jobs of workers that stopped sending heartbeats back in the queue (every worker does this;
    a job already retried by another is skipped)."""
    while True:
        await asyncio.sleep(max(stalled_after_s / 3, 0.5))
        try:
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
                try:
                    await app.job_manager.retry_job(job)
                    log.warning("job %s of a stopped worker is queued again", job.task_kwargs.get("job_id"))
                except Exception:  # retried by another worker meanwhile
                    pass
        except Exception:
            log.exception("could not look for stalled jobs")


def run_worker(settings: Settings, backends, concurrency: int = 1, name: str | None = None,
               heartbeat_s: float = 10.0, stalled_after_s: float = 30.0) -> None:
    """Run jobs until SIGINT/SIGTERM (a job in flight finishes first)."""
    from app.runtime import shared_graph

    if concurrency > 1:
        backends = SerialModels(backends)
    runner = Runner(settings, backends, name)
    shared_graph(settings)  # the graph and its checkpoint pool, built once before the first job
    app = make_app(settings.store)

    async def main() -> None:
        async with app.open_async():
            recover = asyncio.create_task(_retry_stalled(app, stalled_after_s))
            try:
                await app.run_worker_async(concurrency=concurrency, name=runner.name,
                                           additional_context={"runner": runner}, listen_notify=True,
                                           delete_jobs="successful",  # our brushedit_jobs row keeps the record
                                           update_heartbeat_interval=heartbeat_s,
                                           stalled_worker_timeout=stalled_after_s)
            finally:
                recover.cancel()

    asyncio.run(main())


class SerialModels:
    """Backends whose local models run one call at a time (a worker with --concurrency N > 1 shares one copy
    of each model between its N jobs; a CUDA-graph step replays fixed buffers). A planner behind an
    HTTP server (`planner = "openai"`) is not serialised, so N jobs overlap their VLM round trips."""

    _remote = {"planner": "openai", "chat_model": "openai"}

    def __init__(self, backends):
        self._backends, self._lock, self._wrapped = backends, threading.RLock(), {}

    def __getattr__(self, key: str):
        value = getattr(self._backends, key)
        if key not in ("planner", "detector", "segmenter", "inpainter", "chat_model") or value is None:
            return value
        if self._remote.get(key) == self._backends.settings.backend("planner"):
            return value
        if key not in self._wrapped:
            self._wrapped[key] = _Locked(value, self._lock)
        return self._wrapped[key]


class _Locked:
    def __init__(self, target, lock):
        self._target, self._lock = target, lock

    def __getattr__(self, key: str):
        value = getattr(self._target, key)
        if not callable(value):
            return value

        def call(*a, **kw):
            with self._lock:
                return value(*a, **kw)

        return call
