"""The HTTP API: one router, every endpoint a thin call into the Session API or the job runner.

Edits, accepts, rejects and picks are jobs (202 + JobInfo): follow them with GET /jobs/{id}
(`?wait_s=` long-polls) or GET /jobs/{id}/events (server-sent events). Head moves and reads are
synchronous. With `api_token` set every route here needs `Authorization: Bearer <token>`.
"""
from __future__ import annotations

import asyncio
import io
import json
import tempfile
import time
import zipfile
from pathlib import Path as FsPath

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from agent.versions import AttemptRecord, Version
from app.deps import AppState, edit_payload, get_state, open_session
from app.http_errors import ErrorBody
from app.jobs import JobEvent, JobInfo
from app.schemas import NAME, AttemptId, EditBody, History, ImageId, JobId, Name, Ref, RejectBody, SessionList, VersionId
from app.security import require_token
from app.uploads import b64_bytes, decode_image, decode_mask
from engine.errors import VersionNotFoundError
from engine.images import to_png_bytes

_ERRORS = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 422)}
router = APIRouter(dependencies=[Depends(require_token)], responses=_ERRORS)
PNG = {200: {"content": {"image/png": {}}, "description": "PNG image"}}
TERMINAL = ("done", "failed")


# --- sessions -----------------------------------------------------------------------------------
@router.get("/sessions", response_model=SessionList, summary="List sessions")
def list_sessions(state: AppState = Depends(get_state)):
    from agent.session import Session

    return {"sessions": Session.list_names(state.settings)}


@router.post("/sessions", response_model=History, status_code=201, summary="Create a session from a photo (v0)")
async def create_session(name: str = Form(pattern=NAME), image: UploadFile = File(description="PNG/JPEG/WebP/..."),
                         state: AppState = Depends(get_state)):
    from agent.session import Session

    data = await image.read(state.settings.api_max_upload_bytes + 1)
    if len(data) > state.settings.api_max_upload_bytes:
        from engine.errors import ImageTooLargeError

        raise ImageTooLargeError(f"The upload is over {state.settings.api_max_upload_bytes:,} bytes.",
                                 fix="Send a smaller file, or raise BRUSHEDIT_API_MAX_UPLOAD_BYTES on the server.")
    array = decode_image(data, state.settings.image_limits)
    return Session.new(name, array, state.settings, backends=state.backends).history_json()


@router.get("/sessions/{name}", response_model=History, summary="Versions, head and the pending review")
def history(name: Name, state: AppState = Depends(get_state)):
    return open_session(state, name).history_json()


@router.delete("/sessions/{name}", status_code=204, summary="Delete a session (its versions and attempts)")
def delete_session(name: Name, state: AppState = Depends(get_state)):
    open_session(state, name).delete()
    return Response(status_code=204)


# --- edits as jobs --------------------------------------------------------------------------------
@router.post("/sessions/{name}/edits", response_model=JobInfo, status_code=202, summary="Start an edit (a job)")
def start_edit(name: Name, body: EditBody, state: AppState = Depends(get_state)):
    s = open_session(state, name)
    mask = None
    if body.mask_png_base64:
        w, h = s.head.source_size or s.image().shape[1::-1]
        raw = b64_bytes(body.mask_png_base64, state.settings.api_max_upload_bytes)
        mask = decode_mask(raw, (w, h), state.settings.image_limits)
    payload = edit_payload(state, s, body, mask)
    return state.jobs.submit("edit", name, payload)


@router.post("/sessions/{name}/accept", response_model=JobInfo, status_code=202, summary="Accept the pending edit")
def accept(name: Name, state: AppState = Depends(get_state)):
    open_session(state, name)
    return state.jobs.submit("accept", name, {})


@router.post("/sessions/{name}/reject", response_model=JobInfo, status_code=202,
             summary="Reject the pending edit; the agent re-plans with the reason")
def reject(name: Name, body: RejectBody, state: AppState = Depends(get_state)):
    open_session(state, name)
    return state.jobs.submit("reject", name, {"reason": body.reason})


@router.get("/sessions/{name}/attempts", response_model=list[AttemptRecord],
            summary="Every attempt and candidate of the session's edits, oldest first")
def attempts(name: Name, state: AppState = Depends(get_state)):
    return open_session(state, name).attempts()


@router.post("/sessions/{name}/attempts/{attempt_id}/pick", response_model=JobInfo, status_code=202,
             summary="Commit an attempt as a new version (a job)")
def pick(name: Name, attempt_id: AttemptId, state: AppState = Depends(get_state)):
    open_session(state, name)
    return state.jobs.submit("pick", name, {"attempt_id": attempt_id})


# --- head moves -------------------------------------------------------------------------------------
@router.post("/sessions/{name}/undo", response_model=Version, summary="Head to its parent")
def undo(name: Name, state: AppState = Depends(get_state)):
    return open_session(state, name).undo()


@router.post("/sessions/{name}/redo", response_model=Version, summary="Head forward again after an undo")
def redo(name: Name, state: AppState = Depends(get_state)):
    return open_session(state, name).redo()


@router.post("/sessions/{name}/checkout/{version}", response_model=Version,
             summary="Head to any version (the next edit branches from it)")
def checkout(name: Name, version: VersionId, state: AppState = Depends(get_state)):
    return open_session(state, name).checkout(version)


# --- images, export, report -------------------------------------------------------------------------
@router.get("/sessions/{name}/show/{ref}", response_class=Response, responses=PNG,
            summary="A version, the pending result or an attempt as PNG")
def show(name: Name, ref: Ref, state: AppState = Depends(get_state)):
    return Response(to_png_bytes(open_session(state, name).show(ref)), media_type="image/png")


@router.get("/sessions/{name}/images/{image_id}.png", response_class=Response, responses=PNG,
            summary="A stored image or mask that this session references")
def image(name: Name, image_id: ImageId, state: AppState = Depends(get_state)):
    s = open_session(state, name)
    owned = {i for v in s.history() for i in (v.image_id, v.mask_id) if i}
    owned |= {i for i in (s.pending() or {}).values() if isinstance(i, str)}
    owned |= {i for a in s.attempts() for i in (a.result_id, a.mask_id) if i}
    if image_id not in owned:
        raise VersionNotFoundError(f"Session '{name}' has no image {image_id[:12]}….",
                                   fix="Use an image_id or mask_id from GET /sessions/{name}.")
    return Response(s.store.png_bytes(image_id), media_type="image/png")  # a validated id, a verified PNG


def _export(s, out: FsPath) -> FsPath:
    from app.report import write_report

    s.export(out)
    write_report(s, out)
    return out


@router.get("/sessions/{name}/export.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "zip of the export"}},
            summary="Every version, mask, history.json and report.html as a zip")
def export_zip(name: Name, state: AppState = Depends(get_state)):
    s = open_session(state, name)
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for f in sorted(_export(s, FsPath(tmp)).iterdir()):
            z.write(f, f"{name}/{f.name}")
    return Response(buf.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})


@router.get("/sessions/{name}/report", response_class=Response,
            responses={200: {"content": {"text/html": {}}, "description": "the report page"}},
            summary="The session report (HTML, self-contained)")
def report(name: Name, state: AppState = Depends(get_state)):
    import base64
    import re

    s = open_session(state, name)
    with tempfile.TemporaryDirectory() as tmp:
        out = _export(s, FsPath(tmp))
        page = (out / "report.html").read_text(encoding="utf-8")

        def inline(m: re.Match) -> str:
            f = out / m.group(1)
            return f'src="data:image/png;base64,{base64.b64encode(f.read_bytes()).decode()}"' if f.is_file() else m[0]

        return HTMLResponse(re.sub(r'src="([A-Za-z0-9_.-]+\.png)"', inline, page))


# --- jobs ------------------------------------------------------------------------------------------
@router.get("/jobs/{job_id}", response_model=JobInfo, summary="A job's status and result")
async def job(job_id: JobId, wait_s: float = Query(0.0, ge=0, le=60, description="wait this long for it to end"),
              state: AppState = Depends(get_state)):
    deadline = time.monotonic() + wait_s
    info = state.jobs.get(job_id)
    seen = 0
    while info.status not in TERMINAL and time.monotonic() < deadline:
        new = await asyncio.to_thread(state.jobs.events, job_id, seen, min(1.0, deadline - time.monotonic()))
        seen += len(new)
        info = state.jobs.get(job_id)
    return info


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "server-sent events: `id: seq`, `event: kind`, `data: JobEvent`; "
                                            "ends after `done` or `error`"}},
            summary="The job's events, in order, as server-sent events")
async def job_events(job_id: JobId, request: Request, state: AppState = Depends(get_state),
                     last_event_id: int = Header(0, ge=0, alias="Last-Event-ID")):
    state.jobs.get(job_id)

    async def stream():
        seen = last_event_id
        while not await request.is_disconnected():
            batch: list[JobEvent] = await asyncio.to_thread(state.jobs.events, job_id, seen, 10.0)
            if not batch:
                yield ": keep-alive\n\n"
                continue
            for ev in batch:
                seen = ev.seq
                yield f"id: {ev.seq}\nevent: {ev.kind}\ndata: {json.dumps(ev.model_dump(mode='json'))}\n\n"
                if ev.kind in ("done", "error"):
                    return

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
