"""Property-based tests of the live HTTP API from its own OpenAPI spec (the schemathesis CLI against a
running server, bounded budget): no 5xx, and status codes, content types and bodies as the spec says."""
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import LiveServer, free_port
from helpers import PHOTO, ScriptedPlanner


@pytest.mark.slow
def test_api_matches_its_spec(tmp_path):
    from app.serve import create_app
    from engine.backends import Backends
    from engine.settings import Settings

    s = Settings.load(env={}, data_dir=tmp_path / "data")
    planner = ScriptedPlanner({"category": "remove", "target": "spoon", "caption": "saucer"})
    with LiveServer(create_app(s, Backends(s, planner=planner), ui=False), free_port()) as srv:
        httpx.post(f"{srv.url}/sessions", data={"name": "s"}, files={"image": ("c.png", PHOTO.read_bytes())})
        cli = Path(sys.executable).with_name("schemathesis")
        r = subprocess.run(
            [str(cli), "run", f"{srv.url}/openapi.json", "--max-examples", "20", "--seed", "1",
             "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
             "response_schema_conformance", "--request-timeout", "30", "--generation-database", "none",
             "--phases", "examples,coverage,fuzzing"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
