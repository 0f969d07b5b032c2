"""HTTP API + a small web UI over the Session API (`brushedit serve`).

Every endpoint is a thin call into agent.session.Session; models are loaded once per server
(shared Backends). Errors come back as JSON {error, fix, type} with 400 (bad input), 404
(unknown session/version), 409 (an edit waiting for review) or 501 (model not available).
"""
from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from agent.session import Session
from engine.backends import Backends
from engine.errors import (BrushEditError, ModelNotAvailableError, SessionNotFoundError, UnsupportedEditError,
                           VersionNotFoundError)
from engine.settings import Settings

UI = Path(__file__).parent / "templates" / "index.html"


class EditBody(BaseModel):
    instruction: str
    box: tuple[float, float, float, float] | None = None
    mask_png_base64: str | None = None
    combine: Literal["override", "union", "subtract"] = "override"
    seed: int | None = None
    review: bool = False


class RejectBody(BaseModel):
    reason: str = ""


def _status(exc: BrushEditError) -> int:
    if isinstance(exc, (SessionNotFoundError, VersionNotFoundError)):
        return 404
    if isinstance(exc, (ModelNotAvailableError, UnsupportedEditError)):
        return 501
    return 409 if "waiting for review" in exc.message else 400


def create_app(settings: Settings | None = None, backends: Backends | None = None) -> FastAPI:
    settings = settings or Settings.load()
    backends = backends or Backends(settings)
    app = FastAPI(title="BrushEdit Agent", version="0.1.0")
    # One model run at a time: the backends are shared, and a CUDA-graph step replays fixed buffers.
    model_lock = threading.Lock()

    def session(name: str, interactive: bool = False) -> Session:
        return Session.open(name, settings, backends=backends, interactive=interactive)

    @app.exception_handler(BrushEditError)
    def _error(_request, exc: BrushEditError):
        return JSONResponse({"error": exc.message, "fix": exc.fix, "type": type(exc).__name__}, _status(exc))

    @app.get("/", response_class=HTMLResponse)
    def index():
        return UI.read_text(encoding="utf-8")

    @app.get("/sessions")
    def list_sessions():
        return {"sessions": Session.list_names(settings)}

    @app.post("/sessions")
    def create(name: str = Form(...), image: UploadFile = File(...)):
        from engine.images import load_image

        s = Session.new(name, load_image(image.file.read()), settings, backends=backends)
        return s.history_json()

    @app.get("/sessions/{name}")
    def history(name: str):
        return session(name).history_json()

    @app.post("/sessions/{name}/edit")
    def edit(name: str, body: EditBody):
        mask = None
        if body.mask_png_base64:
            from engine.images import load_mask

            h, w = session(name).image().shape[:2]
            mask = load_mask(base64.b64decode(body.mask_png_base64.split(",")[-1]), (w, h))
        with model_lock:
            out = session(name, body.review).edit(body.instruction, mask=mask, box=body.box, combine=body.combine,
                                                  seed=body.seed)
        return out.model_dump(mode="json")

    @app.post("/sessions/{name}/accept")
    def accept(name: str):
        with model_lock:
            return session(name).accept().model_dump(mode="json")

    @app.post("/sessions/{name}/reject")
    def reject(name: str, body: RejectBody):
        with model_lock:
            return session(name, interactive=True).reject(body.reason).model_dump(mode="json")

    @app.post("/sessions/{name}/{move}")
    def head_move(name: str, move: Literal["undo", "redo"]):
        return getattr(session(name), move)().model_dump(mode="json")

    @app.post("/sessions/{name}/checkout/{version}")
    def checkout(name: str, version: str):
        return session(name).checkout(version).model_dump(mode="json")

    @app.get("/sessions/{name}/images/{image_id}.png")
    def image(name: str, image_id: str):
        s = session(name)
        owned = {i for v in s.history() for i in (v.image_id, v.mask_id) if i}
        owned |= {i for i in (s.pending() or {}).values() if isinstance(i, str)}
        if image_id not in owned:
            raise VersionNotFoundError(f"Session '{name}' has no image {image_id[:16]!r}.")
        return Response(s.store.png_bytes(image_id), media_type="image/png")  # validated id, verified PNG

    return app


def serve(host: str = "127.0.0.1", port: int = 8765, settings: Settings | None = None) -> None:
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port)
