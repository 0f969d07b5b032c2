"""Guards around the data dir's files: typed errors for damaged/locked/read-only/full SQLite files,
private (0600) database files, and advisory file locks that a crashed process releases.

Used by agent.versions (the version store) and agent.maintenance; SQLite-specific by nature (the
PostgreSQL store maps its own errors).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from engine.errors import (BrushEditError, DatabaseCorruptError, DataDirError, DiskFullError, ReadOnlyError,
                           SessionBusyError, StoreBusyError, os_error)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one process per data dir
    fcntl = None

BUSY_WAIT_S = 5.0  # a database locked by another process: wait this long, then "busy"


def prepare_sqlite(path: Path) -> bool:
    """Make the database's dir and private (0600) files; False when the dir is read-only (reads only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, path.parent) from exc
    if path.exists() and not path.is_file():
        raise DataDirError(f"{path} is not a file.", fix="Move it away; the database is created anew.")
    if not os.access(path.parent, os.W_OK):
        if not path.exists():
            raise ReadOnlyError(f"read-only: cannot create {path} (the directory is not writable).",
                                fix="Point --data-dir / BRUSHEDIT_HOME at a writable directory.")
        return False
    private_file(path)
    return True


def connect_sqlite(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection that waits BUSY_WAIT_S for a lock; read-only: immutable (no -shm/-wal to create)."""
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)
    return sqlite3.connect(path, timeout=BUSY_WAIT_S, isolation_level=None)


def salvage_hint(db_path: Path, session: str | None = None) -> str:
    home = Path(db_path).parent
    return (f"See what is intact with `brushedit doctor --data-dir {home}`, then copy it out with "
            f"`brushedit doctor --data-dir {home} --salvage {session or 'SESSION'} --to NEW_DIR`.")


def private_file(path: Path) -> Path:
    """Create `path` (and fix an existing one, with its -wal/-shm) as 0600: sessions are private."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:
            pass  # not ours to change: leave it
    return path


def rollback(db: sqlite3.Connection) -> None:
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # a damaged or full database: the transaction is gone either way


@contextmanager
def db_errors(path: Path):
    """sqlite3 / OS failures on `path` -> typed one-line errors naming the file and the fix."""
    try:
        yield
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path) from exc
    except OSError as exc:
        raise os_error(exc, path) from exc


def sqlite_error(exc: sqlite3.Error, path: Path) -> BrushEditError:
    text = str(exc).lower()
    if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
        raise exc  # our own SQL is wrong: do not disguise it
    if "locked" in text or "busy" in text:
        return StoreBusyError(f"busy: another brushedit process is writing {path} (waited {BUSY_WAIT_S:g} s).",
                              fix="Run it again when that process has finished.")
    if "readonly" in text or "read-only" in text or ("unable to open" in text and not os.access(path.parent, os.W_OK)):
        return ReadOnlyError(f"read-only: cannot write {path}; reading still works.",
                             fix="Make the data dir writable, or point --data-dir at a writable copy.")
    if "full" in text or ("disk i/o" in text and _free_bytes(path) < 256 * 1024):  # -shm/-wal cannot grow either
        return DiskFullError(f"disk full: {path} could not grow (it needs at least {_size(2 * _page(path))} more; "
                             f"{_free(path)} free); nothing was half-written.",
                             fix="Free some space (`brushedit gc` drops unreferenced images) and run it again.")
    if "unable to open" in text or "disk i/o" in text:
        return DataDirError(f"Cannot open {path}: {exc}.", fix="Check that the data dir and the file are readable.")
    if path.name == "checkpoints.sqlite":
        return DatabaseCorruptError(f"{path} is damaged ({exc}).", fix=(
            f"It holds only pending reviews and crash-resume state: move it aside (`mv {path} {path}.damaged`) and "
            "run the command again; `brushedit doctor` checks the rest."))
    return DatabaseCorruptError(f"{path} is damaged ({exc}).", fix=salvage_hint(path))


def explain_sqlite(exc: sqlite3.Error, home: Path) -> BrushEditError:
    """A typed error for an sqlite3 failure met outside the version store (the LangGraph checkpointer):
    finds which of the data dir's databases is damaged when the error does not say."""
    checkpoints, versions = Path(home) / "checkpoints.sqlite", Path(home) / "versions.sqlite"
    text = str(exc).lower()
    if any(w in text for w in ("locked", "busy", "full", "readonly", "read-only", "unable to open")):
        return sqlite_error(exc, checkpoints)
    from agent.doctor import integrity

    for path in (checkpoints, versions):
        if not integrity(path)[0]:
            return sqlite_error(exc, path)
    return sqlite_error(exc, checkpoints)


def _page(path: Path) -> int:
    """The database's page size (one changed row needs at least one new page in the WAL)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(18)
        size = int.from_bytes(head[16:18], "big") if head.startswith(b"SQLite format 3") else 4096
        return 65536 if size == 1 else size or 4096
    except OSError:
        return 4096


def _size(n: float) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 1024:.0f} KiB"


def _free_bytes(path: Path) -> float:
    try:
        return shutil.disk_usage(path.parent).free
    except OSError:
        return float("inf")


def _free(path: Path) -> str:
    free = _free_bytes(path)
    return _size(free) if free != float("inf") else "an unknown amount"


@contextmanager
def file_lock(path: Path, *, shared: bool, deadline: float, busy: BrushEditError):
    """flock `path` (shared or exclusive), retrying until `deadline` (time.monotonic), else raise `busy`."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    try:
        path.parent.mkdir(exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise os_error(exc, path.parent) from exc
    try:
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy from None
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock (so does the death of the process)


_HELD = threading.local()  # (data dir, session) pairs this thread holds: the edit lock is re-entrant


@contextmanager
def session_lock(home: Path, name: str, wait_s: float):
    """One edit at a time per session: shared hold on the data dir's gc lock + exclusive session lock."""
    key = (str(Path(home).resolve()), name)
    held = _HELD.__dict__.setdefault("keys", set())
    if key in held:
        yield
        return
    deadline = time.monotonic() + wait_s
    gc_busy = SessionBusyError(f"busy: `brushedit gc` is cleaning {home}; session {name} waited {wait_s:g} s.",
                               fix="Run the edit again in a moment.")
    busy = SessionBusyError(f"busy: session {name} is being edited by another process (waited {wait_s:g} s).",
                            fix="Run it again when that edit has finished, or add --queue to run it after.")
    with file_lock(Path(home) / "locks" / "gc.lock", shared=True, deadline=deadline, busy=gc_busy), \
            file_lock(Path(home) / "locks" / f"session-{name}.lock", shared=False, deadline=deadline, busy=busy):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)


def gc_lock(home: Path, wait_s: float):
    """Exclusive hold on the data dir's gc lock: no edit runs while it is held."""
    busy = SessionBusyError(f"busy: an edit is running in {home} (waited {wait_s:g} s); gc never runs during "
                            "an edit.", fix="Run `brushedit gc` again when the edit has finished.")
    return file_lock(Path(home) / "locks" / "gc.lock", shared=False, deadline=time.monotonic() + wait_s, busy=busy)
