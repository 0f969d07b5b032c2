"""`brushedit doctor`: check every version's files and the databases of a data dir, say what is broken.

With a PostgreSQL store it checks the store in use instead of a data dir's SQLite files: the server,
the schema, the checkpoint tables and the image dir (agent.stores.check_store), then every version's
and pending review's files through the store (the CLI adds the queue: app.jobs_pg.check_queue).
With SQLite it reads the files read-only and row by row where a damaged file stops a whole query, so it
works on exactly the data dirs the rest of the program refuses; every image goes through the
store's verify API (`ImageStore.get_image(id, verify=True)`: sha256 of the content against its id).
The salvage of a session's intact part into a new data dir lives in agent/salvage.py.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pydantic import BaseModel, Field

from agent.versions import Version
from engine.errors import StoreCorruptError, StoreIntegrityError
from engine.image_store import ImageStore
from engine.settings import Settings

_VERSION_COLS = ("session", "id", "parent", "image_id", "mask_id", "instruction", "category", "record", "created")
_SESSION_COLS = ("name", "created", "head", "redo", "next_n", "pending")


class Finding(BaseModel):
    ok: bool
    where: str  # "versions.sqlite", "session trip v2", ...
    what: str


class DoctorReport(BaseModel):
    data_dir: str
    findings: list[Finding] = Field(default_factory=list)
    damaged_sessions: list[str] = Field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def add(self, ok: bool, where: str, what: str) -> None:
        self.findings.append(Finding(ok=ok, where=where, what=what))


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that also works in a read-only directory (immutable: no -shm needed)."""
    uri = Path(path).resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=2)
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)


def integrity(path: Path) -> tuple[bool, str]:
    """(ok, what) for one SQLite file: PRAGMA quick_check."""
    if not path.exists():
        return True, "not created yet"
    if not path.is_file():
        return False, "is not a file"
    try:
        db = open_read_only(path)
        try:
            rows = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
        finally:
            db.close()
    except sqlite3.Error as exc:
        return False, f"damaged ({exc})"
    return (True, "integrity ok") if rows == ["ok"] else (False, f"damaged ({'; '.join(rows[:3])})")


def read_rows(path: Path, table: str) -> tuple[list[dict], bool]:
    """Every readable row of `table` as a dict, and whether some could not be read. A query that a
    damaged page stops is retried row by row (rowid probing), so the intact rows still come back."""
    cols = _VERSION_COLS if table == "versions" else _SESSION_COLS
    sql = f"SELECT {', '.join(cols)} FROM {table}"
    try:
        db = open_read_only(path)
    except sqlite3.Error:
        return [], True
    try:
        try:
            return [dict(zip(cols, r)) for r in db.execute(sql).fetchall()], False
        except sqlite3.Error:
            pass
        rows, misses, rowid = [], 0, 0
        limit = max(2000, path.stat().st_size // 64)
        while misses < 500 and rowid < limit:
            rowid += 1
            try:
                row = db.execute(f"{sql} WHERE rowid=?", (rowid,)).fetchone()
            except sqlite3.Error:
                row = None
            misses = 0 if row else misses + 1
            if row:
                rows.append(dict(zip(cols, row)))
        return rows, True
    finally:
        db.close()


def parse_version(row: dict) -> tuple[Version | None, str | None]:
    """The version of a row; when its JSON record is broken, rebuilt from the row's own columns."""
    try:
        return Version.model_validate_json(row["record"]), None
    except (ValueError, TypeError):
        pass
    try:
        v = Version(id=row["id"], parent=row["parent"], image_id=row["image_id"], mask_id=row["mask_id"],
                    instruction=row["instruction"], category=row["category"], created=row["created"] or 0.0)
    except (ValueError, TypeError):
        return None, "its record and columns are damaged"
    return v, "its record does not parse (rebuilt from the row's columns: plan, seed and timings lost)"


def file_problem(store: ImageStore, image_id: str | None, kind: str = "image") -> str | None:
    """None when the stored file verifies; else what is wrong with it."""
    if not image_id:
        return None
    try:
        (store.get_mask if kind == "mask" else store.get_image)(image_id, verify=True)
    except StoreIntegrityError as exc:
        return exc.message
    except (OSError, ValueError, SyntaxError) as exc:  # a file the codec cannot read at all
        return f"{kind} {image_id[:12]}… cannot be read ({exc})"
    return None


def examine(settings: Settings) -> DoctorReport:
    if settings.uses_postgres:
        return _examine_postgres(settings)
    home = settings.data_dir
    report = DoctorReport(data_dir=str(home))
    if not home.is_dir():
        report.add(not home.exists(), str(home), "does not exist yet (nothing to check)" if not home.exists()
                   else "is not a directory")
        return report
    for name in ("versions.sqlite", "checkpoints.sqlite"):
        ok, what = integrity(home / name)
        extra = "" if ok or name == "versions.sqlite" else " (it holds only pending reviews and crash-resume state)"
        report.add(ok, name, what + extra)
    if not settings.images_dir.is_dir():
        report.add(not settings.images_dir.exists(), "images/", "missing" if not settings.images_dir.exists()
                   else "is not a directory")
        if settings.images_dir.exists():
            return report
    _examine_versions(home / "versions.sqlite", ImageStore(settings.images_dir), report)
    return report


def _examine_versions(db_path: Path, store: ImageStore, report: DoctorReport) -> None:
    if not db_path.is_file():
        return
    rows, partial = read_rows(db_path, "versions")
    sessions, s_partial = read_rows(db_path, "sessions")
    if partial or s_partial:
        report.add(False, "versions.sqlite", f"only {len(rows)} version rows and {len(sessions)} session rows "
                   "could be read")
        report.damaged_sessions += sorted({r["session"] for r in rows})
        if not rows:
            n = sum(1 for _ in store.ids())
            report.add(False, "images/", f"{n} stored image(s) remain, but no version row names them any more "
                       "(each can still be opened with `brushedit new FILE -s NAME`)")
    by_session: dict[str, list[dict]] = {}
    for row in rows:
        by_session.setdefault(row["session"], []).append(row)
    for srow in sessions:
        by_session.setdefault(srow["name"], [])
        _examine_pending(srow, store, report)
    for name, vrows in by_session.items():
        broken = 0
        for row in vrows:
            where = f"session {name} {row['id']}"
            v, note = parse_version(row)
            problems = [note] if note else []
            if v is not None:
                problems += [p for p in (file_problem(store, v.image_id), file_problem(store, v.mask_id, "mask")) if p]
            for p in problems:
                report.add(False, where, p)
            broken += bool(problems)
        if broken and name not in report.damaged_sessions:
            report.damaged_sessions.append(name)
        report.add(not broken, f"session {name}", f"{len(vrows) - broken} of {len(vrows)} versions intact")


def _examine_postgres(settings: Settings) -> DoctorReport:
    from agent.db import redact
    from agent.stores import check_store, make_version_store

    report = DoctorReport(data_dir=redact(settings.store))
    problems = check_store(settings)
    for p in problems:
        report.add(False, "store", p)
    if problems:
        return report
    report.add(True, "store", f"PostgreSQL schema, checkpoint tables and image dir {settings.images_dir} ok")
    versions, store = make_version_store(settings), ImageStore(settings.images_dir)
    for name in versions.sessions():
        history = versions.history(name)
        broken = 0
        for v in history:
            found = [p for p in (file_problem(store, v.image_id), file_problem(store, v.mask_id, "mask")) if p]
            for p in found:
                report.add(False, f"session {name} {v.id}", p)
            broken += bool(found)
        pending = versions.pending(name)
        if pending:
            _examine_pending({"name": name, "pending": json.dumps(pending)}, store, report)
        if broken and name not in report.damaged_sessions:
            report.damaged_sessions.append(name)
        report.add(not broken, f"session {name}", f"{len(history) - broken} of {len(history)} versions intact")
    return report


def _examine_pending(srow: dict, store: ImageStore, report: DoctorReport) -> None:
    if not srow.get("pending"):
        return
    try:
        info = json.loads(srow["pending"])
    except ValueError:
        report.add(False, f"session {srow['name']} pending review", "its record is not JSON")
        return
    for key, kind in (("result_id", "image"), ("mask_id", "mask")):
        problem = file_problem(store, info.get(key), kind) if isinstance(info, dict) else "not a record"
        if problem:
            report.add(False, f"session {srow['name']} pending review", problem)
            if srow["name"] not in report.damaged_sessions:
                report.damaged_sessions.append(srow["name"])


def require_intact(store: ImageStore, items: list[tuple[str, str | None, str | None]], what: str, session: str,
                   db_path: Path | None) -> None:
    """Refuse (StoreCorruptError) unless every (label, image_id, mask_id) verifies; names every one that does not.
    Export and accept call it before they write or commit anything."""
    bad = [f"{label} ({p.rstrip('.')})" for label, image_id, mask_id in items
           for p in [file_problem(store, image_id) or file_problem(store, mask_id, "mask")] if p]
    if bad:
        from agent.versions import salvage_hint

        raise StoreCorruptError(f"Cannot {what}: the stored files of {'; '.join(bad)} in session '{session}' do not "
                                "verify.", fix=salvage_hint(db_path, session) if db_path else
                                "Run `brushedit doctor` to see what is intact.")


def writable_dir(path: str | Path, flag: str) -> Path:
    """`path` as a directory to write into (created when missing); DataDirError when it is a file."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        from engine.errors import DataDirError

        raise DataDirError(f"{flag} '{out}' is a file; it must be a directory to write into.",
                           fix=f"Give {flag} a new or existing directory.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from engine.errors import os_error

        raise os_error(exc, out) from exc
    return out
