"""Turn a typed tool function `fn(inp: InputModel, ctx) -> ResultModel` into a langchain-core tool.

The model sees the input model's JSON schema and the function's docstring; the result goes back
as JSON. RecoverableToolError becomes a tool message the model can act on (handle_tool_error);
every other error stops the run (STYLE.md §6).
"""
from __future__ import annotations

from typing import Callable, TypeVar

from pydantic import BaseModel

from engine.errors import RecoverableToolError

I = TypeVar("I", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


def as_tool(fn: Callable[[I, object], R], input_model: type[I], ctx, name: str | None = None):
    from langchain_core.tools import StructuredTool, ToolException

    def _run(**kwargs) -> str:
        try:
            return fn(input_model(**kwargs), ctx).model_dump_json()
        except RecoverableToolError as exc:
            raise ToolException(f"{type(exc).__name__}: {exc}") from exc

    return StructuredTool.from_function(
        func=_run,
        name=name or fn.__name__,
        description=(fn.__doc__ or "").strip(),
        args_schema=input_model,
        handle_tool_error=True,
    )
