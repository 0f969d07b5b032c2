"""Planning over any OpenAI-compatible chat-completions server (vLLM, Ollama, LM Studio,
llama.cpp server, `transformers serve`, OpenAI).

Configured by settings.openai_base_url / OPENAI_BASE_URL, openai_api_key / OPENAI_API_KEY and
settings.vlm_model / BRUSHEDIT_VLM_MODEL. Timeouts, connection errors, HTTP 408/409/429/5xx are
retried `http_retries` times by the openai client with exponential backoff (honouring
Retry-After); other 4xx are not retried. What still fails becomes `PlannerBackendError` naming the
endpoint and the HTTP status.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import openai
from langchain_openai import ChatOpenAI

from engine.errors import PlannerBackendError
from engine.planners.vlm_planner import VLMPlanner, planning_options
from engine.settings import Settings

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "not-needed"  # local servers accept any key; the client refuses none


@contextmanager
def backend_errors(endpoint: str, model: str):
    """Re-raise the openai client's errors as PlannerBackendError naming endpoint and status."""
    try:
        yield
    except openai.APITimeoutError as exc:
        raise PlannerBackendError(f"The OpenAI-compatible endpoint {endpoint} timed out (model '{model}').",
                                  fix="Check the server is up, or raise http_timeout_s / http_retries.") from exc
    except openai.APIConnectionError as exc:
        raise PlannerBackendError(f"Cannot connect to the OpenAI-compatible endpoint {endpoint}: {exc}.",
                                  fix="Start the server or fix OPENAI_BASE_URL / openai_base_url.") from exc
    except openai.APIStatusError as exc:
        fix = {401: "Set OPENAI_API_KEY / openai_api_key.", 404: "Check BRUSHEDIT_VLM_MODEL and the base URL.",
               429: "The server is rate limiting: wait, or raise http_retries."}.get(
            exc.status_code, "See the server's log.")
        raise PlannerBackendError(
            f"The OpenAI-compatible endpoint {endpoint} answered HTTP {exc.status_code} for model '{model}': "
            f"{_short(exc)}", fix=fix) from exc


def _short(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, (str, dict)) else exc.message
    text = str(body.get("message", body) if isinstance(body, dict) else body)
    return text[:300]


class ChatOpenAICompat(ChatOpenAI):
    """ChatOpenAI whose failures are typed BrushEdit errors (also inside bind_tools loops)."""

    def _endpoint(self) -> str:
        return self.openai_api_base or DEFAULT_BASE_URL

    def _generate(self, *args: Any, **kwargs: Any):
        with backend_errors(self._endpoint(), self.model_name):
            return super()._generate(*args, **kwargs)

    async def _agenerate(self, *args: Any, **kwargs: Any):
        with backend_errors(self._endpoint(), self.model_name):
            return await super()._agenerate(*args, **kwargs)


def chat_openai_from_settings(settings: Settings, **overrides: Any) -> ChatOpenAICompat:
    """The chat model for settings (also used by the tool-calling mode and the verifier)."""
    params: dict[str, Any] = dict(
        model=settings.vlm_model,
        base_url=settings.openai_base_url or DEFAULT_BASE_URL,
        api_key=settings.openai_api_key or PLACEHOLDER_KEY,
        timeout=settings.http_timeout_s,
        max_retries=settings.http_retries,
        max_tokens=settings.vlm_max_new_tokens,
        temperature=0.0,
    )
    params.update(overrides)
    return ChatOpenAICompat(**params)


class OpenAIPlanner(VLMPlanner):
    """Planner protocol over an OpenAI-compatible server, one request per plan on the happy path."""

    @classmethod
    def from_settings(cls, settings: Settings) -> "OpenAIPlanner":
        return cls(chat_openai_from_settings(settings), name=f"openai:{settings.vlm_model}",
                   **planning_options(settings))
