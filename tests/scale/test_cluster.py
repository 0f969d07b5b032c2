"""Two API processes and two `brushedit worker` processes on one PostgreSQL, as separate OS processes: any API
serves any session, any worker runs any job, a killed worker's edit is finished by the other, exactly once."""
from __future__ import annotations

import io
import json
import threading
import time
import uuid

import numpy as np
import pytest
from PIL import Image

from cluster import Cluster
from pg import TEMPLATE
from engine.image_store import ImageStore
from helpers import PHOTO, SPOON_BOX

pytestmark = pytest.mark.slow
SLEEP_S = 2.0  # the stand-in inpainter's "GPU time": long enough to kill a worker in the middle of it


@pytest.fixture(scope="module")
def cluster(pg_server, tmp_path_factory):
    url = pg_server.create_database(template=TEMPLATE)
    with Cluster(url, tmp_path_factory.mktemp("cluster")) as c:
        c.a, c.b = c.api("a"), c.api("b")
        c.worker("w1", SLEEP_S, wait=False)
        c.worker("w2", SLEEP_S)
        yield c


def _png(shift: int = 0) -> bytes:
    img = np.asarray(Image.open(PHOTO).convert("RGB")).astype(np.int16)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img + shift, 0, 255).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _edit(api, session: str, **body):
    return api.post(f"/sessions/{session}/edits", json={"instruction": "remove the spoon", "box": list(SPOON_BOX),
                                                        **body})


def _started_by(events: list[dict]) -> list[str]:
    return [e["data"]["worker"] for e in events if e["kind"] == "stage" and e["data"].get("name") == "started"]


def test_a_session_made_through_a_is_edited_through_b_and_shown_by_a(cluster):
    a, b = cluster.a, cluster.b
    a.create("ab", _png())
    job = _edit(b, "ab")
    assert job.status_code == 202, job.text
    events = b.events(job.json()["id"])
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "queued" and kinds[-1] == "done" and {"plan", "mask", "commit"} <= set(kinds)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert a.events(job.json()["id"]) == events  # the stream lives in the database: any API process replays it
    hist = a.get("/sessions/ab").json()
    assert hist["head"] == "v1" and [v["id"] for v in hist["versions"]] == ["v0", "v1"]
    png = a.get(f"/sessions/ab/images/{hist['versions'][1]['image_id']}.png")
    assert png.status_code == 200
    result = np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB"))
    x, y, w, h = SPOON_BOX
    source = np.asarray(Image.open(PHOTO).convert("RGB"))
    assert (result[y + 20:y + h - 20, x + 20:x + w - 20] == 127).all()  # the worker's grey fill
    assert (result[:, : x - 40] == source[:, : x - 40]).all()  # and the photo elsewhere


def test_a_review_paused_on_one_worker_is_accepted_through_the_other_api_on_the_other_worker(cluster):
    a, b = cluster.a, cluster.b
    a.create("rev", _png())
    job = _edit(a, "rev", review=True).json()
    info = a.wait(job["id"])
    assert info["status"] == "done" and info["result"]["status"] == "pending", info
    paused_on = _started_by(a.events(job["id"]))[-1]
    cluster.kill(paused_on)  # the worker that ran the graph up to the interrupt is gone
    try:
        accept = b.post("/sessions/rev/accept").json()
        done = b.wait(accept["id"])
        assert done["status"] == "done" and done["result"]["status"] == "committed", done
        assert _started_by(b.events(accept["id"])) == [{"w1": "w2", "w2": "w1"}[paused_on]]
        hist = a.get("/sessions/rev").json()
        assert hist["head"] == "v1" and hist["pending"] is None
        assert hist["versions"][1]["image_id"] == info["result"]["result_id"]  # the image the person reviewed
    finally:
        cluster.worker(paused_on, SLEEP_S)


def test_kill_9_of_the_worker_running_an_edit_the_other_finishes_it_once(cluster):
    a, b = cluster.a, cluster.b
    a.create("crash", _png())
    first = a.wait(_edit(a, "crash").json()["id"])
    assert first["result"]["version"]["id"] == "v1"
    job = _edit(b, "crash", seed=7).json()
    victim = None
    with a.stream("GET", f"/jobs/{job['id']}/events", timeout=60) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                ev = json.loads(line[6:])
                if ev["kind"] == "stage" and ev["data"].get("name") == "started":
                    victim = ev["data"]["worker"]
                if ev["kind"] == "stage" and ev["data"].get("name") == "inpaint":
                    break  # the worker is now inside the 2 s inpaint
    cluster.kill(victim)
    try:
        done = b.wait(job["id"], timeout=90)
        assert done["status"] == "done", (done["error"], {n: cluster.log(n)[-2500:] for n in ("w1", "w2")})
        events = b.events(job["id"])
        assert _started_by(events) == [victim, {"w1": "w2", "w2": "w1"}[victim]]
        assert [e["data"] for e in events if e["kind"] == "retry" and e["data"].get("by") == "queue"] == [
            {"by": "queue", "attempt": 2}]
        hist = a.get("/sessions/crash").json()
        assert [(v["id"], v["parent"]) for v in hist["versions"]] == [("v0", None), ("v1", "v0"), ("v2", "v1")]
        assert hist["versions"][2]["seed"] == 7 and hist["versions"][2]["run_id"] == job["id"]
        store = ImageStore(cluster.images)
        for v in hist["versions"]:
            store.get_image(v["image_id"], verify=True)  # every committed image intact
    finally:
        cluster.worker(victim, SLEEP_S)


def test_eight_sessions_edited_at_once_do_not_cross_talk(cluster):
    apis = [cluster.a, cluster.b]
    names = [f"many{k}" for k in range(8)]
    for k, name in enumerate(names):
        apis[k % 2].create(name, _png(shift=10 * k - 40))
    jobs = {name: _edit(apis[(k + 1) % 2], name, seed=100 + k).json() for k, name in enumerate(names)}
    results = {name: apis[k % 2].wait(jobs[name]["id"], timeout=180) for k, name in enumerate(names)}
    x, y, w, h = SPOON_BOX
    for k, name in enumerate(names):
        assert results[name]["status"] == "done" and results[name]["session"] == name
        hist = apis[k % 2].get(f"/sessions/{name}").json()
        v1 = hist["versions"][1]
        assert (hist["head"], v1["parent"], v1["seed"], v1["run_id"]) == ("v1", "v0", 100 + k, jobs[name]["id"])
        store = ImageStore(cluster.images)
        own, out = store.get_image(hist["versions"][0]["image_id"]), store.get_image(v1["image_id"])
        assert (out[:, : x - 40] == own[:, : x - 40]).all()  # its own photo outside the edit, nobody else's
        assert (out[y + 20:y + h - 20, x + 20:x + w - 20] == 127).all()


def test_two_edits_on_one_session_are_serialised_and_none_is_lost(cluster):
    a, b = cluster.a, cluster.b
    a.create("two", _png())
    answers = {}

    def send(api):
        answers[api.name] = _edit(api, "two", instruction=f"remove the spoon ({api.name})")

    threads = [threading.Thread(target=send, args=(api,)) for api in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [202, 409], {k: r.text for k, r in answers.items()}
    refused = next(k for k, r in answers.items() if r.status_code == 409)
    assert answers[refused].json()["type"] == "SessionBusyError"
    first = next(r for r in answers.values() if r.status_code == 202).json()
    a.wait(first["id"])
    again = _edit(b, "two", instruction=f"remove the spoon ({refused})")
    assert again.status_code == 202
    b.wait(again.json()["id"])
    _two_deliveries_of_one_session_never_overlap(cluster, "two")
    hist = a.get("/sessions/two").json()
    assert [(v["id"], v["parent"]) for v in hist["versions"]] == [("v0", None), ("v1", "v0"), ("v2", "v1"),
                                                                  ("v3", "v2"), ("v4", "v3")]
    assert hist["versions"][2]["instruction"] == f"remove the spoon ({refused})"


def _two_deliveries_of_one_session_never_overlap(cluster, session: str) -> None:
    """Below the API's one-job-per-session rule, the queue's own lock: two jobs of one session queued at once
    (as when a worker presumed dead comes back) run one after the other although two workers are idle."""
    from app.jobs_pg import JobTable
    from app.worker import TASK, make_app

    table, queue = JobTable(cluster.url), make_app(cluster.url)
    ids = [uuid.uuid4().hex for _ in range(2)]
    with table.db.tx() as tx:
        for job_id in ids:
            payload = {"instruction": "remove the spoon", "box": list(SPOON_BOX), "run_id": job_id}
            tx.execute("INSERT INTO brushedit_jobs (id, session, kind, status, payload, created, updated) "
                       "VALUES (?,?,?,?,?,?,?)", (job_id, session, "edit", "queued", json.dumps(payload),
                                                  time.time(), time.time()))
            queue.configure_task(TASK, lock=session, connection=tx.connection).defer(job_id=job_id)
    for job_id in ids:
        cluster.a.wait(job_id)
    spans = []
    for job_id in ids:
        events = cluster.a.events(job_id)
        start = next(e["at"] for e in events if e["kind"] == "stage" and e["data"].get("name") == "started")
        spans.append((start, events[-1]["at"]))
    spans.sort()
    assert spans[0][1] <= spans[1][0], spans  # the second started after the first was done
