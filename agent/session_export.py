"""Session export: every version, the result waiting for review and every stored attempt.

Layout of OUT: head.png, <version>.png and <version>_mask.png, pending.png and pending_mask.png
(when an edit waits for review), attempts/<id>.png and attempts/<id>_mask.png, history.json
(versions, pending, attempts). Files are copied byte for byte from the image store.
"""
from __future__ import annotations

import json
from pathlib import Path


def _copy(session, image_id: str | None, path: Path) -> None:
    if image_id:
        path.write_bytes(session.store.path(image_id).read_bytes())


def export_session(session, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for v in session.history():
        _copy(session, v.image_id, out / f"{v.id}.png")
        _copy(session, v.mask_id, out / f"{v.id}_mask.png")
    _copy(session, session.head.image_id, out / "head.png")
    pending = session.pending()
    if pending:
        _copy(session, pending.get("result_id"), out / "pending.png")
        _copy(session, pending.get("mask_id"), out / "pending_mask.png")
    attempts = session.attempts()
    if attempts:
        (out / "attempts").mkdir(exist_ok=True)
    for a in attempts:
        _copy(session, a.result_id, out / "attempts" / f"{a.id}.png")
        _copy(session, a.mask_id, out / "attempts" / f"{a.id}_mask.png")
    (out / "history.json").write_text(json.dumps(history_json(session), indent=2))
    return out


def history_json(session) -> dict:
    head = session.head.id
    return {"session": session.name, "head": head, "pending": session.pending(),
            "versions": [{**v.model_dump(mode="json"), "is_head": v.id == head} for v in session.history()],
            "attempts": [a.model_dump(mode="json") for a in session.attempts()]}
