import json

import numpy as np
import pytest

from engine.settings import Settings
from planner_fixtures import PLAN
from tests.servers.scripted_openai import ScriptedServer


@pytest.fixture(scope="session")
def scripted_server():
    server = ScriptedServer([{"content": json.dumps(PLAN)}]).start()
    yield server
    server.stop()


@pytest.fixture
def server(scripted_server):
    """The session's scripted server with an empty record; call server.set_script([...]) to script it."""
    scripted_server.set_script([{"content": json.dumps(PLAN)}])
    return scripted_server


@pytest.fixture
def openai_settings(server, tmp_path):
    return Settings.load(env={}, data_dir=tmp_path / "home", planner="openai", openai_base_url=server.base_url,
                         vlm_model="scripted-vlm", http_retries=2, http_timeout_s=5.0, vlm_max_image_side=64)


@pytest.fixture
def photo():
    """A 96x128 image (W=128, H=96) with a bright square."""
    img = np.full((96, 128, 3), 40, np.uint8)
    img[30:60, 50:90] = (220, 60, 60)
    return img
