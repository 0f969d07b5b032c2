"""Edits (and accept / reject / pick) as jobs with an ordered event stream.

The contract shared with the PostgreSQL queue (app/jobs_pg or wherever `scale` puts it):
`JobInfo`, `JobEvent`, the `Jobs` protocol, and `execute()`, which runs one job through the
Session API and is the same code in the in-process runner (`LocalJobs`, threads, SQLite store)
and in the queue's workers. One job per session at a time: `submit` raises `SessionBusyError`
while that session has a queued or running job, so two edits never race for one head.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Literal, Protocol

from pydantic import BaseModel, Field

from engine.errors import BrushEditError, SessionBusyError

log = logging.getLogger("brushedit.jobs")
JobKind = Literal["edit", "accept", "reject", "pick"]
EventKind = Literal["queued", "stage", "step", "plan", "mask", "verdict", "retry", "commit", "done", "error"]
Emit = Callable[[str, dict], None]


class JobInfo(BaseModel):
    id: str
    session: str
    kind: JobKind
    status: Literal["queued", "running", "done", "failed"]
    result: dict | None = None
    error: dict | None = Field(None, description="{error, fix, type} when the job failed")
    created: float
    updated: float


class JobEvent(BaseModel):
    job_id: str
    seq: int = Field(description="1, 2, 3 ... in the order the events happened")
    kind: EventKind
    data: dict = Field(default_factory=dict)
    at: float


class JobNotFoundError(BrushEditError):
    """No job with that id (finished jobs are kept for a while, then forgotten)."""


class Jobs(Protocol):
    def submit(self, kind: JobKind, session: str, payload: dict) -> JobInfo: ...

    def get(self, job_id: str) -> JobInfo: ...

    def events(self, job_id: str, after_seq: int = 0, wait_s: float = 0.0) -> list[JobEvent]: ...


def error_dict(exc: BrushEditError, data_dir: Path | str | None = None) -> dict:
    """{error, fix, type} with the server's data dir and home replaced (never shown to clients)."""
    private = sorted({p for p in (str(data_dir) if data_dir else "", str(Path(data_dir).resolve()) if data_dir
                                  else "", str(Path.home())) if len(p) > 1}, key=len, reverse=True)

    def scrub(text):
        for p in private:
            text = text.replace(p, "<data dir>") if text else text
        return text

    return {"error": scrub(exc.message), "fix": scrub(exc.fix), "type": type(exc).__name__}


_SESSION_EVENTS = {"stage", "step", "plan", "mask", "verdict", "retry", "commit"}


def _relay(emit: Emit) -> Emit:
    """Session.on_event kinds -> JobEvent kinds (a tool call in tool-calling mode is a stage)."""

    def on_event(kind: str, data: dict) -> None:
        if kind in _SESSION_EVENTS:
            emit(kind, data)
        else:
            emit("stage", {"name": kind, **data})

    return on_event


def _job_settings(settings, overrides: dict | None):
    if not overrides:
        return settings
    from engine.settings import Settings

    return Settings.model_validate({**settings.model_dump(), **overrides})


def execute(kind: JobKind, session: str, payload: dict, settings, backends, emit: Emit) -> dict:
    """Run one job through the Session API; returns the JSON-able outcome. Raises BrushEditError."""
    from agent.session import Session
    from app.runtime import shared_graph
    from engine import progress

    job_settings = _job_settings(settings, payload.get("settings"))
    s = Session.open(session, job_settings, backends=backends, on_event=_relay(emit), graph=shared_graph(settings))
    with progress.listen(lambda k, n: emit("step", {"k": k, "n": n})):
        if kind == "edit":
            mask = s.store.get_mask(payload["mask_id"]) if payload.get("mask_id") else None
            box = tuple(payload["box"]) if payload.get("box") else None
            out = s.edit(payload["instruction"], mask=mask, box=box, combine=payload.get("combine", "override"),
                         seed=payload.get("seed"), review=bool(payload.get("review")),
                         candidates=payload.get("candidates"), run_id=payload.get("run_id"))
        elif kind == "accept":
            out = s.accept()
        elif kind == "reject":
            out = s.reject(payload.get("reason") or "")
        elif kind == "pick":
            return {"version": s.pick(payload["attempt_id"]).model_dump(mode="json")}
        else:
            raise BrushEditError(f"Unknown job kind {kind!r}.", fix="Use edit, accept, reject or pick.")
    return out.model_dump(mode="json")


class LocalJobs:
    """In-process runner: `workers` threads (1 = one model run at a time, as the shared GPU needs)."""

    def __init__(self, settings, backends, workers: int = 1, keep: int = 1000):
        self.settings, self.backends, self.keep = settings, backends, keep
        self._cond = threading.Condition()
        self._jobs: dict[str, JobInfo] = {}
        self._payloads: dict[str, dict] = {}
        self._events: dict[str, list[JobEvent]] = {}
        self._active: dict[str, str] = {}  # session -> job id
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._work, name=f"brushedit-job-{i}", daemon=True)
                         for i in range(workers)]
        for t in self._threads:
            t.start()

    # --- the protocol -----------------------------------------------------------------------
    def submit(self, kind: JobKind, session: str, payload: dict) -> JobInfo:
        now = time.time()
        with self._cond:
            if session in self._active:
                raise SessionBusyError(f"busy: session {session} has a job running ({self._active[session]}).",
                                       fix=f"Wait for it (GET /jobs/{self._active[session]}/events), then retry.")
            info = JobInfo(id=uuid.uuid4().hex, session=session, kind=kind, status="queued", created=now, updated=now)
            self._jobs[info.id], self._payloads[info.id], self._events[info.id] = info, payload, []
            self._active[session] = info.id
            self._append(info.id, "queued", {"kind": kind, "session": session})
            self._forget_old()
        self._queue.put(info.id)
        return info

    def get(self, job_id: str) -> JobInfo:
        with self._cond:
            if job_id not in self._jobs:
                raise JobNotFoundError(f"No job {job_id!r} on this server.",
                                       fix="Use the id returned by POST /sessions/{name}/edits.")
            return self._jobs[job_id]

    def events(self, job_id: str, after_seq: int = 0, wait_s: float = 0.0) -> list[JobEvent]:
        self.get(job_id)
        deadline = time.monotonic() + max(0.0, wait_s)
        with self._cond:
            while len(self._events[job_id]) <= after_seq and self._jobs[job_id].status in ("queued", "running"):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self._events[job_id][after_seq:])

    def close(self, timeout: float = 5.0) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout)

    # --- running ----------------------------------------------------------------------------
    def _append(self, job_id: str, kind: str, data: dict) -> None:
        events = self._events[job_id]
        events.append(JobEvent(job_id=job_id, seq=len(events) + 1, kind=kind, data=data, at=time.time()))
        self._cond.notify_all()

    def _emit(self, job_id: str) -> Emit:
        def emit(kind: str, data: dict) -> None:
            with self._cond:
                self._append(job_id, kind, _jsonable(data))

        return emit

    def _update(self, job_id: str, **fields: Any) -> None:
        self._jobs[job_id] = self._jobs[job_id].model_copy(update={**fields, "updated": time.time()})

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            with self._cond:
                self._update(job_id, status="running")
                info, payload = self._jobs[job_id], self._payloads.pop(job_id)
            try:
                result, error = execute(info.kind, info.session, payload, self.settings, self.backends,
                                        self._emit(job_id)), None
            except BrushEditError as exc:
                result, error = None, error_dict(exc, self.settings.data_dir)
            except Exception:  # a bug, not bad input: logged here, a generic message to the client
                log.exception("job %s failed", job_id)
                result, error = None, {"error": "Internal error while running the job.", "fix": "See the server log.",
                                       "type": "InternalError"}
            with self._cond:  # free the session before `done` is seen, so the next edit is accepted at once
                self._active.pop(info.session, None)
                self._update(job_id, status="failed" if error else "done", result=result, error=error)
                self._append(job_id, "error" if error else "done", error or {"result": result})

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.status in ("done", "failed")]
        for j in sorted(done, key=lambda j: j.updated)[: max(0, len(self._jobs) - self.keep)]:
            self._jobs.pop(j.id), self._events.pop(j.id)


def _jsonable(data: dict) -> dict:
    import json

    return json.loads(json.dumps(data, default=str))
