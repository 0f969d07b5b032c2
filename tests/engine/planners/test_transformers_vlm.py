"""Local VLM backends on tiny random Qwen2-VL, Qwen2.5-VL, LLaVA and LLaVA-Next saved to disk."""
import json

import pytest
import torch
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool

from engine.backends import make_planner
from engine.errors import ModelNotAvailableError, PlanParseError
from engine.planners.transformers_vlm import TransformersPlanner, TransformersVLM, _LOADED
from engine.protocols import PlanRequest
from engine.settings import Settings
from tiny_vlms import save_tiny_vlm

KINDS = ["qwen2_vl", "qwen2_5_vl", "llava", "llava_next"]
CLASSES = {"qwen2_vl": "Qwen2VLForConditionalGeneration", "qwen2_5_vl": "Qwen2_5_VLForConditionalGeneration",
           "llava": "LlavaForConditionalGeneration", "llava_next": "LlavaNextForConditionalGeneration"}


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    return {kind: str(save_tiny_vlm(kind, tmp_path_factory.mktemp(kind))) for kind in KINDS}


def _settings(path, tmp_path, **kw):
    return Settings.load(env={}, data_dir=tmp_path, planner="transformers", vlm_model=path, device="cpu",
                         dtype="float32", vlm_max_new_tokens=16, plan_retries=1, vlm_max_image_side=64, **kw)


class GenerateSpy:
    """Wraps model.generate: records the inputs; returns `script` as the new tokens when given."""

    def __init__(self, model, tokenizer, script: str | None = None):
        self.model, self.tokenizer, self.script, self.calls = model, tokenizer, script, []
        self.real = model.generate

    def __call__(self, **inputs):
        self.calls.append(inputs)
        if self.script is None:
            return self.real(**inputs)
        ids = self.tokenizer(self.script, add_special_tokens=False, return_tensors="pt")["input_ids"]
        return torch.cat([inputs["input_ids"], ids], dim=1)

    def prompt(self, i=0) -> str:
        return self.tokenizer.decode(self.calls[i]["input_ids"][0])


def _spy(chat_model: TransformersVLM, monkeypatch, script=None) -> GenerateSpy:
    vlm = chat_model.load()
    spy = GenerateSpy(vlm.model, vlm.processor.tokenizer, script)
    monkeypatch.setattr(vlm.model, "generate", spy)
    return spy


@pytest.mark.parametrize("kind", KINDS)
def test_random_model_garbage_takes_retry_path_then_typed_error(kind, tiny_dirs, tmp_path, photo, monkeypatch):
    planner = make_planner(_settings(tiny_dirs[kind], tmp_path))
    assert isinstance(planner, TransformersPlanner)
    vlm = planner.chat_model.load()
    assert type(vlm.model).__name__ == CLASSES[kind] and vlm.model_type == kind
    spy = _spy(planner.chat_model, monkeypatch)
    with pytest.raises(PlanParseError) as info:
        planner.plan(PlanRequest("remove the cup", photo))
    assert len(spy.calls) == 2  # first answer + one re-ask (plan_retries=1)
    assert "pixel_values" in spy.calls[0]  # the image reached the vision tower
    assert "remove the cup" in spy.prompt(0) and "could not be used" in spy.prompt(1)  # re-asked with the error
    assert info.value.raw and info.value.raw in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_scripted_generation_gives_a_valid_plan_in_one_call(kind, tiny_dirs, tmp_path, photo, monkeypatch):
    planner = make_planner(_settings(tiny_dirs[kind], tmp_path))
    answer = json.dumps({"category": "addition", "target": "a red ball", "caption": "a red ball on the table",
                         "box": [16, 8, 32, 16], "reason": "a new object"})
    spy = _spy(planner.chat_model, monkeypatch, script=answer + "<|im_end|>")
    result = planner.plan(PlanRequest("add a red ball", photo))
    assert result.requests == 1 and len(spy.calls) == 1 and result.raw == answer
    assert result.plan.box.as_tuple() == (32.0, 16.0, 64.0, 32.0)  # 64x48 shown -> 128x96 full
    assert result.planner == f"transformers:{tiny_dirs[kind]}" and len(result.prompt_sha256) == 64


@tool
def segment(image_id: str, box: list[float]) -> str:
    """Segment the object inside box (x, y, w, h pixels) and return a mask id."""
    return "m1"


@pytest.mark.parametrize("kind,script", [
    ("qwen2_vl", '<tool_call>{"name": "segment", "arguments": {"image_id": "abc", "box": [1, 2, 3, 4]}}</tool_call>'),
    ("llava", '```json\n{"name": "segment", "arguments": "{\\"image_id\\": \\"abc\\", \\"box\\": [1, 2, 3, 4]}"}\n```'),
])
def test_bind_tools_renders_tools_and_parses_calls(kind, script, tiny_dirs, monkeypatch):
    llm = TransformersVLM(model_path=tiny_dirs[kind], device="cpu", dtype="float32", max_new_tokens=8)
    spy = _spy(llm, monkeypatch, script=script)
    ai = llm.bind_tools([segment]).invoke([SystemMessage("You edit images."), HumanMessage("segment abc")])
    assert [(c["name"], c["args"]) for c in ai.tool_calls] == [("segment", {"image_id": "abc", "box": [1, 2, 3, 4]})]
    assert ai.content == ""
    prompt = spy.prompt()
    assert "You edit images." in prompt and "- segment: Segment the object" in prompt and "<tool_call>" in prompt


def test_without_tools_text_stays_text(tiny_dirs, monkeypatch):
    llm = TransformersVLM(model_path=tiny_dirs["qwen2_vl"], device="cpu", dtype="float32")
    _spy(llm, monkeypatch, script='{"name": "segment", "arguments": {}}')
    ai = llm.invoke([HumanMessage("hi")])
    assert ai.tool_calls == [] and ai.content == '{"name": "segment", "arguments": {}}'


def test_loaded_once_per_model_and_not_at_construction(tiny_dirs, tmp_path):
    path = tiny_dirs["llava"]
    settings = _settings(path, tmp_path)
    key = (path, "cpu", "float32")
    _LOADED.pop(key, None)
    a, b = TransformersPlanner.from_settings(settings), TransformersPlanner.from_settings(settings)
    assert key not in _LOADED
    assert a.chat_model.load() is b.chat_model.load() is _LOADED[key]


def test_missing_or_unsupported_model_is_a_typed_error(tmp_path):
    with pytest.raises(ModelNotAvailableError, match="not-a-model"):
        TransformersVLM(model_path=str(tmp_path / "not-a-model"), device="cpu").load()
    from transformers import LlamaConfig

    config = LlamaConfig(vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=1)
    config.save_pretrained(tmp_path / "llama")
    with pytest.raises(ModelNotAvailableError, match="'llama' model.*qwen2_vl"):
        TransformersVLM(model_path=str(tmp_path / "llama"), device="cpu").load()
