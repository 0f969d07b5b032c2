"""ONE compiled graph + checkpointer per process, shared by every session and job (thread-safe).

`Session(..., graph=shared_graph(settings))` reuses it; `close_all()` closes the checkpoint
connections at server shutdown. Keyed by what the graph is built from, so a process serving one
data dir builds it exactly once.
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_graphs: dict[tuple, tuple] = {}


def _key(settings) -> tuple:
    return (str(settings.data_dir), settings.store, settings.planning_mode, settings.retry_budget,
            settings.budget_exhausted)


def shared_graph(settings):
    key = _key(settings)
    with _lock:
        if key not in _graphs:
            from agent.session import Session

            _graphs[key] = Session.make_graph(settings)
        return _graphs[key][0]


def built() -> int:
    """How many graphs this process has built (a test checks it stays 1)."""
    return len(_graphs)


def close_all() -> None:
    with _lock:
        for _graph, conn in _graphs.values():
            if conn is not None:  # None: a PostgreSQL checkpointer (its pool is shared)
                conn.close()
        _graphs.clear()
