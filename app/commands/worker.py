"""`brushedit worker --store postgresql://… [--concurrency N]`: run queued edits on this machine's models.

The models are built once, before the first job (a missing one stops the worker with its fix).
`--backends module:factory` (or env BRUSHEDIT_BACKENDS) builds them with `factory(settings) ->
Backends` instead: a hook for tests and benchmarks that run workers on stand-in models.
"""
from __future__ import annotations

import importlib
import logging
import os
from typing import Annotated, Optional

import typer

from app.options import ConfigFile, DataDir, InpainterOpt, PlannerOpt, Profile, StoreOpt, load_settings
from engine.errors import BrushEditError

ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", min=1, help="Jobs run at once by this process "
                                             "(models shared; local model calls take turns).")]
BackendsOpt = Annotated[Optional[str], typer.Option("--backends", help="module:factory building the Backends "
                                                    "(tests/benchmarks; env BRUSHEDIT_BACKENDS).")]


def load_backends(settings, spec: str | None = None):
    """Backends(settings), or what `module:factory` returns for these settings."""
    from engine.backends import Backends

    spec = spec or os.environ.get("BRUSHEDIT_BACKENDS") or None
    if spec is None:
        return Backends(settings)
    module, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr or "backends")
    except (ImportError, AttributeError) as exc:
        raise BrushEditError(f"--backends {spec!r} does not name a factory ({exc}).",
                             fix="Use module:function, importable from the working directory or PYTHONPATH.") from exc
    return factory(settings)


def preload(backends, settings) -> list[str]:
    """Build every model the settings' profile uses now, so a worker is ready (or fails) before its first job."""
    kinds = ["planner", "detector", "segmenter", "inpainter"]
    if settings.planning_mode == "tool-calling":
        kinds.append("chat_model")
    return [f"{k}={getattr(getattr(backends, k), 'name', type(getattr(backends, k)).__name__)}" for k in kinds
            if getattr(backends, k) is not None]


def worker_command(store: StoreOpt = None, concurrency: ConcurrencyOpt = 1,
                   name: Annotated[Optional[str], typer.Option("--name", help="Worker name (default host:pid).")] = None,
                   stalled_after: Annotated[float, typer.Option("--stalled-after", min=1.0, help=(
                       "Seconds without a heartbeat after which a worker's job goes to another worker."))] = 30.0,
                   backends: BackendsOpt = None, data_dir: DataDir = None, config: ConfigFile = None,
                   profile: Profile = None, planner: PlannerOpt = None, inpainter: InpainterOpt = None):
    """Run edit/accept/reject jobs queued in the PostgreSQL store (models loaded once)."""
    settings = load_settings(data_dir, config, profile, planner, inpainter=inpainter, store=store)
    if not settings.uses_postgres:
        raise BrushEditError("`brushedit worker` needs a PostgreSQL store (with SQLite, edits run inside "
                             "`brushedit serve`).", fix="Pass --store postgresql://user@host/db or set BRUSHEDIT_STORE.")
    try:
        from app.worker import run_worker
    except ImportError as exc:
        raise BrushEditError(f"`brushedit worker` needs {exc.name}.", fix="pip install -e '.[postgres]'") from exc
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    models = load_backends(settings, backends)
    typer.echo(f"worker ready: {', '.join(preload(models, settings))}; concurrency {concurrency}", err=True)
    run_worker(settings, models, concurrency=concurrency, name=name, heartbeat_s=min(10.0, stalled_after / 3),
               stalled_after_s=stalled_after)
