"""Housekeeping of the data dir: remove stored images that nothing references, prune old checkpoints.

gc cannot race an edit: it holds the data dir's maintenance lock, which every edit holds shared
(`VersionStore.edit_lock`), so it waits for running edits (up to `wait_s`, then "busy") and no edit
starts while it runs. It keeps an image when a version, a pending review or the newest checkpoint of a
session (a run that can still resume) names it, or when its file is younger than the grace period
(an upload or a `brushedit new` in flight outside any edit). Versions are never touched.

Checkpoints: LangGraph writes one per graph step; only the newest per session (thread) is ever read
again (it holds a pending review, or the state a crashed run resumes from), so the older ones of
finished runs are deleted and the file compacted.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from pydantic import BaseModel

from agent.storage_guard import db_errors
from agent.stores import make_version_store
from engine.image_store import ImageStore
from engine.settings import Settings

_ID = re.compile(rb"[0-9a-f]{64}")


class GcReport(BaseModel):
    kept: int
    removed: int
    bytes_freed: int
    dry_run: bool
    checkpoints_pruned: int = 0
    checkpoint_bytes_freed: int = 0


def collect_garbage(settings: Settings, grace_s: float = 3600.0, dry_run: bool = False,
                    wait_s: float = 30.0) -> GcReport:
    versions = make_version_store(settings)  # the configured store: SQLite or PostgreSQL
    store = ImageStore(settings.images_dir)
    checkpoints = settings.data_dir / "checkpoints.sqlite"  # SQLite only (PostgreSQL keeps its own)
    with versions.maintenance_lock(wait_s):
        keep = versions.referenced_ids() | (set() if settings.uses_postgres else checkpoint_ids(checkpoints))
        cutoff = time.time() - grace_s
        kept = removed = freed = 0
        for image_id in list(store.ids()):
            path = store.path(image_id)
            try:
                young = path.stat().st_mtime > cutoff
            except FileNotFoundError:
                continue
            if image_id in keep or young:
                kept += 1
                continue
            removed += 1
            freed += path.stat().st_size if dry_run else store.remove(image_id)
        pruned, ck_freed = (0, 0) if settings.uses_postgres else prune_checkpoints(checkpoints, dry_run)
    return GcReport(kept=kept, removed=removed, bytes_freed=freed, dry_run=dry_run, checkpoints_pruned=pruned,
                    checkpoint_bytes_freed=ck_freed)


def _latest(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return db.execute("SELECT thread_id, checkpoint_ns, MAX(checkpoint_id) FROM checkpoints "
                      "GROUP BY thread_id, checkpoint_ns").fetchall()


def _has_tables(db: sqlite3.Connection) -> bool:
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {"checkpoints", "writes"} <= names


def checkpoint_ids(path: Path) -> set[str]:
    """Image ids named by the newest checkpoint of each session and its pending writes."""
    if not path.exists() or path.stat().st_size == 0:
        return set()
    ids: set[str] = set()
    with db_errors(path):
        db = sqlite3.connect(path, timeout=5)
        try:
            if not _has_tables(db):
                return set()
            for thread, ns, cid in _latest(db):
                blobs = db.execute("SELECT checkpoint, metadata FROM checkpoints WHERE thread_id=? AND "
                                   "checkpoint_ns=? AND checkpoint_id=?", (thread, ns, cid)).fetchall()
                blobs += db.execute("SELECT value, NULL FROM writes WHERE thread_id=? AND checkpoint_ns=? AND "
                                    "checkpoint_id=?", (thread, ns, cid)).fetchall()
                for row in blobs:
                    ids |= {m.decode() for blob in row if blob for m in _ID.findall(bytes(blob))}
        finally:
            db.close()
    return ids


def prune_checkpoints(path: Path, dry_run: bool = False) -> tuple[int, int]:
    """Delete every checkpoint but the newest per session (and their writes); returns (pruned, bytes freed)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0, 0
    before = path.stat().st_size
    with db_errors(path):
        db = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            if not _has_tables(db):
                return 0, 0
            latest = _latest(db)
            total = db.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
            if dry_run or total == len(latest):
                return total - len(latest), 0
            db.execute("BEGIN IMMEDIATE")
            for thread, ns, cid in latest:
                for table in ("checkpoints", "writes"):
                    db.execute(f"DELETE FROM {table} WHERE thread_id=? AND checkpoint_ns=? AND checkpoint_id<>?",
                               (thread, ns, cid))
            db.execute("COMMIT")
            try:
                db.execute("VACUUM")  # needs free space of about the file's size; skipped on a full disk
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:
                pass
        finally:
            db.close()
    return total - len(latest), max(0, before - path.stat().st_size)
