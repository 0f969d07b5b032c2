"""Every attempt and candidate of every edit, kept with its turn (table `attempts` of the version store).

An attempt is one try at a turn (plan -> mask -> inpaint -> blend -> judges); with `candidates` N it
has N results, candidate 0..N-1, the best one proposed. Each is stored the moment it is judged,
committed or not, so it survives the process and can be shown or picked later:

- `committed`: it became a version (accepted, auto-accepted, or picked);
- `pending`:   proposed and waiting for a person's review;
- `rejected`:  proposed and rejected by a judge or a person;
- `candidate`: a result of an attempt that another candidate of the same attempt outranked.

Ids are a1, a2, ... per session. SQL is portable (`?` placeholders only, JSON in TEXT), so the
PostgreSQL store shares it. Mixed into agent.versions.VersionStore (uses its `_tx`/`_session`).
"""
from __future__ import annotations

import json
import time
from typing import Literal

from pydantic import BaseModel, Field

from engine.errors import BrushEditError, VersionNotFoundError

Status = Literal["committed", "pending", "rejected", "candidate"]


class AttemptRecord(BaseModel):
    id: str = ""
    run_id: str
    turn_parent: str  # the version the turn edits (a pick becomes its child)
    instruction: str = ""
    n: int  # attempt number within the turn, 0-based
    candidate: int = 0
    plan: dict | None = None
    mask_id: str | None = None
    result_id: str | None = None  # blended result
    generated_id: str | None = None  # raw inpainter output
    verdict: dict | None = None  # engine.verification.Verdict
    seed: int | None = None
    method: str | None = None
    change: str = ""  # what the re-plan policy changed for this attempt
    timings: dict = Field(default_factory=dict)
    status: Status = "candidate"
    version: str | None = None  # the version it became
    created: float = 0.0


class AttemptStore:
    """Attempt methods of the version store."""

    def add_attempts(self, name: str, records: list[AttemptRecord]) -> list[AttemptRecord]:
        """Store records (ids assigned here); a record already stored for (run_id, n, candidate) is returned as is.
        Called inside a turn: committed at synchronous=NORMAL, fsynced by the turn's end (VersionStore.fold)."""
        out = []
        with self._tx(durable=False) as db:
            self._session(db, name)
            for rec in records:
                row = db.execute("SELECT record FROM attempts WHERE session=? AND run_id=? AND n=? AND candidate=?",
                                 (name, rec.run_id, rec.n, rec.candidate)).fetchone()
                if row:
                    out.append(AttemptRecord.model_validate_json(row[0]))
                    continue
                (count,) = db.execute("SELECT COUNT(*) FROM attempts WHERE session=?", (name,)).fetchone()
                stored = rec.model_copy(update={"id": f"a{count + 1}", "created": time.time()})
                db.execute("INSERT INTO attempts VALUES (?,?,?,?,?,?,?,?)",
                           (name, stored.id, stored.run_id, stored.n, stored.candidate, stored.status,
                            stored.model_dump_json(), stored.created))
                out.append(stored)
        return out

    def _attempt(self, db, name: str, attempt_id: str) -> AttemptRecord:
        row = db.execute("SELECT record FROM attempts WHERE session=? AND id=?", (name, attempt_id)).fetchone()
        if row is None:
            raise VersionNotFoundError(f"Session '{name}' has no attempt {attempt_id!r}.",
                                       fix=f"See `brushedit attempts -s {name}` for the attempt ids.")
        return AttemptRecord.model_validate_json(row[0])

    def _update_attempt(self, db, name: str, rec: AttemptRecord) -> AttemptRecord:
        db.execute("UPDATE attempts SET status=?, record=? WHERE session=? AND id=?",
                   (rec.status, rec.model_dump_json(), name, rec.id))
        return rec

    def update_attempt(self, name: str, attempt_id: str, status: Status, version: str | None = None,
                       verdict: dict | None = None) -> AttemptRecord:
        """New status (and the version it became, or the verdict that rejected it: a person's)."""
        with self._tx() as db:
            self._session(db, name)
            rec = self._attempt(db, name, attempt_id)
            changes = {"status": status} | ({"version": version} if version else {}) | (
                {"verdict": verdict} if verdict else {})
            return self._update_attempt(db, name, rec.model_copy(update=changes))

    def attempt(self, name: str, attempt_id: str) -> AttemptRecord:
        with self._tx(write=False) as db:
            self._session(db, name)
            return self._attempt(db, name, attempt_id)

    def attempts(self, name: str, run_id: str | None = None) -> list[AttemptRecord]:
        """Oldest first (turn by turn, attempt by attempt, candidate by candidate)."""
        with self._tx(write=False) as db:
            self._session(db, name)
            sql, args = "SELECT record FROM attempts WHERE session=?", [name]
            if run_id is not None:
                sql, args = sql + " AND run_id=?", [name, run_id]
            rows = db.execute(sql + " ORDER BY created, n, candidate", tuple(args)).fetchall()
        return [AttemptRecord.model_validate_json(r[0]) for r in rows]

    def pick(self, name: str, attempt_id: str):
        """Commit a stored attempt as a new version, child of its turn's parent; head moves to it.
        Picking from the turn waiting for review ends that review (its proposal becomes `rejected`)."""
        from agent.versions import Version

        with self._tx() as db:
            self._session(db, name)
            rec = self._attempt(db, name, attempt_id)
            if not rec.result_id:
                raise BrushEditError(f"Attempt {attempt_id} has no result image to pick.")
            row = db.execute("SELECT pending FROM sessions WHERE name=?", (name,)).fetchone()
            pending = json.loads(row[0]) if row and row[0] else None
            if pending and pending.get("run_id") != rec.run_id:
                raise BrushEditError(f"Session '{name}' has another edit waiting for review.",
                                     fix="Run `brushedit accept` or `brushedit reject` first.")
            plan = rec.plan or {}
            version = self._commit(db, name, Version(
                id="pending", parent=rec.turn_parent, image_id=rec.result_id, mask_id=rec.mask_id,
                instruction=rec.instruction, category=plan.get("category"), plan=plan, seed=rec.seed,
                timings=rec.timings, attempts=rec.n + 1, run_id=f"{rec.run_id}:{rec.id}", attempt_id=rec.id,
                models={"method": rec.method} if rec.method else {}))
            if pending and pending.get("attempt_id") not in (None, rec.id):
                other = self._attempt(db, name, pending["attempt_id"])
                self._update_attempt(db, name, other.model_copy(update={"status": "rejected"}))
            self._update_attempt(db, name, rec.model_copy(update={"status": "committed", "version": version.id}))
        return version

    @staticmethod
    def _attempt_ids(db) -> set[str]:
        ids: set[str] = set()
        for (record,) in db.execute("SELECT record FROM attempts"):
            data = json.loads(record)
            ids |= {data.get(k) for k in ("mask_id", "result_id", "generated_id") if data.get(k)}
        return ids
