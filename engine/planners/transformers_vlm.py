"""Local VLMs (Qwen2-VL, Qwen2.5-VL, LLaVA, LLaVA-Next) as a langchain-core chat model, and the
single-call planner over it.

`TransformersVLM` loads lazily on first use, once per (model, device, dtype) in this process;
`bind_tools` describes the tools in the system turn and parses the model's `<tool_call>` / JSON
output into `AIMessage.tool_calls`, so the same model serves both planning modes.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence

import torch
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

from engine.errors import ModelNotAvailableError, PlannerBackendError
from engine.planners.tool_calls import parse_tool_calls
from engine.planners.vlm_loading import LoadedVLM, load_vlm
from engine.planners.vlm_messages import to_conversation, tool_names
from engine.planners.vlm_planner import VLMPlanner, planning_options
from engine.settings import Settings

_LOADED: dict[tuple[str, str, str], LoadedVLM] = {}
_LOCK = threading.Lock()


def loaded_vlm(model_path: str, device: str, dtype: str) -> LoadedVLM:
    """The model for (path, device, dtype), loaded on first call and cached for the process."""
    key = (model_path, device, dtype)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = load_vlm(model_path, device, dtype)
        return _LOADED[key]


class TransformersVLM(BaseChatModel):
    """Chat model over a local Qwen2-VL / Qwen2.5-VL / LLaVA / LLaVA-Next (hub id or dir)."""

    model_path: str
    device: str = "auto"
    dtype: str = "auto"
    max_new_tokens: int = 512

    @property
    def _llm_type(self) -> str:
        return "transformers-vlm"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "device": self.device, "dtype": self.dtype}

    def load(self) -> LoadedVLM:
        return loaded_vlm(self.model_path, self.device, self.dtype)

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any):
        """Tools (langchain tools, pydantic models, functions or OpenAI dicts) are described in the system turn
        (prompts/tools.jinja); `tool_choice` is accepted for API compatibility but a local model cannot be forced."""
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                  tools: list[dict] | None = None, **kwargs: Any) -> ChatResult:
        conversation, images = to_conversation(messages, tools)
        text = self.generate_text(conversation, images)
        for token in stop or ():
            text = text.split(token)[0]
        content, calls = parse_tool_calls(text, tool_names(tools)) if tools else (text, [])
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content, tool_calls=calls))])

    def generate_text(self, conversation: list[dict], images: list) -> str:
        """Greedy generation of the assistant's next turn, special tokens removed."""
        vlm = self.load()
        try:
            prompt = vlm.processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
        except ValueError as exc:
            raise ModelNotAvailableError(f"'{self.model_path}' has no usable chat template: {exc}.",
                                         fix="Use an instruction-tuned checkpoint that ships a chat template.") from exc
        inputs = vlm.processor(text=[prompt], images=images or None, return_tensors="pt")
        dtype = next(vlm.model.parameters()).dtype
        inputs = {k: (v.to(vlm.device, dtype) if v.is_floating_point() else v.to(vlm.device))
                  for k, v in inputs.items() if isinstance(v, torch.Tensor)}
        try:
            with torch.inference_mode():
                out = vlm.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        except (RuntimeError, ValueError, IndexError) as exc:
            raise PlannerBackendError(f"Generation with '{self.model_path}' failed: {exc}.",
                                      fix="Check the device/dtype settings and the model files.") from exc
        new_tokens = out[:, inputs["input_ids"].shape[1]:]
        return vlm.processor.batch_decode(new_tokens, skip_special_tokens=True)[0]


class TransformersPlanner(VLMPlanner):
    """Planner protocol over a local VLM, one generation per plan on the happy path."""

    @classmethod
    def from_settings(cls, settings: Settings) -> "TransformersPlanner":
        return cls(chat_model_from_settings(settings), name=f"transformers:{settings.vlm_model}",
                   **planning_options(settings))


def chat_model_from_settings(settings: Settings) -> TransformersVLM:
    return TransformersVLM(model_path=settings.vlm_model, device=settings.device, dtype=settings.dtype,
                           max_new_tokens=settings.vlm_max_new_tokens)
