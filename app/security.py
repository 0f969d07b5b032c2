"""Browser-facing defences for `brushedit serve`, as one pure-ASGI middleware plus the token dependency.

Every request: the `Host` must be a loopback name or one of `api_hosts` (DNS rebinding); a
state-changing request (POST/PUT/PATCH/DELETE) that a browser marks as coming from another origin
(`Origin` not this host, or `Sec-Fetch-Site: cross-site`) is refused, so a cross-site form cannot act
on the user's behalf; API request bodies are cut at the upload limit (413, also without
Content-Length). Every response: `nosniff`, no framing, no referrer, and a Content-Security-Policy
whose `script-src` allows this server's files plus the sha256 of each inline script in the page
(Gradio's config script): injected inline handlers and scripts never run. Under the UI prefix it also
allows the UI's own head script (by hash) and 'unsafe-eval', which the image editor's canvas
library (pixi.js, shader compilation) needs; inline scripts and handlers stay blocked there too.
API routes (not the UI, which has Gradio's login) need `Authorization: Bearer <api_token>` when a
token is set, compared in constant time.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from engine.errors import BrushEditError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_INLINE = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)
_BASE_CSP = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; "
             "style-src 'self' 'unsafe-inline'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
             "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class AuthError(BrushEditError):
    """Missing or wrong bearer token (HTTP 401)."""


class ForbiddenError(BrushEditError):
    """A request the browser defences refuse: foreign Host, cross-site state change (HTTP 403/400)."""


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK or host.startswith("127.")


def _hostname(value: str) -> str:
    return (urlsplit("//" + value).hostname or "").lower()


def script_hash(source: bytes) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(source).digest()).decode()}'"


def csp(body: bytes, extra: tuple[str, ...] = ()) -> str:
    hashes = [script_hash(m) for m in _INLINE.findall(body)]
    return "script-src " + " ".join(["'self'", *extra, *hashes]) + "; " + _BASE_CSP


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app, settings, ui_prefix: str = "/ui", ui_scripts: tuple[str, ...] = ()):
        self.app, self.settings, self.ui_prefix, self.ui_scripts = app, settings, ui_prefix, ui_scripts
        self.hosts = {h.lower() for h in settings.api_hosts}
        self.body_limit = settings.api_max_upload_bytes * 4 // 3 + 64 * 1024  # base64 + multipart overhead

    def host_ok(self, host: str) -> bool:
        name = _hostname(host)
        return bool(name) and ("*" in self.hosts or is_loopback(name) or name in self.hosts)

    def refusal(self, scope) -> tuple[int, BrushEditError] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if not self.host_ok(host):
            return 400, ForbiddenError("This server does not answer to that Host name.",
                                       fix="Add the name to BRUSHEDIT_API_HOSTS (comma-separated) on the server.")
        if scope["method"] in UNSAFE:
            origin = headers.get("origin")
            cross = headers.get("sec-fetch-site") == "cross-site"
            if cross or (origin is not None and (origin == "null" or _hostport(origin) != host.lower())):
                return 403, ForbiddenError("Cross-site request refused.",
                                           fix="Call the API from the same origin, or from a script with the token.")
        size = headers.get("content-length")
        api = not scope["path"].startswith(self.ui_prefix)
        if api and size and size.isdigit() and int(size) > self.body_limit:
            return 413, _too_large(self.body_limit)
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refused = self.refusal(scope)
        if refused:
            return await _send_error(send, *refused)
        received = 0
        api = not scope["path"].startswith(self.ui_prefix)
        extra = () if api else self.ui_scripts

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if api and received > self.body_limit:
                raise _too_large(self.body_limit)
            return message

        start: dict = {}
        chunks: list[bytes] = []

        replaced = False

        async def secured_send(message):
            nonlocal replaced
            if api and received > self.body_limit:  # the app saw a cut body: answer 413, not its error
                if not replaced:
                    replaced = True
                    await _send_error(send, 413, _too_large(self.body_limit))
                return
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin")]
                message = {**message, "headers": headers}
                if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    start.update(message)  # hold the headers until the page is complete: its CSP hashes it
                    return
                message["headers"].append((b"content-security-policy", csp(b"", extra).encode()))
                return await send(message)
            if start and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                await send({**start, "headers": start["headers"] + [(b"content-security-policy", csp(body, extra).encode())]})
                return await send({"type": "http.response.body", "body": body})
            return await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except BrushEditError:
            if received <= self.body_limit:
                raise
            if not replaced:
                await _send_error(send, 413, _too_large(self.body_limit))


def _hostport(origin: str) -> str:
    parts = urlsplit(origin)
    return parts.netloc.lower()


def _too_large(limit: int) -> BrushEditError:
    from engine.errors import ImageTooLargeError

    return ImageTooLargeError(f"The request body is over {limit:,} bytes.",
                              fix="Send a smaller image, or raise BRUSHEDIT_API_MAX_UPLOAD_BYTES on the server.")


async def _send_error(send, status: int, exc: BrushEditError) -> None:
    body = json.dumps({"error": exc.message, "fix": exc.fix, "type": type(exc).__name__}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                            (b"content-security-policy", csp(b"").encode())]})
    await send({"type": "http.response.body", "body": body})


_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer $BRUSHEDIT_API_TOKEN` (when the server has a token)")


def require_token(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """FastAPI dependency: with `api_token` set, a matching bearer token (constant-time compare)."""
    token = request.app.state.brushedit.settings.api_token
    if not token:
        return
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise AuthError("Missing or wrong API token." if given else "This server needs an API token.",
                        fix="Send the header `Authorization: Bearer $BRUSHEDIT_API_TOKEN`.")
