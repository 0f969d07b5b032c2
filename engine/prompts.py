"""Prompt templates, loaded by name from the `prompts` package and rendered strictly.

`render("plan", instruction=..., ...)` renders `prompts/plan.jinja` with jinja2's StrictUndefined:
a variable the template uses but the caller did not give raises `PromptRenderError` naming it.
The sha256 of the rendered text is recorded with each plan, so evals know which prompt produced what.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

import prompts

from engine.errors import BrushEditError

PROMPTS_DIR = Path(prompts.__file__).resolve().parent  # the templates-only package
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PromptRenderError(BrushEditError):
    """A prompt template that is missing, malformed, or rendered without a variable it needs."""


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    sha256: str
    name: str


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def available() -> list[str]:
    """Names of the templates in prompts/ (without the .jinja suffix)."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.jinja"))


def render(name: str, **variables) -> RenderedPrompt:
    """Render prompts/<name>.jinja; every variable the template uses must be given."""
    if not _NAME.match(name):
        raise PromptRenderError(f"Bad prompt name {name!r}.",
                                fix="Use a bare name such as 'plan' (no path, no suffix).")
    try:
        template = _env().get_template(f"{name}.jinja")
        text = template.render(**variables).strip() + "\n"
    except jinja2.TemplateNotFound as exc:
        raise PromptRenderError(f"No prompt template '{name}' in {PROMPTS_DIR}.",
                                fix=f"Use one of: {', '.join(available())}.") from exc
    except jinja2.UndefinedError as exc:
        raise PromptRenderError(f"Prompt '{name}' needs a variable that was not given: {exc.message}.",
                                fix=f"Pass it to render('{name}', ...).") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise PromptRenderError(f"Prompt template '{name}' has a syntax error at line {exc.lineno}: {exc.message}.") \
            from exc
    return RenderedPrompt(text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), name=name)
