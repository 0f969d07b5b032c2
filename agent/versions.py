"""The version DAG of every session, in one SQLite file (stdlib sqlite3, no graph runtime needed).

A session is a tree of versions rooted at the original image. `head` is the version shown;
a committed edit becomes a child of head (an edit from a non-tip version starts a branch).
Undo moves head to its parent and pushes the old head on the redo stack; redo pops it;
checkout moves head anywhere and clears the redo stack. Every change is one transaction,
so a crash never loses a committed version. Version ids are v0 (original), v1, v2, ...

Durability (SQLite, WAL): a transaction that adds or changes what was made (a session, a version,
an attempt, a pending review) commits with synchronous=FULL: the WAL is fsynced before it returns,
so it survives a kill and a power cut. Head moves (undo, redo, checkout) commit with
synchronous=NORMAL: written to the WAL before they return, so they survive a kill of the process;
after a power cut or an OS crash the head may be back where the last FULL commit (or WAL
checkpoint) left it, with no version, attempt or image lost. Reads take no write lock (a deferred
transaction: one consistent snapshot). Each store keeps one connection open (per process), so a turn
does not pay the WAL checkpoint + fsync that closing the last connection to a WAL file costs 8 times;
the WAL is folded into versions.sqlite once at the end of each turn (edit, accept, reject, pick), after
create / delete / restore, and when the process exits, so at rest the file alone holds every commit.
A head move stays in versions.sqlite-wal until then (a copy taken meanwhile needs that file too).
Inside a turn, the attempts (add_attempts) and the version with its attempt mark (commit_attempt) are
committed at NORMAL too: the fold at the turn's end fsyncs the WAL before edit() returns, so they are
power-cut durable by the time the caller hears of them (a kill never loses them: NORMAL is enough).
"""
from __future__ import annotations

import atexit
import json
import os
import re
import sqlite3
import threading
import time
import weakref
from contextlib import contextmanager, nullcontext
from pathlib import Path

from pydantic import BaseModel, Field

from agent.attempt_store import AttemptRecord, AttemptStore
from agent.db import VERSION_MIGRATIONS, SqliteDatabase, migrate
from agent.storage_guard import gc_lock, private_file, salvage_hint, session_lock
from engine.errors import (BrushEditError, DatabaseCorruptError, NothingToUndoError, SessionNotFoundError,
                           StoreBusyError, VersionNotFoundError)

EDIT_WAIT_S = 3.0  # a session being edited: a second edit waits this long, then "busy"
QUEUE_WAIT_S = 24 * 3600.0  # `edit --queue`: wait for the running edit, then build on its result

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_.:-]+$")  # a run id as agent.steps makes them (uuid hex, ":k", ":aN")



class StepMark(BaseModel):
    """On a version made by a turn that asked for several edits or took versions back first
    (agent/steps.py): which step it was and what the turn said as typed."""

    n: int  # 1-based step number
    of: int  # the turn's number of steps
    turn: str  # the instruction as typed ("remove the dog and add a cat")
    undid: list[str] = Field(default_factory=list)  # versions the turn took back before its first step


class Version(BaseModel):
    id: str
    parent: str | None = None
    image_id: str
    mask_id: str | None = None
    instruction: str | None = None
    category: str | None = None
    plan: dict | None = None
    seed: int | None = None
    models: dict = Field(default_factory=dict)
    timings: dict = Field(default_factory=dict)
    attempts: int = 0
    prompt_sha256: str | None = None
    source_size: tuple[int, int] | None = None
    run_id: str | None = None  # the graph run that committed it (makes commit idempotent)
    attempt_id: str | None = None  # the stored attempt it came from (agent.attempt_store)
    created: float = 0.0
    step: StepMark | None = None  # one step of a turn of several (or a turn that undid first)


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise BrushEditError(
            f"Session name {name!r} is not allowed.",
            fix="Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
        )
    return name


__all__ = ["AttemptRecord", "StepMark", "Version", "VersionStore", "validate_name"]

_INHERITED: list = []  # connections a forked child inherited: never used nor closed there (the parent owns them)
_OPEN: "weakref.WeakSet[StoreDatabase]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """At exit: close every store's connection, so the WAL is checkpointed into versions.sqlite and removed
    (a copy of the file alone is then complete; while a process runs, copy it with its -wal, or use
    `sqlite3 versions.sqlite .backup`)."""
    for db in list(_OPEN):
        db.close()


def fsync_path(path: str | Path) -> None:
    """fsync one file by path; a file that does not exist (no WAL yet) is nothing to do."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StoreDatabase(SqliteDatabase):
    """The version store's SQLite file through ONE connection per store object and process.

    Opening and closing a connection per transaction made every close of the last connection to the
    WAL file checkpoint it and fsync (~2.7 ms quiet, 15-20 ms on a loaded machine, 8 times a turn).
    Here the connection stays open; it is opened again when the process forked or when the file at
    `path` is no longer the one it has open (moved aside, replaced or deleted: `doctor --salvage`,
    a restore). Threads of the process share it one transaction at a time (another process waits on
    SQLite's own lock, as before). A read-only data dir keeps the parent's open-per-transaction
    (immutable) connections, which see nothing cached."""

    def __init__(self, path):
        super().__init__(path)
        self._conn: sqlite3.Connection | None = None
        self._conn_key: tuple | None = None  # (pid, st_dev, st_ino) of the file it has open
        self._sync: str | None = None
        self._lock, self._lock_pid = threading.Lock(), os.getpid()

    def _file_key(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return os.getpid(), st.st_dev, st.st_ino

    def _connection(self) -> sqlite3.Connection:
        from agent.storage_guard import BUSY_WAIT_S

        key = self._file_key()
        if self._conn is not None and key is not None and key == self._conn_key:
            return self._conn
        self.close()
        conn = sqlite3.connect(self.path, timeout=BUSY_WAIT_S, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except BaseException:
            conn.close()
            raise
        self._conn, self._conn_key, self._sync = conn, self._file_key(), None
        _OPEN.add(self)
        return conn

    def close(self) -> None:
        conn, key, self._conn, self._conn_key = self._conn, self._conn_key, None, None
        if conn is None:
            return
        if key is not None and key[0] != os.getpid():
            _INHERITED.append(conn)  # the parent's: closing it here could disturb the parent's locks
            return
        try:
            conn.close()
        except sqlite3.Error:
            pass

    def fold(self) -> None:
        """Checkpoint the WAL into the database file and truncate it (PRAGMA wal_checkpoint(TRUNCATE)):
        afterwards versions.sqlite alone holds every commit (a copy of it, `doctor` reading it). Skipped
        when another process is reading (SQLite reports busy: its own later checkpoint folds it)."""
        if self.read_only or self._conn is None or self._conn_key is None or self._conn_key[0] != os.getpid():
            return
        from agent.storage_guard import db_errors

        with self._lock, db_errors(self.path):
            if self._file_key() == self._conn_key:
                fsync_path(self.path.with_name(self.path.name + "-wal"))  # commits made at NORMAL: durable now,
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # even if this is busy

    @contextmanager
    def tx(self, write: bool = True, durable: bool = True):
        """One transaction. write=False: a deferred read (a snapshot; takes no write lock).
        durable=False: committed with synchronous=NORMAL (survives a kill; a power cut may undo it)."""
        if self.read_only:
            with super().tx() as tx:
                yield tx
            return
        from agent.db import _SqliteTx
        from agent.storage_guard import BUSY_WAIT_S, db_errors, rollback

        if self._lock_pid != os.getpid():  # forked while another thread may have held it
            self._lock, self._lock_pid = threading.Lock(), os.getpid()
        if not self._lock.acquire(timeout=BUSY_WAIT_S):
            raise StoreBusyError(f"busy: another thread of this process is writing {self.path} "
                                 f"(waited {BUSY_WAIT_S:g} s).", fix="Run it again when that edit has finished.")
        try:
            with db_errors(self.path):  # damaged / locked / read-only / full -> typed one-line errors
                db = self._connection()
                sync = "FULL" if durable else "NORMAL"
                if write and self._sync != sync:
                    db.execute(f"PRAGMA synchronous={sync}")
                    self._sync = sync
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield _SqliteTx(db)
                except BaseException:
                    rollback(db)
                    raise
                try:
                    db.execute("COMMIT")
                except BaseException:
                    rollback(db)
                    raise
        except BaseException:
            if self._conn is not None and self._conn.in_transaction:  # never leave a transaction open
                self.close()
            raise
        finally:
            self._lock.release()


class VersionStore(AttemptStore):
    """The SQL here is portable (agent/db.py runs it on SQLite or PostgreSQL); this class opens a SQLite
    file, agent.versions_pg.PgVersionStore the same SQL on PostgreSQL. Schema: agent.db.VERSION_MIGRATIONS."""

    def __init__(self, path: str | Path):
        self.db = StoreDatabase(path)
        self.path = self.db.path
        self.location = str(self.path.parent)
        if not self.db.read_only:  # the LangGraph checkpointer's file beside it: private (0600) too
            private_file(self.path.with_name("checkpoints.sqlite"))
        migrate(self.db, "versions", VERSION_MIGRATIONS)

    @contextmanager
    def _tx(self, write: bool = True, durable: bool = True):
        """write=False: a read (no write lock on SQLite); durable=False: a head move (see the module doc)."""
        with (self.db.tx(write, durable) if isinstance(self.db, StoreDatabase) else self.db.tx()) as tx:
            yield tx

    def fold(self) -> None:
        """After a turn (and a create, delete or restore): the WAL folded into the database file. A failure
        is not reported: not folding loses nothing (the WAL holds it; the next fold, or the exit, folds it)."""
        if isinstance(self.db, StoreDatabase):
            try:
                self.db.fold()
            except BrushEditError:
                pass

    # --- sessions ---------------------------------------------------------------------------
    def create(self, name: str, image_id: str, size: tuple[int, int] | None = None) -> Version:
        validate_name(name)
        root = Version(id="v0", image_id=image_id, source_size=size, created=time.time())
        with self._tx() as db:
            if db.execute("SELECT 1 FROM sessions WHERE name=?", (name,)).fetchone():
                raise BrushEditError(f"Session '{name}' already exists.", fix="Pick another --session name.")
            db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?)", (name, root.created, "v0", "[]", 1, None))
            self._insert(db, name, root)
        self.fold()
        return root

    def exists(self, name: str) -> bool:
        with self._tx(write=False) as db:
            return db.execute("SELECT 1 FROM sessions WHERE name=?", (validate_name(name),)).fetchone() is not None

    def sessions(self) -> list[str]:
        with self._tx(write=False) as db:
            return [r[0] for r in db.execute("SELECT name FROM sessions ORDER BY created")]

    def _session(self, db, name: str) -> tuple[str, list[str], int]:
        row = db.execute("SELECT head, redo, next_n FROM sessions WHERE name=?" + db.for_update,
                         (validate_name(name),)).fetchone()
        if row is None:
            raise SessionNotFoundError(f"No session named '{name}' in {self.location}.",
                                       fix="Create it with `brushedit new IMAGE --session NAME`.")
        return row[0], self._json(row[1], f"the redo list of session '{name}'"), row[2]

    # --- versions ---------------------------------------------------------------------------
    @staticmethod
    def _insert(db, name: str, v: Version) -> None:
        db.execute("INSERT INTO versions (session, id, parent, image_id, mask_id, instruction, category, record, "
                   "created, n) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (name, v.id, v.parent, v.image_id, v.mask_id, v.instruction, v.category,
                    v.model_dump_json(), v.created, int(v.id[1:])))

    def commit(self, name: str, version: Version) -> Version:
        """Add `version` (its id is assigned here) as a child of its parent; it becomes head."""
        with self._tx() as db:
            return self._commit(db, name, version)

    def commit_attempt(self, name: str, version: Version, attempt_id: str) -> tuple[Version, AttemptRecord]:
        """commit(), and stored attempt `attempt_id` marked committed as that version, in ONE transaction
        (neither is ever recorded without the other). For the commit node of a turn: committed at
        synchronous=NORMAL (it survives a kill at once); the turn's end (`fold`, in holding_edit_lock)
        fsyncs it before the edit returns, so a power cut loses at most the edit in flight."""
        with self._tx(durable=False) as db:
            v = self._commit(db, name, version)
            rec = self._attempt(db, name, attempt_id)
            return v, self._update_attempt(db, name, rec.model_copy(update={"status": "committed", "version": v.id}))

    def _commit(self, db, name: str, version: Version) -> Version:
        _, _, n = self._session(db, name)
        self._get(db, name, version.parent)
        if version.run_id:  # committed already by this run? (LIKE narrows the rows; the parsed record decides)
            sql, args = "SELECT id, record FROM versions WHERE session=?", (name,)
            if _PLAIN.match(version.run_id):  # no character JSON would escape: the record holds it verbatim
                sql, args = sql + " AND record LIKE ?", (name, f'%"run_id":"{version.run_id}"%')
            for vid, rec in db.execute(sql, args).fetchall():
                done = self._record(rec, name, vid)
                if done.run_id == version.run_id:
                    return done
        v = version.model_copy(update={"id": f"v{n}", "created": time.time()})
        self._insert(db, name, v)
        db.execute("UPDATE sessions SET head=?, redo='[]', next_n=?, pending=NULL WHERE name=?", (v.id, n + 1, name))
        return v

    def _get(self, db, name: str, vid: str | None) -> Version:
        row = db.execute("SELECT record FROM versions WHERE session=? AND id=?", (name, vid)).fetchone()
        if row is None:
            ids = [r[0] for r in db.execute("SELECT id FROM versions WHERE session=? ORDER BY created", (name,))]
            raise VersionNotFoundError(f"Session '{name}' has no version {vid!r}.",
                                       fix=f"Use one of: {', '.join(ids)} (see `brushedit history`).")
        return self._record(row[0], name, vid)

    def get(self, name: str, vid: str | None = None) -> Version:
        with self._tx(write=False) as db:
            head, _, _ = self._session(db, name)
            return self._get(db, name, vid or head)

    def head(self, name: str) -> Version:
        return self.get(name)

    def state(self, name: str) -> tuple[str, list[str]]:
        with self._tx(write=False) as db:
            head, redo, _ = self._session(db, name)
            return head, redo

    def history(self, name: str) -> list[Version]:
        with self._tx(write=False) as db:
            self._session(db, name)
            rows = db.execute("SELECT id, record FROM versions WHERE session=? ORDER BY n", (name,))
            return [self._record(rec, name, vid) for vid, rec in rows.fetchall()]

    def lineage(self, name: str, vid: str | None = None) -> list[Version]:
        """Root ... vid (head by default). One query for the session's records, walked by parent here."""
        with self._tx(write=False) as db:
            head, _, _ = self._session(db, name)
            records = dict(db.execute("SELECT id, record FROM versions WHERE session=?", (name,)).fetchall())
            out, cur = [], vid or head
            while cur is not None:
                if cur not in records:
                    self._get(db, name, cur)  # VersionNotFoundError naming the versions there are
                    raise DatabaseCorruptError(f"The parents of version {vid or head} of session '{name}' form "
                                               f"a cycle at {cur}.", fix=self._salvage_hint(name))
                v = self._record(records.pop(cur), name, cur)
                out.append(v)
                cur = v.parent
        return out[::-1]

    def referenced_ids(self) -> set[str]:
        """Image and mask ids used by any version, pending review or stored attempt of any session."""
        with self._tx(write=False) as db:
            ids = {i for row in db.execute("SELECT image_id, mask_id FROM versions") for i in row if i}
            for (pending,) in db.execute("SELECT pending FROM sessions WHERE pending IS NOT NULL"):
                ids |= {v for v in self._json(pending, "a pending review").values() if isinstance(v, str)}
            ids |= self._attempt_ids(db)
        return ids

    def delete(self, name: str) -> None:
        """Remove the session, its versions and its attempts (their images stay until `brushedit gc`)."""
        with self._tx() as db:
            self._session(db, name)
            for table, key in (("attempts", "session"), ("versions", "session"), ("sessions", "name")):
                db.execute(f"DELETE FROM {table} WHERE {key}=?", (name,))
        self.fold()

    # --- an edit waiting for review ----------------------------------------------------------
    def set_pending(self, name: str, info: dict | None) -> None:
        with self._tx() as db:
            self._session(db, name)
            text = json.dumps(info) if info else None
            row = db.execute("SELECT pending FROM sessions WHERE name=?", (name,)).fetchone()
            if row is None or row[0] != text:  # clearing an empty review writes (and fsyncs) nothing
                db.execute("UPDATE sessions SET pending=? WHERE name=?", (text, name))

    def pending(self, name: str) -> dict | None:
        with self._tx(write=False) as db:
            self._session(db, name)
            row = db.execute("SELECT pending FROM sessions WHERE name=?", (name,)).fetchone()
            return self._json(row[0], f"the pending review of session '{name}'") if row and row[0] else None

    def _not_pending(self, db, name: str) -> None:
        row = db.execute("SELECT pending FROM sessions WHERE name=?", (name,)).fetchone()
        if row and row[0]:
            raise BrushEditError(f"Session '{name}' has an edit waiting for review.",
                                 fix="Run `brushedit accept` or `brushedit reject` first.")

    # --- head moves -------------------------------------------------------------------------
    def undo(self, name: str) -> Version:
        with self._tx(durable=False) as db:  # a head move: see the module doc
            head, redo, _ = self._session(db, name)
            self._not_pending(db, name)
            cur = self._get(db, name, head)
            if cur.parent is None:
                raise NothingToUndoError(f"Session '{name}' is at the original image ({head}); nothing to undo.")
            db.execute("UPDATE sessions SET head=?, redo=? WHERE name=?", (cur.parent, json.dumps(redo + [head]), name))
            return self._get(db, name, cur.parent)

    def redo(self, name: str) -> Version:
        with self._tx(durable=False) as db:  # a head move: see the module doc
            _, redo, _ = self._session(db, name)
            self._not_pending(db, name)
            if not redo:
                raise NothingToUndoError(f"Session '{name}' has nothing to redo.", fix="Redo only follows an undo.")
            target = redo.pop()
            db.execute("UPDATE sessions SET head=?, redo=? WHERE name=?", (target, json.dumps(redo), name))
            return self._get(db, name, target)

    def checkout(self, name: str, vid: str) -> Version:
        with self._tx(durable=False) as db:
            self._session(db, name)
            self._not_pending(db, name)
            v = self._get(db, name, vid)
            db.execute("UPDATE sessions SET head=?, redo='[]' WHERE name=?", (v.id, name))
            return v

    # --- reliability: damaged files, read-only dirs, locks (owner: reliability) -------------------
    def _record(self, text: str, name: str, vid: str | None) -> Version:
        try:
            return Version.model_validate_json(text)
        except ValueError as exc:
            raise DatabaseCorruptError(
                f"Version {vid} of session '{name}' in {self.path or self.location} is damaged (its record does "
                "not parse).", fix=self._salvage_hint(name)) from exc

    def _json(self, text: str, what: str):
        try:
            return json.loads(text)
        except (TypeError, ValueError) as exc:
            raise DatabaseCorruptError(f"{what[0].upper()}{what[1:]} in {self.path or self.location} is damaged "
                                       "(not JSON).", fix=self._salvage_hint()) from exc

    def _salvage_hint(self, name: str | None = None) -> str:
        return salvage_hint(self.path, name) if self.path else "Run `brushedit doctor` to see what is intact."

    def restore(self, name: str, versions: list[Version], head: str) -> None:
        """Write a whole session at once (salvage): versions keep their ids, parents and records."""
        validate_name(name)
        n = 1 + max((int(v.id[1:]) for v in versions if v.id[1:].isdigit()), default=0)
        with self._tx() as db:
            if db.execute("SELECT 1 FROM sessions WHERE name=?", (name,)).fetchone():
                raise BrushEditError(f"Session '{name}' already exists in {self.path}.", fix="Salvage into a new dir.")
            db.execute("INSERT INTO sessions (name, created, head, redo, next_n, pending) VALUES (?,?,?,?,?,?)",
                       (name, min(v.created for v in versions), head, "[]", n, None))
            for v in versions:
                self._insert(db, name, v)
        self.fold()

    def edit_lock(self, name: str, wait_s: float = EDIT_WAIT_S):
        """Hold session `name` for one edit (head read -> commit); a second holder waits up to `wait_s`, then
        SessionBusyError("busy: session S is being edited"). Released on exit or crash; re-entrant per thread."""
        return session_lock(self.path.parent, validate_name(name), wait_s)

    def maintenance_lock(self, wait_s: float = 30.0):
        """Exclusive against every edit in this data dir (gc, checkpoint pruning); SessionBusyError after wait_s."""
        if self.path is None:  # PostgreSQL: no shared hold by edits yet (PgVersionStore may override this)
            return nullcontext()
        return gc_lock(self.path.parent, wait_s)


def holding_edit_lock(method):
    """For Session methods that read head and commit (edit, accept, reject, pick): the whole call holds
    `self.versions.edit_lock(self.name, self.edit_wait_s)`, so two edits of one session never fork it."""
    from functools import wraps

    @wraps(method)
    def locked(self, *args, **kwargs):
        try:
            with self.versions.edit_lock(self.name, getattr(self, "edit_wait_s", EDIT_WAIT_S)):
                return method(self, *args, **kwargs)
        finally:  # the turn's writes folded into versions.sqlite: the file alone is complete again
            self.versions.fold()

    return locked
