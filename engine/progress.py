"""Denoise-step progress from inside an inpainter to whoever runs the edit (the job runner's event stream).

A context variable, so no signature between the runner and the pipeline changes:

    with progress.listen(lambda k, n: print(f"step {k}/{n}")):
        session.edit(...)

and an inpainter calls `progress.step(k, n)` after each of its n denoise steps (k = 1..n).
Without a listener `step` does nothing. LangGraph runs nodes in a copy of the caller's context,
so the listener set around `Session.edit` reaches the inpaint node.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

_listener: ContextVar[Callable[[int, int], None] | None] = ContextVar("brushedit_progress", default=None)


@contextmanager
def listen(fn: Callable[[int, int], None]) -> Iterator[None]:
    token = _listener.set(fn)
    try:
        yield
    finally:
        _listener.reset(token)


def step(k: int, n: int) -> None:
    """Report that denoise step k of n is done."""
    fn = _listener.get()
    if fn is not None:
        fn(int(k), int(n))


def diffusers_callback(n: int):
    """A `callback_on_step_end` for diffusers pipelines that reports each step and changes nothing."""

    def on_step_end(pipe, i, t, kwargs):
        step(i + 1, n)
        return kwargs

    return on_step_end
