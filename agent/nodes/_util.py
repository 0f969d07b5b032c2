from __future__ import annotations

import time
from contextlib import contextmanager

from langgraph.runtime import Runtime

from agent.context import AgentContext


@contextmanager
def timed(timings: dict, key: str):
    t0 = time.perf_counter()
    yield
    timings[key] = timings.get(key, 0.0) + time.perf_counter() - t0


def emit(runtime: Runtime[AgentContext], kind: str, **data) -> None:
    runtime.context.on_event(kind, data)
