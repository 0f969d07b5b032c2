"""Where sessions live, from the settings: one place that picks SQLite files or PostgreSQL.

    versions = make_version_store(settings)   # VersionStore (data_dir/versions.sqlite) or PgVersionStore
    saver = make_checkpointer(settings)       # LangGraph SqliteSaver (data_dir/checkpoints.sqlite) or PostgresSaver
    images = make_image_store(settings)       # content-addressed PNGs in settings.images_dir

`settings.store` is "sqlite" (default) or "postgresql://…". With PostgreSQL every process (API
servers, workers, CLI) sees the same sessions; `images_dir` must then be one directory that every
process mounts (the image store writes temp files and renames them, so several writers are safe).
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from pathlib import Path

from agent.versions import VersionStore
from engine.errors import BrushEditError
from engine.image_store import ImageStore
from engine.settings import Settings

_savers: dict[str, object] = {}
_savers_lock = threading.Lock()


def make_version_store(settings: Settings) -> VersionStore:
    if settings.uses_postgres:
        from agent.versions_pg import PgVersionStore

        return PgVersionStore(settings.store)
    return VersionStore(settings.data_dir / "versions.sqlite")


def make_image_store(settings: Settings) -> ImageStore:
    return ImageStore(settings.images_dir)


def make_checkpointer(settings: Settings):
    """A LangGraph checkpointer: one thread per session, so a review paused on one machine resumes on another."""
    if not settings.uses_postgres:
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(settings.data_dir / "checkpoints.sqlite", check_same_thread=False)
        return SqliteSaver(conn)
    with _savers_lock:  # one pool per URL and process, shared by every Session
        saver = _savers.get(settings.store)
        if saver is None:
            saver = _savers[settings.store] = _postgres_saver(settings.store)
        return saver


def close_store(url: str) -> None:
    """Close this process's connections to the PostgreSQL store `url` (version store and checkpoints)."""
    from agent.db import PgDatabase

    PgDatabase.close_pool(url)
    with _savers_lock:
        saver = _savers.pop(url, None)
    if saver is not None:
        saver.conn.close()


def _postgres_saver(url: str, setup: bool = False):
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    from agent.db import PgDatabase

    pool = ConnectionPool(url, min_size=1, max_size=16, open=False, check=ConnectionPool.check_connection,
                          kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
    try:
        pool.open(wait=True, timeout=10)
    except Exception as exc:
        pool.close()
        raise PgDatabase(url).unavailable(exc) from exc
    saver = PostgresSaver(pool)
    if setup:
        saver.setup()
    return saver


def setup_checkpoints(url: str) -> None:
    """Create or migrate LangGraph's checkpoint tables (PostgresSaver.setup, safe to re-run)."""
    saver = _postgres_saver(url, setup=True)
    saver.conn.close()


def check_store(settings: Settings) -> list[str]:
    """Problems with the store and the image dir, one line each with the fix ([] = healthy).
    For `brushedit doctor`; the queue is checked by app.jobs_pg.check_queue."""
    problems: list[str] = []
    try:
        versions = make_version_store(settings)
        versions.sessions()
    except BrushEditError as exc:
        problems.append(str(exc))
    except Exception as exc:  # a damaged file or a server error: say what, never crash the doctor
        problems.append(f"The version store at {settings.store} cannot be read: {exc}.")
    if settings.uses_postgres:
        problems += _check_checkpoints(settings.store)
    problems += check_images_dir(settings.images_dir)
    return problems


def _check_checkpoints(url: str) -> list[str]:
    from agent.db import PgDatabase, redact

    try:
        with PgDatabase(url).tx() as tx:
            if tx.execute("SELECT to_regclass('checkpoint_migrations')").fetchone()[0] is None:
                return [f"The PostgreSQL store at {redact(url)} has no LangGraph checkpoint tables. "
                        f"Run `brushedit db init --store {redact(url)}`."]
    except BrushEditError:
        return []  # already reported by the version store check
    return []


def check_images_dir(root: Path) -> list[str]:
    """The image dir exists, is writable, and supports the atomic rename the image store relies on."""
    try:
        Path(root).mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"brushedit")
        target = Path(root) / f".doctor-{os.getpid()}"
        os.replace(tmp, target)
        ok = target.read_bytes() == b"brushedit"
        target.unlink()
    except OSError as exc:
        return [f"The image dir {root} is not writable ({exc.strerror or exc}). "
                "Mount it read-write on every API and worker machine, or set images_dir / BRUSHEDIT_IMAGES_DIR."]
    return [] if ok else [f"The image dir {root} returned other bytes than written (a broken mount?)."]
