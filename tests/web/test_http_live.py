"""Over real HTTP against a running server: auth, browser defences, limits, concurrency, SSE, docs."""
import concurrent.futures as cf
import io
import json
import os
import socket
import subprocess
import sys

import httpx
import numpy as np
from PIL import Image

from conftest import free_port
from helpers import PHOTO, SPOON_BOX, ROOT, ScriptedPlanner, stepping_inpainter

SPOON = {"category": "remove", "target": "spoon", "caption": "saucer"}


def png(array) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def create(c, name, data=None):
    r = c.post("/sessions", data={"name": name}, files={"image": ("c.png", data or PHOTO.read_bytes(), "image/png")})
    assert r.status_code == 201, r.text


def wait(c, job_id):
    return c.get(f"/jobs/{job_id}", params={"wait_s": 60}, timeout=90).json()


def test_auth_no_wrong_right_token(live):
    srv = live(api_token="tok-123456")
    with httpx.Client(base_url=srv.url) as c:
        r = c.get("/sessions")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer" and r.json()["type"] == "AuthError"
        assert c.get("/sessions", headers={"Authorization": "Bearer tok-1234567"}).status_code == 401
        assert c.get("/sessions", headers={"Authorization": "Basic dG9rLTEyMzQ1Ng=="}).status_code == 401
        assert c.get("/sessions", headers={"Authorization": "Bearer tok-123456"}).json() == {"sessions": []}


def test_cross_site_form_post_and_foreign_host_refused(live):
    srv = live()
    with httpx.Client(base_url=srv.url) as c:
        create(c, "s")
        # what a browser sends for <form method=post action=http://127.0.0.1:PORT/...> on another site
        form = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site",
                "Content-Type": "application/x-www-form-urlencoded"}
        r = c.post("/sessions/s/checkout/v0", headers=form, content=b"x=1")
        assert r.status_code == 403 and r.json()["type"] == "ForbiddenError"
        r = c.post("/sessions", headers={"Origin": "http://evil.example"}, data={"name": "t"},
                   files={"image": ("c.png", PHOTO.read_bytes())})
        assert r.status_code == 403 and c.get("/sessions").json() == {"sessions": ["s"]}
        r = c.post("/sessions/s/edits", headers={"Origin": "null", "Content-Type": "text/plain"},
                   content=json.dumps({"instruction": "remove it"}))
        assert r.status_code == 403
        # DNS rebinding: evil.example resolving to 127.0.0.1 still sends its own name as Host
        for path in ("/sessions", "/ui/", "/docs"):
            r = c.get(path, headers={"Host": f"evil.example:{srv.port}"})
            assert r.status_code == 400 and r.json()["type"] == "ForbiddenError"
        assert c.get("/sessions", headers={"Host": f"localhost:{srv.port}"}).status_code == 200


def test_refuses_to_bind_all_interfaces_without_token(tmp_path):
    env = {**os.environ, "BRUSHEDIT_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("BRUSHEDIT_API_TOKEN", None)
    port = str(free_port())
    r = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", port],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "without an API token" in r.stderr and "BRUSHEDIT_API_TOKEN" in r.stderr
    r = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", port],
                       env={**env, "BRUSHEDIT_API_TOKEN": "x" * 32}, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "BRUSHEDIT_API_HOSTS" in r.stderr
    with socket.socket() as s:  # nothing was left listening
        assert s.connect_ex(("127.0.0.1", int(port))) != 0


def test_malformed_bodies_oversized_bomb_and_fake_png(live):
    srv = live(api_max_upload_bytes=300_000)
    with httpx.Client(base_url=srv.url) as c:
        create(c, "s", png(np.full((40, 60, 3), 128, np.uint8)))
        for body in ({"instruction": "remove it", "mask_png_base64": "@@@"}, {"instruction": "x", "seed": 2**70},
                     {"instruction": "x", "box": ["a", 1, 2, 3]}, {"instruction": "x", "box": [0, 0, 1e309, 1]},
                     {"instruction": "x", "mask_png_base64": "data:image/png;base64," + "A" * 1_000_000}):
            r = c.post("/sessions/s/edits", content=json.dumps(body), headers={"Content-Type": "application/json"})
            assert r.status_code in (413, 422) and set(r.json()) == {"error", "fix", "type"}, r.text
        r = c.post("/sessions", data={"name": "t"}, files={"image": ("photo.png", b"hello, I am text\n" * 10)})
        assert r.status_code == 422 and r.json()["type"] == "BadImageError"
        r = c.post("/sessions", data={"name": "big"}, files={"image": ("c.png", os.urandom(400_000))})
        assert r.status_code == 413

        def chunks():  # no Content-Length: cut while streaming
            for _ in range(100):
                yield b"0" * 10_000

        r = c.post("/sessions/s/edits", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        r = c.post("/sessions", data={"name": "thin"}, files={"image": ("c.png", png(np.zeros((4, 40000, 3), np.uint8)))})
        assert r.status_code == 413 and r.json()["type"] == "ImageTooLargeError"
        assert c.get("/sessions").json() == {"sessions": ["s"]}


def test_eight_concurrent_sessions_no_cross_talk(live):
    srv = live(given={"planner": ScriptedPlanner(SPOON)})
    photos = {f"s{i}": png(np.full((120, 160, 3), 20 * i, np.uint8)) for i in range(8)}
    with httpx.Client(base_url=srv.url, timeout=90) as c:
        def one(name):
            create(c, name, photos[name])
            job = c.post(f"/sessions/{name}/edits", json={"instruction": "remove it", "box": [40, 30, 50, 40]}).json()
            return name, wait(c, job["id"])

        with cf.ThreadPoolExecutor(8) as pool:
            results = dict(pool.map(one, photos))
        for name, job in results.items():
            assert job["status"] == "done" and job["session"] == name
            hist = c.get(f"/sessions/{name}").json()
            assert [v["id"] for v in hist["versions"]] == ["v0", "v1"]
            v0 = np.asarray(Image.open(io.BytesIO(c.get(f"/sessions/{name}/show/v0").content)))
            assert (v0 == 20 * int(name[1:])).all()  # its own photo, nobody else's


def test_two_concurrent_edits_one_409_and_sse_in_order(live):
    srv = live(given={"planner": ScriptedPlanner(SPOON), "inpainter": stepping_inpainter(n=6, delay=0.15)})
    body = {"instruction": "remove the spoon", "box": list(SPOON_BOX)}
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        create(c, "s")
        with cf.ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: c.post("/sessions/s/edits", json=body), range(2)))
        assert sorted(r.status_code for r in answers) == [202, 409]
        busy = next(r for r in answers if r.status_code == 409).json()
        assert busy["type"] == "SessionBusyError" and "busy: session s" in busy["error"]
        job_id = next(r for r in answers if r.status_code == 202).json()["id"]
        seqs, kinds = [], []
        with c.stream("GET", f"/jobs/{job_id}/events") as resp:
            for line in resp.iter_lines():
                if line.startswith("data: "):
                    ev = json.loads(line[6:])
                    seqs.append(ev["seq"])
                    kinds.append(ev["kind"])
        assert seqs == list(range(1, len(seqs) + 1)) and kinds[0] == "queued" and kinds[-1] == "done"
        steps = [k for k in kinds if k == "step"]
        assert len(steps) == 6 and kinds.index("plan") < kinds.index("step") < kinds.index("commit")
        assert [v["id"] for v in c.get("/sessions/s").json()["versions"]] == ["v0", "v1"]


def test_docs_and_redoc_work_offline(live):
    srv = live()
    with httpx.Client(base_url=srv.url) as c:
        for page in ("/docs", "/redoc"):
            html = c.get(page).text
            assert "cdn." not in html and "googleapis" not in html
            for src in [p.split('"')[0] for p in html.split('src="')[1:]] + [p.split('"')[0] for p in html.split('href="')[1:]]:
                if src.startswith("/"):
                    assert c.get(src).status_code == 200, src
        assert c.get("/openapi.json").json()["info"]["title"] == "BrushEdit Agent"
