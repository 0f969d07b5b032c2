"""The version store on PostgreSQL: VersionStore's own SQL, run through psycopg 3 (agent/db.py).

Same semantics as the SQLite file: one transaction per change; the session's row is read
`FOR UPDATE`, so concurrent commits, undos and checkouts on one session queue behind each other
(on different sessions they run in parallel); a commit carrying a `run_id` already committed
returns that version instead of adding a second. The schema is created by `brushedit db init`.
Only what PostgreSQL does differently lives here: the per-session edit lock is an advisory lock
held by the editing connection, so a process that dies releases it at once; like the SQLite store's
gc lock, every edit also holds the database's maintenance lock shared and `brushedit gc` holds it
exclusively, so gc never runs during an edit (and no edit starts while gc runs).
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from agent.db import VERSION_MIGRATIONS, LockTimeout, PgDatabase, schema_version
from agent.versions import Version, VersionStore
from engine.errors import BrushEditError, SessionBusyError, StoreUnavailableError

_checked: set[str] = set()  # URLs whose schema this process has seen up to date
_held = threading.local()  # (url, session) -> depth of this thread's edit_lock holds
MAINTENANCE_KEY = "brushedit-maintenance"  # advisory lock: edits shared, gc exclusive


def require_schema(db: PgDatabase, component: str, latest: int) -> None:
    """StoreUnavailableError unless `brushedit db init` brought `component` to migration `latest`."""
    key = f"{db.url}#{component}"
    if key in _checked:
        return
    have = schema_version(db, component)
    if have < latest:
        state = "has no BrushEdit schema" if have == 0 else f"has schema {component} v{have} (this code needs v{latest})"
        raise StoreUnavailableError(f"The PostgreSQL store at {db.location} {state}.",
                                    fix=f"Run `brushedit db init --store {db.location}` (safe to re-run).")
    _checked.add(key)


class PgVersionStore(VersionStore):
    def __init__(self, url: str):  # noqa: super().__init__ opens a SQLite file; here the same SQL on PostgreSQL
        self.db = PgDatabase(url)
        self.path = None
        self.location = self.db.location
        require_schema(self.db, "versions", max(m[0] for m in VERSION_MIGRATIONS))

    def create(self, name: str, image_id: str, size: tuple[int, int] | None = None) -> Version:
        import psycopg

        try:
            return super().create(name, image_id, size)
        except psycopg.errors.UniqueViolation as exc:  # created by another process between check and insert
            raise BrushEditError(f"Session '{name}' already exists.", fix="Pick another --session name.") from exc

    @contextmanager
    def edit_lock(self, name: str, wait_s: float = 3.0) -> Iterator[None]:
        """One edit at a time per session, across every process on this database; re-entrant per thread
        (like the SQLite store's file lock). SessionBusyError("busy: ...") after `wait_s` seconds."""
        key = (self.db.url, name)
        held = _held.__dict__.setdefault("keys", {})
        if held.get(key):
            held[key] += 1
            try:
                yield
            finally:
                held[key] -= 1
            return
        deadline = time.monotonic() + wait_s
        try:
            with self.db.advisory_lock(MAINTENANCE_KEY, wait_s, shared=True):
                try:
                    with self.db.advisory_lock(f"brushedit-edit:{name}", max(0.0, deadline - time.monotonic())):
                        held[key] = 1
                        try:
                            yield
                        finally:
                            held.pop(key, None)
                except LockTimeout as exc:
                    raise SessionBusyError(f"busy: session {name} is being edited",
                                           fix="Wait for the running edit to finish, then try again.") from exc
        except LockTimeout as exc:
            raise SessionBusyError(f"busy: `brushedit gc` is cleaning the store at {self.location}; session {name} "
                                   f"waited {wait_s:g} s.", fix="Run the edit again in a moment.") from exc

    @contextmanager
    def maintenance_lock(self, wait_s: float = 30.0) -> Iterator[None]:
        """Exclusive against every edit on this database (gc); SessionBusyError after `wait_s` seconds."""
        try:
            with self.db.advisory_lock(MAINTENANCE_KEY, wait_s):
                yield
        except LockTimeout as exc:
            raise SessionBusyError(f"busy: an edit is running on {self.location} (waited {wait_s:g} s); gc never "
                                   "runs during an edit.", fix="Run `brushedit gc` again when the edit has finished.") from exc
