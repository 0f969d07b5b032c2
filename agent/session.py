"""Session API — what the CLI, the evals, the HTTP API and any UI call.

    s = Session.new("trip", "photo.jpg")      # v0 = the original
    s.edit("remove the spoon", box=(320, 60, 110, 270), candidates=3, review=True)
    s.reject("the spoon is still there")      # the policy changes what the problem implies
    s.accept()                                # or s.pick("a2"): any stored attempt becomes a version
    s.attempts(); s.show("pending"); s.show("a2")
    s.undo(); s.redo(); s.checkout("v0"); s.edit("...")   # an edit from v0 starts a branch
    s.history(); s.image("v1"); s.export("out/"); s.delete()

An instruction is a turn (agent/steps.py, docs/steps.md): planned once, its `undo` taken back
first, each of its steps one graph run and one committed version ("remove the dog and add a cat").

Reading and head moves touch only the version store, so they never import the graph runtime or a
model. Each edit runs the LangGraph graph on its own thread (its run id) with a SQLite
checkpointer, so an edit waiting for review survives the process, and the next edit starts from
its input alone. Whether it stops for review is part of that input: accept() / reject() on a
freshly opened session do what they say.
"""
from __future__ import annotations

import re
from pathlib import Path
from contextlib import nullcontext as _nolock
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from agent.doctor import require_intact, writable_dir
from agent.session_export import export_session, history_json
from agent.stores import make_checkpointer, make_version_store
from agent.versions import EDIT_WAIT_S, AttemptRecord, Version, fsync_path, holding_edit_lock, validate_name
from engine.errors import BrushEditError
from engine.image_store import ImageStore
from engine.settings import MAX_CANDIDATES, Settings

if TYPE_CHECKING:  # numpy, Pillow and OpenCV load where pixels are touched (new, edit, image): `history`,
    import numpy as np  # `undo` and the other model-free commands start without them

    from agent.outcome import EditOutcome, StepOutcome  # noqa: F401


def __getattr__(name: str):
    """EditOutcome and StepOutcome, re-exported (the Session API's results), imported when first asked
    for: like agent.steps (the turn's pydantic models), they load with an edit, not with `history`."""
    if name in ("EditOutcome", "StepOutcome"):
        import agent.outcome

        return getattr(agent.outcome, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ATTEMPT = re.compile(r"^a\d+$")


def _relaxed(saver):
    """The SQLite checkpointer commits without an fsync each (WAL, synchronous=NORMAL): a run's
    checkpoints survive a kill of the process (the crash-resume state), and a power cut loses at most
    the run in flight. A run that pauses for review is fsynced before its review is recorded
    (`_sync_checkpoints`); a finished run's checkpoints are deleted anyway. PostgreSQL: as it is."""
    conn = getattr(saver, "conn", None)
    if conn is not None and hasattr(saver, "setup") and hasattr(conn, "in_transaction"):  # sqlite3
        import sqlite3

        try:
            with saver.lock:
                saver.setup()  # journal_mode=WAL first: NORMAL is crash-safe only with WAL
                if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                    conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:  # damaged / read-only: left as it is; its first use reports it, typed, as before
            pass
    return saver


def _sync_checkpoints(saver) -> None:
    """fsync the checkpointer's WAL: every checkpoint committed so far survives a power cut."""
    conn = getattr(saver, "conn", None)
    if conn is None or not hasattr(conn, "in_transaction"):  # PostgreSQL: durable on commit
        return
    with getattr(saver, "lock", None) or _nolock():
        row = conn.execute("PRAGMA database_list").fetchone()
    path = row[2] if row else ""
    for target in (f"{path}-wal", path):
        fsync_path(target)


class Session:
    def __init__(self, name: str, settings: Settings | None = None, *, backends=None, interactive: bool = False,
                 on_event: Callable[[str, dict], None] | None = None, judges: Mapping[str, object] | None = None,
                 graph=None, edit_wait_s: float = EDIT_WAIT_S):
        self.name = validate_name(name)
        self.edit_wait_s = edit_wait_s  # how long an edit waits for another edit of this session (lock)
        self.settings = settings or Settings.load()
        self.store = ImageStore(self.settings.images_dir)
        self.versions = make_version_store(self.settings)
        self.interactive = interactive  # only the default of edit(review=...)
        self._backends = backends
        self._on_event = on_event or (lambda kind, data: None)
        self._judges = dict(judges or {})
        self._graph = graph  # a compiled graph shared by the process (app/runtime.py); None = build one
        self._saver = graph.checkpointer if graph is not None else None
        self._ctx = None

    # --- opening ----------------------------------------------------------------------------
    @classmethod
    def new(cls, name: str, image: str | Path | np.ndarray, settings: Settings | None = None, **kw) -> "Session":
        import numpy as np

        from engine.images import load_image, validate_image

        s = cls(name, settings, **kw)
        limits = s.settings.image_limits
        array = validate_image(image, limits=limits) if isinstance(image, np.ndarray) else load_image(image, limits)
        s.versions.create(s.name, s.store.put(array), (array.shape[1], array.shape[0]))
        return s

    @classmethod
    def open(cls, name: str, settings: Settings | None = None, **kw) -> "Session":
        s = cls(name, settings, **kw)
        s.versions.head(s.name)  # raises SessionNotFoundError
        return s

    @staticmethod
    def list_names(settings: Settings | None = None) -> list[str]:
        settings = settings or Settings.load()
        return make_version_store(settings).sessions()

    # --- reading ----------------------------------------------------------------------------
    @property
    def head(self) -> Version:
        return self.versions.head(self.name)

    def history(self) -> list[Version]:
        return self.versions.history(self.name)

    def image(self, version: str | None = None) -> np.ndarray:
        return self.store.get_image(self.versions.get(self.name, version).image_id)

    def pending(self) -> dict | None:
        return self.versions.pending(self.name)

    def attempts(self) -> list[AttemptRecord]:
        """Every stored attempt and candidate of every turn, oldest first."""
        return self.versions.attempts(self.name)

    def show(self, ref: str | None = None) -> np.ndarray:
        """The image of a version id, "pending" (the result waiting for review) or an attempt id; head if None."""
        if ref == "pending":
            pending = self.pending()
            if not pending:
                raise BrushEditError(f"Session '{self.name}' has no edit waiting for review.",
                                     fix="Show a version (see `brushedit history`) or an attempt id.")
            return self.store.get_image(pending["result_id"])
        if ref and _ATTEMPT.match(ref):
            return self.store.get_image(self.versions.attempt(self.name, ref).result_id)
        return self.image(ref)

    # --- head moves -------------------------------------------------------------------------
    def undo(self) -> Version:
        return self.versions.undo(self.name)

    def redo(self) -> Version:
        return self.versions.redo(self.name)

    def checkout(self, version: str) -> Version:
        return self.versions.checkout(self.name, version)

    @holding_edit_lock
    def pick(self, attempt_id: str) -> Version:
        """Commit a stored attempt (a new version, parent = its turn's parent); ends that turn's review."""
        pending = self.pending()
        version = self.versions.pick(self.name, attempt_id)
        if pending and pending.get("run_id") == self.versions.attempt(self.name, attempt_id).run_id:
            self._forget(pending["run_id"])
        return version

    def delete(self) -> None:
        """Remove the session (versions, attempts, review); images stay until `brushedit gc`."""
        pending = self.pending()
        self.versions.delete(self.name)
        if pending and pending.get("run_id"):
            self._forget(pending["run_id"])

    # --- editing ----------------------------------------------------------------------------
    @staticmethod
    def make_graph(settings: Settings):
        """(compiled graph, its checkpoint connection to close at shutdown, or None for PostgreSQL, whose
        checkpoint pool the process shares): thread-safe, so one per process can serve every session (pass
        it as `Session(..., graph=)`). The checkpointer comes from agent/stores.py (SQLite file or PostgreSQL)."""
        from agent.graph import build_graph

        s, saver = settings, _relaxed(make_checkpointer(settings))
        conn = None if settings.uses_postgres else saver.conn
        return build_graph(s.planning_mode, s.retry_budget, saver, s.budget_exhausted), conn

    def _runtime(self):
        if self._graph is None:
            from agent.graph import build_graph

            s = self.settings
            self._graph = build_graph(s.planning_mode, s.retry_budget, self._checkpointer(), s.budget_exhausted)
        if self._ctx is None:
            from agent.context import AgentContext
            from engine.backends import Backends
            from tools.context import ToolContext

            backends = self._backends or Backends(self.settings)
            self._ctx = AgentContext(ToolContext(self.settings, self.store, backends), self.versions,
                                     self._on_event, self._judges)
        return self._graph, self._ctx

    def _checkpointer(self):
        if getattr(self, "_saver", None) is None:
            self._saver = _relaxed(make_checkpointer(self.settings))
        return self._saver

    def _forget(self, run_id: str) -> None:
        """Drop a finished run's checkpoints (its attempts and versions are in the version store)."""
        self._checkpointer().delete_thread(run_id)

    def _user_mask(self, mask, size: tuple[int, int]) -> str | None:
        if mask is None:
            return None
        import numpy as np

        from engine.images import load_mask, validate_mask

        arr = validate_mask(mask, (size[1], size[0])) if isinstance(mask, np.ndarray) else load_mask(mask, size)
        if not arr.any():
            raise BrushEditError("The given mask has no white pixels.", fix="White (255) marks the area to edit.")
        return self.store.put(arr)

    @holding_edit_lock
    def edit(self, text: str, *, mask: str | Path | np.ndarray | None = None,
             box: tuple[float, float, float, float] | None = None,
             combine: Literal["override", "union", "subtract"] = "override", seed: int | None = None,
             review: bool | None = None, candidates: int | None = None, run_id: str | None = None) -> EditOutcome:
        """`run_id` names this turn (its LangGraph threads, its attempts, its versions: agent.steps.step_run_id):
        an edit whose run_id already committed reports those versions, so a queued job retried after its
        worker died commits once."""
        self.settings.check_edit(text, seed, combine)
        n = self.settings.candidates if candidates is None else candidates
        if not isinstance(n, int) or not 1 <= n <= MAX_CANDIDATES:
            raise BrushEditError(f"candidates={n!r} is out of range.", fix=f"Use 1 to {MAX_CANDIDATES} candidates per attempt.")
        if self.pending():
            raise BrushEditError(f"Session '{self.name}' has an edit waiting for review.",
                                 fix="Accept, reject or pick first.")
        head = self.head
        source = self.store.get_image(head.image_id)
        size = (source.shape[1], source.shape[0])
        self.settings.check_size(size)
        if box is not None:
            from engine.masks import clip_box

            clip_box(box, *size)
        inputs = {"user_mask_id": self._user_mask(mask, size), "user_box": tuple(box) if box else None,
                  "combine": combine, "seed": self.settings.seed if seed is None else seed, "candidates": n,
                  "review": self.interactive if review is None else bool(review)}
        from agent.steps import start_turn

        return start_turn(self, text.strip(), inputs, run_id)  # the plan's steps, one graph run each

    def _run(self, graph, ctx, payload: Any, run_id: str, keep: dict | None = None) -> EditOutcome:
        """One graph run (one step of a turn); `keep` is stored with its review when it pauses."""
        # one node runs at a time (no parallel branches): one LangGraph worker thread per run saves the
        # checkpoints, in order, instead of a new thread per save (each start waits on a busy machine)
        out = graph.invoke(payload, {"configurable": {"thread_id": run_id}, "max_concurrency": 1}, context=ctx)
        if out.get("__interrupt__"):
            _sync_checkpoints(graph.checkpointer)  # the paused run is what the review resumes: on disk first
            self.versions.set_pending(self.name, {"result_id": out.get("result_id"), "mask_id": out.get("mask_id"),
                                                  "plan": out.get("plan"), "run_id": run_id,
                                                  "attempt_id": out.get("attempt_id"), **(keep or {})})
            return self._outcome("pending", out)
        self.versions.set_pending(self.name, None)
        self._forget(run_id)
        if out.get("committed"):
            return self._outcome("committed", out, self.versions.get(self.name, out["committed"]))
        return self._outcome("rejected", out)

    def _outcome(self, status: str, out: dict, version: Version | None = None) -> EditOutcome:
        from agent.outcome import EditOutcome

        note = out.get("stop")
        if status == "rejected" and not note:
            note = (f"No attempts left (retry_budget {self.settings.retry_budget}); nothing committed. Every attempt "
                    f"is kept: `brushedit attempts -s {self.name}`, then `brushedit pick -s {self.name} ID`.")
        elif status != "rejected" and out.get("offered"):
            v = out.get("verdict") or {}
            note = (note or "No attempt passed the judges within the retry budget.") + (
                f" Offered the best, {out.get('attempt_id')} ({v.get('by')}: {v.get('reason')}).")
        return EditOutcome(
            status=status, version=version, result_id=out.get("result_id"), mask_id=out.get("mask_id"),
            plan=out.get("plan"), attempts=int(out.get("attempt", 0)) + 1, attempt_id=out.get("attempt_id"),
            attempt_ids=[a["id"] for a in out.get("attempts") or []], verdict=out.get("verdict"),
            feedback=[r.get("reason", "") for r in out.get("rejections") or []], note=note,
            offered=bool(out.get("offered")), warnings=(out.get("mask_info") or {}).get("warnings", []),
            timings=out.get("timings") or {},
        )

    def _resume(self, answer: dict) -> EditOutcome:
        pending = self.pending()
        if not pending:
            raise BrushEditError(f"Session '{self.name}' has no edit waiting for review.",
                                 fix="Run `brushedit edit --review ...` first.")
        from agent.steps import resume_turn

        return resume_turn(self, pending, answer)

    @holding_edit_lock
    def accept(self) -> EditOutcome:
        info = self.pending() or {}
        require_intact(self.store, [("the pending result", info.get("result_id"), info.get("mask_id"))], "accept",
                       self.name, self.versions.path)
        return self._resume({"action": "accept"})

    @holding_edit_lock
    def reject(self, reason: str = "") -> EditOutcome:
        return self._resume({"action": "reject", "reason": reason or "rejected by the user"})

    # --- export -----------------------------------------------------------------------------
    def export(self, out_dir: str | Path) -> Path:
        """head.png, <version>.png (+ _mask), pending.png, attempts/<id>.png (+ _mask) and history.json."""
        info = self.pending() or {}
        require_intact(self.store, [(v.id, v.image_id, v.mask_id) for v in self.history()]
                       + [("the pending result", info.get("result_id"), info.get("mask_id"))], "export", self.name,
                       self.versions.path)
        return export_session(self, writable_dir(out_dir, "--out"))

    def history_json(self) -> dict:
        return history_json(self)
