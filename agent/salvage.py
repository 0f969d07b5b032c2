"""`brushedit doctor --salvage SESSION --to DIR`: copy the intact part of a session into a new data dir.

A version is intact when its image verifies (sha256 against its id); a broken JSON record is rebuilt
from the row's columns, a broken mask is dropped (the version stays). A version whose image is lost
is left out and its children become roots (their edit was made on the lost picture), so every picture
that survived is still there. Files are copied (verified) before the new version store is written, so the new
dir never names a file it lacks. The old data dir is only read.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from agent.doctor import file_problem, parse_version, read_rows
from agent.versions import Version, VersionStore, validate_name
from engine.errors import BrushEditError, DataDirError, SessionNotFoundError
from engine.image_store import ImageStore
from engine.settings import Settings


class SalvageReport(BaseModel):
    session: str
    to: str
    kept: list[str]
    dropped: dict[str, str] = Field(default_factory=dict)  # version id -> why
    notes: list[str] = Field(default_factory=list)
    head: str


def _check_target(to: Path, source: Path) -> None:
    if to.resolve() == source.resolve():
        raise DataDirError("Salvage into a NEW data dir, not the damaged one.", fix="Give --to a new directory.")
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise DataDirError(f"--to '{to}' exists and is not an empty directory.", fix="Give --to a new directory.")


def _intact(name: str, rows: list[dict], store: ImageStore, report: SalvageReport) -> dict[str, Version]:
    kept: dict[str, Version] = {}
    for row in sorted(rows, key=lambda r: r["created"] or 0.0):
        v, note = parse_version(row)
        problem = "the record and columns are damaged" if v is None else file_problem(store, v.image_id)
        if problem:
            report.dropped[row["id"]] = problem
            continue
        if note:
            report.notes.append(f"{v.id}: {note}")
        mask_problem = file_problem(store, v.mask_id, "mask")
        if mask_problem:
            report.notes.append(f"{v.id}: mask dropped ({mask_problem})")
            v = v.model_copy(update={"mask_id": None})
        kept[v.id] = v
    return kept


def _reattach(kept: dict[str, Version], report: SalvageReport) -> list[Version]:
    """A version whose parent was lost becomes a root: its edit was made on a picture that is gone, so
    hanging it on an older version would show a before/after that never happened."""
    out = []
    for v in kept.values():
        if v.parent is not None and v.parent not in kept:
            report.notes.append(f"{v.id}: now a root (its parent {v.parent} was lost)")
            v = v.model_copy(update={"parent": None})
        out.append(v)
    return out


def _copy(src: ImageStore, dst: ImageStore, image_id: str, kind: str) -> None:
    """Through the stores (verified read, durable write); an old file whose encoding does not give the same id
    again is copied byte for byte instead."""
    array = (src.get_mask if kind == "mask" else src.get_image)(image_id, verify=True)
    new_id = dst.put(array)
    if new_id == image_id:
        return
    dst.remove(new_id)
    target = dst.path(image_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".salvage.tmp")
    shutil.copyfile(src.path(image_id), tmp)
    os.replace(tmp, target)


def salvage(settings: Settings, session: str, to: str | Path) -> SalvageReport:
    """Copy the intact versions of `session` (and their verified files) into the new data dir `to`."""
    name, to = validate_name(session), Path(to)
    db_path = settings.data_dir / "versions.sqlite"
    _check_target(to, settings.data_dir)
    if not db_path.is_file():
        raise SessionNotFoundError(f"No version store in {settings.data_dir}: nothing to salvage.")
    rows = [r for r in read_rows(db_path, "versions")[0] if r["session"] == name]
    srow = next((r for r in read_rows(db_path, "sessions")[0] if r["name"] == name), None)
    if not rows:
        raise SessionNotFoundError(f"No readable version of session '{name}' in {db_path}.",
                                   fix="Run `brushedit doctor` to see which sessions can be read.")
    store = ImageStore(settings.images_dir)
    report = SalvageReport(session=name, to=str(to), kept=[], head="")
    kept = _intact(name, rows, store, report)
    if not kept:
        raise BrushEditError(f"No version of session '{name}' has an intact image: nothing to salvage.")
    parents = {r["id"]: r["parent"] for r in rows}
    versions = _reattach(kept, report)
    head = (srow or {}).get("head")
    while head is not None and head not in kept:
        head = parents.get(head)
    report.head = head or max(kept.values(), key=lambda v: v.created).id
    if srow and srow.get("pending"):
        report.notes.append("the pending review was not carried over (accept or reject it in the old dir first)")
    new = Settings.load(env={}, data_dir=to)
    new_store = ImageStore(new.images_dir)
    for v in versions:
        for image_id, kind in ((v.image_id, "image"), (v.mask_id, "mask")):
            if image_id:
                _copy(store, new_store, image_id, kind)
    VersionStore(new.data_dir / "versions.sqlite").restore(name, versions, report.head)
    report.kept = [v.id for v in versions]
    return report
