"""HTTP API over the Session API, through FastAPI's test client (no network)."""
import base64
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.server import create_app
from engine.backends import Backends
from engine.settings import Settings
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner


@pytest.fixture
def client(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path)
    backends = Backends(settings, planner=ScriptedPlanner({"category": "remove", "target": "spoon",
                                                           "caption": "saucer"}))
    return TestClient(create_app(settings, backends))


def _create(client, name="web"):
    r = client.post("/sessions", data={"name": name}, files={"image": ("c.png", PHOTO.read_bytes(), "image/png")})
    assert r.status_code == 200, r.text
    return r.json()


def test_edit_undo_redo_checkout_and_images(client):
    assert _create(client)["head"] == "v0"
    r = client.post("/sessions/web/edit", json={"instruction": "remove the spoon", "box": list(SPOON_BOX)})
    assert r.status_code == 200 and r.json()["version"]["id"] == "v1"
    assert client.post("/sessions/web/undo").json()["id"] == "v0"
    assert client.post("/sessions/web/redo").json()["id"] == "v1"
    assert client.post("/sessions/web/checkout/v0").json()["id"] == "v0"
    hist = client.get("/sessions/web").json()
    assert hist["head"] == "v0" and [v["id"] for v in hist["versions"]] == ["v0", "v1"]
    png = client.get(f"/sessions/web/images/{hist['versions'][1]['image_id']}.png")
    assert png.status_code == 200 and Image.open(io.BytesIO(png.content)).size == (600, 400)
    assert client.get("/").text.startswith("<!doctype html>")
    assert client.get("/sessions").json() == {"sessions": ["web"]}


def test_mask_upload_review_flow(client):
    _create(client)
    mask = np.zeros((400, 600), np.uint8)
    mask[100:200, 100:200] = 255
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, format="PNG")
    body = {"instruction": "remove it", "review": True,
            "mask_png_base64": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()}
    out = client.post("/sessions/web/edit", json=body).json()
    assert out["status"] == "pending"
    assert client.post("/sessions/web/undo").status_code == 409
    assert client.get(f"/sessions/web/images/{out['result_id']}.png").status_code == 200
    done = client.post("/sessions/web/accept").json()
    assert done["status"] == "committed" and done["version"]["parent"] == "v0"


def test_errors_are_json_with_status(client):
    assert client.get("/sessions/nope").status_code == 404
    _create(client)
    r = client.post("/sessions/web/edit", json={"instruction": " "})
    assert r.status_code == 400 and r.json()["type"] == "EmptyInstructionError"
    r = client.post("/sessions/web/checkout/v9")
    assert r.status_code == 404 and "v0" in r.json()["fix"]
    assert client.get("/sessions/web/images/" + "0" * 64 + ".png").status_code == 404
    assert client.get("/sessions/web/images/..%2f..%2fetc.png").status_code in (400, 404)
    r = client.post("/sessions", data={"name": "bad"}, files={"image": ("x.png", b"nope", "image/png")})
    assert r.status_code == 400 and r.json()["type"] == "BadImageError"
