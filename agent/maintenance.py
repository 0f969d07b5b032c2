"""Housekeeping of the data dir: remove stored images that no version references.

Rejected attempts, raw (unblended) generations and intermediate masks stay in the image store
after an edit; `collect_garbage` deletes those older than a grace period, so an edit running in
another process at the same moment keeps its files. Versions and pending reviews are never touched.
"""
from __future__ import annotations

import time

from pydantic import BaseModel

from agent.stores import make_version_store
from engine.image_store import ImageStore
from engine.settings import Settings


class GcReport(BaseModel):
    kept: int
    removed: int
    bytes_freed: int
    dry_run: bool


def collect_garbage(settings: Settings, grace_s: float = 3600.0, dry_run: bool = False) -> GcReport:
    store = ImageStore(settings.images_dir)
    keep = make_version_store(settings).referenced_ids()  # the configured store: SQLite or PostgreSQL
    cutoff = time.time() - grace_s
    kept = removed = freed = 0
    for image_id in list(store.ids()):
        path = store.path(image_id)
        if image_id in keep or path.stat().st_mtime > cutoff:
            kept += 1
            continue
        removed += 1
        freed += path.stat().st_size if dry_run else store.remove(image_id)
    return GcReport(kept=kept, removed=removed, bytes_freed=freed, dry_run=dry_run)
