"""HTTP API through FastAPI's test client (in-process, fast): jobs, errors, limits, defences."""
import base64
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app import runtime
from app.serve import create_app
from engine.backends import Backends
from engine.settings import Settings
from helpers import PHOTO, SPOON_BOX, ScriptedPlanner, stepping_inpainter

SPOON = {"category": "remove", "target": "spoon", "caption": "saucer"}


def make_client(tmp_path, inpainter=None, **settings):
    s = Settings.load(env={}, data_dir=tmp_path, **settings)
    given = {"planner": ScriptedPlanner(SPOON)}
    if inpainter:
        given["inpainter"] = inpainter
    return TestClient(create_app(s, Backends(s, **given), ui=False), base_url="http://127.0.0.1:8765")


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path, stepping_inpainter()) as c:
        yield c


def png(array) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def create(client, name="web", data=None):
    r = client.post("/sessions", data={"name": name}, files={"image": ("c.png", data or PHOTO.read_bytes(), "image/png")})
    assert r.status_code == 201, r.text
    return r.json()


def run(client, name, body, expect="done"):
    r = client.post(f"/sessions/{name}/edits", json=body)
    assert r.status_code == 202, r.text
    job = client.get(f"/jobs/{r.json()['id']}", params={"wait_s": 30}).json()
    assert job["status"] == expect, job
    return job


def test_edit_job_undo_redo_checkout_images(client):
    assert create(client)["head"] == "v0"
    job = run(client, "web", {"instruction": "remove the spoon", "box": list(SPOON_BOX)})
    assert job["result"]["status"] == "committed" and job["result"]["version"]["id"] == "v1"
    assert client.post("/sessions/web/undo").json()["id"] == "v0"
    assert client.post("/sessions/web/redo").json()["id"] == "v1"
    assert client.post("/sessions/web/checkout/v0").json()["id"] == "v0"
    hist = client.get("/sessions/web").json()
    assert hist["head"] == "v0" and [v["id"] for v in hist["versions"]] == ["v0", "v1"]
    r = client.get(f"/sessions/web/images/{hist['versions'][1]['image_id']}.png")
    assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (600, 400)
    assert Image.open(io.BytesIO(client.get("/sessions/web/show/v1").content)).size == (600, 400)
    assert client.get("/sessions").json() == {"sessions": ["web"]}
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"


def test_events_arrive_in_order_with_denoise_steps(client):
    create(client)
    r = client.post("/sessions/web/edits", json={"instruction": "remove the spoon", "box": list(SPOON_BOX)})
    with client.stream("GET", f"/jobs/{r.json()['id']}/events") as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [line.split(": ", 1)[1] for line in resp.iter_lines() if line.startswith("event: ")]
    assert events[0] == "queued" and events[-1] == "done"
    for kind in ("plan", "mask", "step", "commit"):
        assert kind in events
    assert events.index("plan") < events.index("mask") < events.index("step") < events.index("commit")
    assert events.count("step") == 4
    # resuming after an id replays only what came later
    with client.stream("GET", f"/jobs/{r.json()['id']}/events", headers={"Last-Event-ID": str(len(events) - 1)}) as resp:
        assert [line for line in resp.iter_lines() if line.startswith("event: ")] == ["event: done"]


def test_second_edit_on_a_busy_session_is_409_and_nothing_is_lost(tmp_path):
    with make_client(tmp_path, stepping_inpainter(n=10, delay=0.1)) as c:
        create(c)
        body = {"instruction": "remove the spoon", "box": list(SPOON_BOX)}
        first = c.post("/sessions/web/edits", json=body)
        second = c.post("/sessions/web/edits", json=body)
        assert first.status_code == 202 and second.status_code == 409
        assert second.json()["type"] == "SessionBusyError" and "busy" in second.json()["error"]
        c.get(f"/jobs/{first.json()['id']}", params={"wait_s": 30})
        run(c, "web", body)  # free again as soon as the first is done
        assert [v["parent"] for v in c.get("/sessions/web").json()["versions"]] == [None, "v0", "v1"]


def test_review_reject_attempts_pick_delete_export_report(client):
    create(client)
    job = run(client, "web", {"instruction": "remove the spoon", "box": list(SPOON_BOX), "review": True})
    assert job["result"]["status"] == "pending"
    assert client.post("/sessions/web/undo").status_code == 409
    assert client.get("/sessions/web/show/pending").status_code == 200
    r = client.post("/sessions/web/reject", json={"reason": "the patch looks smeared"})
    assert r.status_code == 202
    after = client.get(f"/jobs/{r.json()['id']}", params={"wait_s": 30}).json()
    assert after["status"] == "done", after
    attempts = client.get("/sessions/web/attempts").json()
    assert len(attempts) >= 2 and all(a["id"].startswith("a") for a in attempts)
    if after["result"]["status"] == "pending":
        client.get(f"/jobs/{client.post('/sessions/web/accept').json()['id']}", params={"wait_s": 30})
    first = attempts[0]["id"]
    assert client.get(f"/sessions/web/show/{first}").status_code == 200
    pick = client.post(f"/sessions/web/attempts/{first}/pick")
    picked = client.get(f"/jobs/{pick.json()['id']}", params={"wait_s": 30}).json()
    assert picked["status"] == "done" and picked["result"]["version"]["parent"] == "v0"
    z = client.get("/sessions/web/export.zip")
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert "web/report.html" in names and "web/head.png" in names
    report = client.get("/sessions/web/report")
    assert report.headers["content-type"].startswith("text/html") and "data:image/png;base64," in report.text
    assert client.delete("/sessions/web").status_code == 204
    assert client.get("/sessions/web").status_code == 404


def test_errors_are_typed_json_without_server_paths(client, tmp_path):
    r = client.get("/sessions/nope")
    assert r.status_code == 404 and str(tmp_path) not in r.text and set(r.json()) == {"error", "fix", "type"}
    create(client)
    cases = [
        ({"instruction": " "}, "EmptyInstructionError"),
        ({"instruction": "x" * 2001}, "InstructionTooLongError"),
        ({"instruction": "remove it", "seed": 2**70}, "ValidationError"),
        ({"instruction": "remove it", "seed": -1}, "ValidationError"),
        ({"instruction": "remove it", "box": [1, 2, 3]}, "ValidationError"),
        ({"instruction": "remove it", "box": [0, 0, -5, 10]}, "BadBoxError"),
        ({"instruction": "remove it", "mask_png_base64": "%%%not base64%%%"}, "BadMaskError"),
        ({"instruction": "remove it", "mask_png_base64": base64.b64encode(b"hello").decode()}, "BadImageError"),
        ({"instruction": "remove it", "mask_png_base64": base64.b64encode(png(np.zeros((10, 10), np.uint8))).decode()},
         "BadMaskError"),
        ({"instruction": "remove it", "mask_png_base64": base64.b64encode(png(np.zeros((400, 600), np.uint8))).decode()},
         "BadMaskError"),
        ({"instruction": "remove it", "candidates": 99}, "ValidationError"),
        ({"instruction": "remove it", "bogus": 1}, "ValidationError"),
    ]
    for body, kind in cases:
        r = client.post("/sessions/web/edits", json=body)
        assert r.status_code == 422 and r.json()["type"] == kind, (body.keys(), r.text)
    r = client.post("/sessions/web/edits", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["type"] == "ValidationError"
    assert client.get("/sessions/web").json()["head"] == "v0"  # nothing was run or committed


def test_path_parameters_are_validated(client):
    create(client)
    bad = ["/sessions/..%2f..%2fetc", "/sessions/%3Cimg%3E", "/sessions/web/checkout/..%2fv0",
           "/sessions/web/checkout/head", "/sessions/web/images/" + "0" * 63 + ".png",
           "/sessions/web/images/..%2f..%2fetc%2fpasswd.png", "/sessions/web/show/..%2fv0",
           "/sessions/web/attempts/..%2fa1/pick", "/jobs/..%2f..", "/sessions/web/images/" + "G" * 64 + ".png"]
    for path in bad:
        method = client.post if "checkout" in path or "pick" in path else client.get
        r = method(path)
        assert r.status_code in (404, 422) and "type" in r.json(), (path, r.status_code, r.text)
    assert client.get("/sessions/web/images/" + "0" * 64 + ".png").status_code == 404  # valid id, not this session's


def test_uploads_limits_and_sniffing(tmp_path):
    with make_client(tmp_path, max_image_pixels=100_000, api_max_upload_bytes=200_000) as c:
        r = c.post("/sessions", data={"name": "txt"}, files={"image": ("x.png", b"just text, not a PNG", "image/png")})
        assert r.status_code == 422 and r.json()["type"] == "BadImageError"
        r = c.post("/sessions", data={"name": "big"}, files={"image": ("c.png", PHOTO.read_bytes(), "image/png")})
        assert r.status_code == 413 and r.json()["type"] == "ImageTooLargeError"  # 456 KB > 200 KB
        small = png(np.zeros((400, 600, 3), np.uint8))  # 240 kP > 100 kP, but few bytes
        r = c.post("/sessions", data={"name": "px"}, files={"image": ("c.png", small, "image/png")})
        assert r.status_code == 413 and "pixels" in r.json()["error"]
        r = c.post("/sessions", data={"name": "thin"}, files={"image": ("c.png", png(np.zeros((4, 4000, 3), np.uint8)))})
        assert r.status_code == 422 and "min_image_side" in r.json()["error"]  # a side under 8 px
        r = c.post("/sessions", data={"name": "long"}, files={"image": ("c.png", png(np.zeros((20, 4000, 3), np.uint8)))})
        assert r.status_code == 413 and "max_image_aspect" in r.json()["error"]
        r = c.post("/sessions", data={"name": "<img src=x>"}, files={"image": ("c.png", png(np.zeros((50, 50, 3), np.uint8)))})
        assert r.status_code == 422


def test_bomb_checked_before_decoding(tmp_path, monkeypatch):
    """A 20000x20000 PNG of a few hundred KB is refused from its header: no pixel is decoded."""
    import zlib

    from PIL import ImageFile

    w = h = 20000
    raw = zlib.compress(b"".join(b"\x00" + bytes(w) for _ in range(h)), 9)

    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", w.to_bytes(4, "big") + h.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00")
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    assert len(bomb) < 1_000_000
    decoded = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: (decoded.append(self.size), load(self))[1])
    with make_client(tmp_path) as c:
        r = c.post("/sessions", data={"name": "bomb"}, files={"image": ("b.png", bomb, "image/png")})
        assert r.status_code == 413 and r.json()["type"] == "ImageTooLargeError"
        create(c, "ok", png(np.zeros((40, 60, 3), np.uint8)))
        r = c.post("/sessions/ok/edits", json={"instruction": "remove it", "mask_png_base64": base64.b64encode(bomb).decode()})
        assert r.status_code == 413
    assert (w, h) not in decoded and (60, 40) in decoded  # only the small valid photo was decoded


def test_token_host_and_cross_site_defences(tmp_path):
    with make_client(tmp_path, api_token="s3cret-token") as c:
        assert c.get("/sessions").status_code == 401
        assert c.get("/sessions", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = {"Authorization": "Bearer s3cret-token"}
        assert c.get("/sessions", headers=ok).status_code == 200
        assert c.get("/sessions", headers={**ok, "Host": "evil.example"}).status_code == 400
        r = c.post("/sessions", headers={**ok, "Origin": "http://evil.example"}, data={"name": "x"},
                   files={"image": ("c.png", PHOTO.read_bytes())})
        assert r.status_code == 403 and r.json()["type"] == "ForbiddenError"
        assert c.get("/health").status_code == 200 and c.get("/docs").status_code == 200
    with make_client(tmp_path / "b") as c:  # no token on loopback: same-origin browsers and scripts only
        create(c)
        assert c.post("/sessions/web/undo", headers={"Origin": "http://127.0.0.1:8765"}).status_code == 409
        assert c.post("/sessions/web/undo", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert c.post("/sessions/web/undo", headers={"Origin": "null"}).status_code == 403
        r = c.get("/docs")
        for h in ("x-content-type-options", "x-frame-options", "content-security-policy"):
            assert h in r.headers
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "'unsafe-inline'" not in r.headers["content-security-policy"].split(";")[0]


def test_one_graph_per_process(client):
    runtime.close_all()
    create(client)
    for _ in range(3):
        run(client, "web", {"instruction": "remove the spoon", "box": list(SPOON_BOX)})
    assert runtime.built() == 1


def test_openapi_is_complete(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert "/sessions/{name}/edits" in paths and "/jobs/{job_id}/events" in paths
    edit = paths["/sessions/{name}/edits"]["post"]
    assert edit["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/JobInfo")
    assert "422" in edit["responses"] and "ErrorBody" in str(edit["responses"]["422"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
