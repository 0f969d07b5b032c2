"""The langchain-core chat model for settings: what the tool-calling mode and the VLM verifier use.

planner=openai -> ChatOpenAI (typed errors) against settings.openai_base_url;
planner=transformers -> TransformersVLM over settings.vlm_model. Heavy imports happen only here,
for the chosen backend.
"""
from __future__ import annotations

from engine.errors import ModelNotAvailableError
from engine.settings import Settings


def make_chat_model(settings: Settings):
    """A BaseChatModel for `settings.backend('planner')`; the rules planner has none."""
    kind = settings.backend("planner")
    if kind == "openai":
        from engine.planners.openai_compat import chat_openai_from_settings

        return chat_openai_from_settings(settings)
    if kind == "transformers":
        from engine.planners.transformers_vlm import chat_model_from_settings

        return chat_model_from_settings(settings)
    raise ModelNotAvailableError(
        f"The '{kind}' planner has no chat model, which tool-calling mode and VLM verification need.",
        fix="Use --planner openai (with OPENAI_BASE_URL) or --planner transformers, "
            "or --mode single-call / --verify detector.")
