"""The real wire path: `transformers serve` (an OpenAI-compatible server process) on tiny local models."""
import json
import subprocess
import sys

import pytest
from PIL import Image

from engine.errors import PlanParseError
from engine.planners.openai_compat import OpenAIPlanner, chat_openai_from_settings
from engine.protocols import PlanRequest
from engine.settings import Settings
from tests.servers.transformers_serve import start_transformers_serve, stop
from tiny_vlms import save_answering_llava, save_tiny_vlm

PLAN = {"category": "addition", "target": "red ball", "caption": "a red ball on the table", "box": [16, 8, 32, 16],
        "reason": "a new object"}
MESSY = "Sure! Here is the plan:\n```json\n" + json.dumps(PLAN)[:-1] + ",}\n```"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    models = {"clean": save_answering_llava(root / "clean", json.dumps(PLAN)),
              "messy": save_answering_llava(root / "messy", MESSY),
              "random": save_tiny_vlm("llava", root / "random")}
    proc, base_url = start_transformers_serve(root / "serve.log")
    yield base_url, {k: str(v) for k, v in models.items()}
    stop(proc)


def _settings(base_url, model, tmp_path, **kw):
    return Settings.load(env={}, data_dir=tmp_path, planner="openai", openai_base_url=base_url, vlm_model=model,
                         vlm_max_image_side=64, vlm_max_new_tokens=16, http_timeout_s=60, **kw)


def test_valid_plan_in_one_request_from_a_real_server(served, tmp_path, photo):
    base_url, models = served
    result = OpenAIPlanner.from_settings(_settings(base_url, models["clean"], tmp_path)).plan(
        PlanRequest("add a red ball", photo))
    assert result.requests == 1 and result.plan.category == "addition"
    assert result.plan.box.as_tuple() == (32.0, 16.0, 64.0, 32.0)  # 64x48 shown -> 128x96 full


def test_image_part_is_processed_by_the_server(served, tmp_path, photo):
    base_url, models = served
    llm = chat_openai_from_settings(_settings(base_url, models["clean"], tmp_path))
    text = [{"type": "text", "text": "plan"}]
    image = [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + _png_b64(photo)}}]
    with_image = llm.invoke([{"role": "user", "content": image + text}]).usage_metadata["input_tokens"]
    without = llm.invoke([{"role": "user", "content": text}]).usage_metadata["input_tokens"]
    assert with_image - without >= 16  # the LLaVA processor expanded <image> into patch tokens


def test_malformed_answer_is_repaired_without_a_second_request(served, tmp_path, photo):
    base_url, models = served
    result = OpenAIPlanner.from_settings(_settings(base_url, models["messy"], tmp_path)).plan(
        PlanRequest("add a red ball", photo))
    assert result.requests == 1 and result.raw == MESSY and result.plan.target == "red ball"


def test_random_model_retries_then_typed_error(served, tmp_path, photo):
    base_url, models = served
    with pytest.raises(PlanParseError) as info:
        OpenAIPlanner.from_settings(_settings(base_url, models["random"], tmp_path, plan_retries=1)).plan(
            PlanRequest("remove the cup", photo))
    assert "2 request(s)" in str(info.value) and info.value.raw


def test_cli_plan_with_openai_planner_against_the_server(served, tmp_path, photo):
    base_url, models = served
    Image.fromarray(photo).save(tmp_path / "photo.png")
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "OPENAI_BASE_URL": base_url,
           "BRUSHEDIT_VLM_MODEL": models["clean"], "BRUSHEDIT_HOME": str(tmp_path / "home")}
    args = ["plan", "add a red ball", "--image", str(tmp_path / "photo.png"), "--planner", "openai", "--json"]
    out = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout.strip().splitlines()[-1])
    assert plan["category"] == "addition" and plan["box"] == {"x": 16.0, "y": 8.0, "w": 32.0, "h": 16.0}


def _png_b64(img) -> str:
    import base64
    import io

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()
