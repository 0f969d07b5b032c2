"""`brushedit serve`: one FastAPI app with the HTTP API (app/api.py), the Gradio UI at /ui (app/ui.py),
offline /docs and /redoc, and the defences of app/security.py around everything.

    create_app(settings, backends)   # the ASGI app (tests use it directly)
    serve(host, port, settings)      # refuses a non-loopback host without an api_token
"""
from __future__ import annotations

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from app.deps import AppState
from app.security import Guard, is_loopback
from engine.errors import BrushEditError
from engine.settings import Settings

UI_PATH = "/ui"


def _docs_app(**kw) -> FastAPI:
    """FastAPI with /docs and /redoc whose Swagger UI / ReDoc assets are served from the installed
    `fastapi-offline` package (no CDN: works offline)."""
    from fastapi_offline import FastAPIOffline

    return FastAPIOffline(**kw)


def create_app(settings: Settings | None = None, backends=None, *, ui: bool = True, workers: int = 1) -> FastAPI:
    from app import api, http_errors
    from app.jobs_pg import make_jobs
    from app.runtime import close_all
    from engine.backends import Backends

    settings = settings or Settings.load()
    backends = backends or Backends(settings)
    jobs = make_jobs(settings, backends, workers=workers)  # PostgreSQL store: jobs go to `brushedit worker`s

    @asynccontextmanager
    async def lifespan(_app):
        yield
        jobs.close()
        close_all()

    app = _docs_app(title="BrushEdit Agent", version="0.1.0", lifespan=lifespan,
                    description="Edit photos by instruction, with a version tree per session. "
                                "Errors are `{error, fix, type}`. Auth: `Authorization: Bearer $BRUSHEDIT_API_TOKEN` "
                                "when the server has a token.")
    app.state.brushedit = AppState(settings, backends, jobs)
    http_errors.install(app, settings)
    app.include_router(api.router)

    @app.get("/", include_in_schema=False)
    def index():
        return RedirectResponse(f"{UI_PATH}/", status_code=307)

    @app.get("/health", response_model=dict, summary="Liveness (no auth)")
    def health():
        return {"status": "ok"}

    scripts: tuple[str, ...] = ()
    if ui:
        from app.ui import mount_ui, ui_scripts

        mount_ui(app, settings, jobs, backends, UI_PATH)
        scripts = ui_scripts()
    app.add_middleware(Guard, settings=settings, ui_prefix=UI_PATH, ui_scripts=scripts)
    return app


def check_bind(host: str, settings: Settings) -> None:
    """A non-loopback bind needs a token, and the names clients use (Host allowlist)."""
    if is_loopback(host):
        return
    if not settings.api_token:
        raise BrushEditError(f"Refusing to serve on {host} without an API token: anyone on the network could "
                             "read and edit every session.",
                             fix="export BRUSHEDIT_API_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if host in ("0.0.0.0", "::") and not settings.api_hosts:
        raise BrushEditError(f"Serving on {host} needs the host names clients will use (DNS-rebinding defence).",
                             fix="export BRUSHEDIT_API_HOSTS=photos.example.org (comma-separated; '*' = any)")


def serve(host: str = "127.0.0.1", port: int = 8765, settings: Settings | None = None) -> None:
    import uvicorn

    settings = settings or Settings.load()
    check_bind(host, settings)
    if not is_loopback(host) and host not in ("0.0.0.0", "::") and host not in settings.api_hosts:
        settings = settings.model_copy(update={"api_hosts": [*settings.api_hosts, host]})
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=False, server_header=False)
