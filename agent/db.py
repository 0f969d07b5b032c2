"""The small database layer under the stores: SQLite (one file) or PostgreSQL (psycopg 3), one SQL.

    db = open_database("~/.brushedit/versions.sqlite")   # or "postgresql://user@host/db"
    with db.tx() as tx:                                    # one transaction: commit, or roll back on error
        tx.execute("SELECT head FROM sessions WHERE name=?" + tx.for_update, (name,)).fetchone()

Stores write portable SQL with `?` placeholders; on PostgreSQL it is translated to psycopg's `%s`.
`tx.for_update` locks the rows a statement reads (PostgreSQL `FOR UPDATE`; SQLite needs nothing:
`BEGIN IMMEDIATE` already holds the file's write lock). Schemas change only through numbered
migrations (`migrate`), recorded per component in `brushedit_schema`, safe to run again and from
several processes at once (PostgreSQL: an advisory lock; SQLite: the write lock).
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from engine.errors import StoreUnavailableError

Migration = tuple[int, str, str]  # (version, what it does, portable SQL statements separated by ';')

VERSION_MIGRATIONS: list[Migration] = [
    (1, "sessions and versions", """
     CREATE TABLE IF NOT EXISTS sessions (
       name TEXT PRIMARY KEY, created DOUBLE PRECISION, head TEXT, redo TEXT, next_n INTEGER, pending TEXT);
     CREATE TABLE IF NOT EXISTS versions (
       session TEXT, id TEXT, parent TEXT, image_id TEXT, mask_id TEXT, instruction TEXT, category TEXT,
       record TEXT, created DOUBLE PRECISION, PRIMARY KEY (session, id))"""),
    (2, "versions.n: the number of v<n>, a portable order", """
     ALTER TABLE versions ADD COLUMN n INTEGER;
     UPDATE versions SET n = CAST(SUBSTR(id, 2) AS INTEGER)"""),
    (3, "attempts: every attempt and candidate of an edit (agent/attempt_store.py)", """
     CREATE TABLE IF NOT EXISTS attempts (
       session TEXT, id TEXT, run_id TEXT, n INTEGER, candidate INTEGER, status TEXT, record TEXT,
       created DOUBLE PRECISION, PRIMARY KEY (session, id))"""),
]


def is_postgres(target) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """`?` -> `%s` and `%` -> `%%` outside quoted literals."""
    out, quote = [], None
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        else:
            out.append("%s" if ch == "?" else "%%" if ch == "%" else ch)
    return "".join(out)


class LockTimeout(TimeoutError):
    """An advisory lock stayed held by another connection for the whole wait."""


class _SqliteTx:
    for_update = ""

    def __init__(self, conn: sqlite3.Connection):
        self.connection = conn

    def execute(self, sql: str, params: Sequence = ()):
        return self.connection.execute(sql, params)


class _PgTx:
    for_update = " FOR UPDATE"

    def __init__(self, conn):
        self.connection = conn

    def execute(self, sql: str, params: Sequence = ()):
        return self.connection.execute(to_psycopg(sql), tuple(params))


class SqliteDatabase:
    kind = "sqlite"

    def __init__(self, path: str | Path):
        from agent.storage_guard import db_errors, prepare_sqlite

        self.path = Path(path).expanduser()
        self.location = str(self.path)
        with db_errors(self.path):  # a read-only dir: reads only (agent/storage_guard.py)
            self.read_only = not prepare_sqlite(self.path)
        self._wal = False

    @contextmanager
    def tx(self) -> Iterator[_SqliteTx]:
        from agent.storage_guard import connect_sqlite, db_errors, rollback

        with db_errors(self.path):  # damaged / locked / read-only / full -> typed one-line errors
            db = connect_sqlite(self.path, self.read_only)
            try:
                if not self._wal and not self.read_only:
                    db.execute("PRAGMA journal_mode=WAL")
                    self._wal = True
                db.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
                try:
                    yield _SqliteTx(db)
                except BaseException:
                    rollback(db)
                    raise
                db.execute("COMMIT")
            finally:
                db.close()

    def notify(self, tx, channel: str, payload: str) -> None:
        """Nothing to wake on SQLite: everything runs in one process."""


class PgDatabase:
    """PostgreSQL through one psycopg connection pool per URL and process (threads share it)."""

    kind = "postgresql"
    _pools: dict[str, object] = {}
    _pools_lock = threading.Lock()

    def __init__(self, url: str, max_size: int = 16):
        self.url, self.location, self.max_size = url, redact(url), max_size

    def unavailable(self, exc: Exception) -> StoreUnavailableError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreUnavailableError(f"Cannot use the PostgreSQL store at {self.location}: {first}.",
                                     fix="Start PostgreSQL or fix --store / BRUSHEDIT_STORE, then run "
                                         "`brushedit db init --store URL`.")

    @property
    def pool(self):
        with self._pools_lock:
            pool = self._pools.get(self.url)
            if pool is None:
                try:
                    from psycopg_pool import ConnectionPool
                except ImportError as exc:
                    raise StoreUnavailableError("A PostgreSQL store needs psycopg and psycopg-pool.",
                                                fix="pip install -e '.[postgres]'") from exc
                pool = ConnectionPool(self.url, min_size=1, max_size=self.max_size, open=False,
                                      check=ConnectionPool.check_connection, name="brushedit")
                try:
                    pool.open(wait=True, timeout=10)
                except Exception as exc:
                    pool.close()
                    raise self.unavailable(exc) from exc
                self._pools[self.url] = pool
            return pool

    @classmethod
    def close_pool(cls, url: str) -> None:
        """Close this process's connections to `url` (the next use opens a new pool)."""
        with cls._pools_lock:
            pool = cls._pools.pop(url, None)
        if pool is not None:
            pool.close()

    @contextmanager
    def connection(self):
        pool = self.pool
        try:
            conn = pool.getconn(timeout=30)
        except Exception as exc:  # PoolTimeout, OperationalError: the server is gone or saturated
            raise self.unavailable(exc) from exc
        try:
            yield conn
        finally:
            pool.putconn(conn)

    @contextmanager
    def tx(self) -> Iterator[_PgTx]:
        with self.connection() as conn, conn.transaction():
            yield _PgTx(conn)

    def notify(self, tx, channel: str, payload: str) -> None:
        """Sent when `tx` commits (LISTEN/NOTIFY)."""
        tx.execute("SELECT pg_notify(?, ?)", (channel, payload))

    @contextmanager
    def advisory_lock(self, key: str, wait_s: float, shared: bool = False) -> Iterator[None]:
        """Hold a session-level advisory lock on `key` (released when the block ends or the process dies),
        exclusive or `shared` (shared holders exclude only an exclusive one); LockTimeout after `wait_s`
        seconds of waiting for it."""
        k = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        kind = "_shared" if shared else ""
        with self.connection() as conn:
            conn.autocommit = True
            try:
                deadline, pause = time.monotonic() + wait_s, 0.02
                while not conn.execute(f"SELECT pg_try_advisory_lock{kind}(%s)", (k,)).fetchone()[0]:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(f"advisory lock {key!r} is held elsewhere")
                    time.sleep(pause)
                    pause = min(pause * 2, 0.25)
                try:
                    yield
                finally:
                    conn.execute(f"SELECT pg_advisory_unlock{kind}(%s)", (k,))
            finally:
                conn.autocommit = False


Database = SqliteDatabase | PgDatabase


def open_database(target: str | Path) -> Database:
    """A PostgreSQL URL or the path of a SQLite file."""
    return PgDatabase(target) if is_postgres(target) else SqliteDatabase(target)


_MIGRATIONS_LOCK = 0x62727368  # advisory lock id for schema changes ("brsh")


def _schema_table(tx) -> None:
    tx.execute("CREATE TABLE IF NOT EXISTS brushedit_schema (component TEXT, version INTEGER, name TEXT, "
               "applied DOUBLE PRECISION, PRIMARY KEY (component, version))")


def migrate(db: Database, component: str, migrations: Sequence[Migration]) -> list[int]:
    """Apply the migrations of `component` not applied yet, in one transaction; returns their numbers."""
    with db.tx() as tx:
        if db.kind == "postgresql":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATIONS_LOCK,))
        _schema_table(tx)
        done = {r[0] for r in tx.execute("SELECT version FROM brushedit_schema WHERE component=?", (component,))}
        applied = []
        for version, name, sql in sorted(migrations):
            if version in done:
                continue
            for statement in filter(str.strip, sql.split(";")):
                tx.execute(statement)
            tx.execute("INSERT INTO brushedit_schema VALUES (?,?,?,?)", (component, version, name, time.time()))
            applied.append(version)
    return applied


def schema_version(db: Database, component: str) -> int:
    """The highest migration applied for `component` (0: none, or no schema at all)."""
    with db.tx() as tx:
        if db.kind == "postgresql":
            if tx.execute("SELECT to_regclass('brushedit_schema')").fetchone()[0] is None:
                return 0
        else:
            _schema_table(tx)
        row = tx.execute("SELECT MAX(version) FROM brushedit_schema WHERE component=?", (component,)).fetchone()
    return int(row[0] or 0)
