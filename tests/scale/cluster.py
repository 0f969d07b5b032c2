"""Several API processes and `brushedit worker` processes on one PostgreSQL store, as separate OS processes.

    with Cluster(url, tmp_path) as c:
        a, b = c.api("a"), c.api("b")              # HTTP API processes (own data dir each, shared images_dir)
        w1 = c.worker("w1", sleep_s=1.0)           # a worker on stand-in models (tests/scale/standins.py)
        job = a.post(f"/sessions/x/edits", json={...}).json(); b.wait(job["id"])

The API processes run the product's ASGI app (app.serve.create_app, UI off: the tests speak HTTP);
the workers run the real command line, `python -m app.cli worker`. Used by tests and benchmarks.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pg import wait_for

ROOT = Path(__file__).resolve().parents[2]
API = ("import uvicorn; from app.serve import create_app; from engine.settings import Settings; "
       "uvicorn.run(create_app(Settings.load(), ui=False), host='127.0.0.1', port={port}, log_level='warning')")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api(httpx.Client):
    def __init__(self, name: str, port: int, proc: subprocess.Popen):
        super().__init__(base_url=f"http://127.0.0.1:{port}", timeout=60)
        self.name, self.proc = name, proc

    def create(self, session: str, png: bytes) -> dict:
        r = self.post("/sessions", data={"name": session}, files={"image": ("p.png", png, "image/png")})
        assert r.status_code == 201, r.text
        return r.json()

    def wait(self, job_id: str, timeout: float = 120.0) -> dict:
        def done():
            info = self.get(f"/jobs/{job_id}", params={"wait_s": 5}).json()
            return info if info["status"] in ("done", "failed") else None

        return wait_for(done, timeout, every=0.0, what=f"job {job_id} through API {self.name}")

    def events(self, job_id: str) -> list[dict]:
        """The job's whole event stream (SSE), read until `done` or `error`."""
        out = []
        with self.stream("GET", f"/jobs/{job_id}/events", timeout=120) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    out.append(json.loads(line[6:]))
        return out


class Cluster:
    def __init__(self, url: str, root: Path, stalled_after: float = 3.0):
        self.url, self.root, self.stalled_after = url, Path(root), stalled_after
        self.images = self.root / "images"  # the one directory every process mounts
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def _env(self, name: str, **extra) -> dict:
        path = os.pathsep.join([str(ROOT), str(ROOT / "tests" / "scale"), os.environ.get("PYTHONPATH", "")])
        return {**{k: v for k, v in os.environ.items() if not k.startswith("BRUSHEDIT_")},
                "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "BRUSHEDIT_STORE": self.url,
                "BRUSHEDIT_HOME": str(self.root / name), "BRUSHEDIT_IMAGES_DIR": str(self.images), **extra}

    def _start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        self.logs[name] = self.root / f"{name}.log"
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.logs[name].open("w"), stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def api(self, name: str) -> Api:
        port = _port()
        proc = self._start(name, [sys.executable, "-c", API.format(port=port)], self._env(name))
        api = Api(name, port, proc)

        def up():
            if proc.poll() is not None:
                raise RuntimeError(f"API {name} exited: {self.log(name)}")
            try:
                return api.get("/health").status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, 120, every=0.2, what=f"API {name} to start")
        return api

    def worker(self, name: str, sleep_s: float = 0.0, concurrency: int = 1, wait: bool = True) -> subprocess.Popen:
        argv = [sys.executable, "-m", "app.cli", "worker", "--name", name, "--concurrency", str(concurrency),
                "--stalled-after", str(self.stalled_after)]
        env = self._env(name, BRUSHEDIT_BACKENDS="standins:backends", BRUSHEDIT_STANDIN_SLEEP_S=str(sleep_s))
        proc = self._start(name, argv, env)
        if wait:  # procrastinate logs this once it fetches jobs (models already built)
            def ready():
                if proc.poll() is not None:
                    raise RuntimeError(f"worker {name} exited: {self.log(name)}")
                return "Starting worker" in self.log(name)

            wait_for(ready, 120, every=0.2, what=f"worker {name} to start")
        return proc

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace") if name in self.logs else ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        os.kill(proc.pid, sig)
        proc.wait(30)

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
