"""Every error of the HTTP API as JSON `{error, fix, type}` with a status that says what happened.

422 bad input (validation, unreadable image/mask/box), 413 over a size limit, 401 no/wrong token,
403 refused cross-site, 404 unknown session/version/attempt/job, 409 busy or waiting for review,
501 a model this server does not have. Messages never carry the server's paths.
"""
from __future__ import annotations

import logging
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from app.jobs import JobNotFoundError, error_dict
from app.security import AuthError, ForbiddenError
from engine import errors as E

log = logging.getLogger("brushedit.server")


class ErrorBody(BaseModel):
    error: str
    fix: str | None = None
    type: str


_STATUS: list[tuple[type, int]] = [
    (AuthError, 401), (ForbiddenError, 403), (E.ImageTooLargeError, 413),
    (E.SessionNotFoundError, 404), (JobNotFoundError, 404), (E.VersionNotFoundError, 404), (E.SessionBusyError, 409),
    (E.NothingToUndoError, 409), (E.ModelNotAvailableError, 501), (E.UnsupportedEditError, 501),
    (E.StoreIntegrityError, 422), (E.BadImageError, 422), (E.RecoverableToolError, 422),
    (E.EmptyInstructionError, 422), (E.InstructionTooLongError, 422), (E.NotUnderstoodError, 422),
]
_CONFLICT = ("waiting for review", "already exists", "no edit waiting", "being edited")


def status_for(exc: E.BrushEditError) -> int:
    for cls, code in _STATUS:
        if isinstance(exc, cls):
            return code
    return 409 if any(w in exc.message for w in _CONFLICT) else 400


def install(app: FastAPI, settings) -> None:
    @app.exception_handler(E.BrushEditError)
    async def _typed(_request: Request, exc: E.BrushEditError):
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
        return JSONResponse(error_dict(exc, settings.data_dir), status_for(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        return JSONResponse({"error": f"`{where}`: {first['msg']}{more}.",
                             "fix": "See the request schema at /docs.", "type": "ValidationError"}, 422)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException):
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):  # undecodable JSON / form
            return JSONResponse({"error": "The request body is not valid JSON (or form data).",
                                 "fix": "Send UTF-8 JSON as the schema at /docs says.", "type": "ValidationError"}, 422)
        kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        fix = "See the endpoints at /docs." if exc.status_code in (404, 405) else None
        return JSONResponse({"error": str(exc.detail), "fix": fix, "type": kind}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception):
        log.exception("internal error")
        return JSONResponse({"error": "Internal server error.", "fix": "See the server log.",
                             "type": "InternalError"}, 500)
