"""Start `transformers serve` (transformers' own OpenAI-compatible server) on localhost, offline."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def start_transformers_serve(log: Path, timeout_s: float = 90.0) -> tuple[subprocess.Popen, str]:
    """(process, base URL ending in /v1). Models are loaded on demand from the request's `model` path."""
    exe = Path(sys.executable).with_name("transformers")
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = open(log, "w")
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"],
                            stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"transformers serve exited with {proc.returncode}: {log.read_text()[-2000:]}")
        if _healthy(f"http://127.0.0.1:{port}/health"):
            return proc, f"http://127.0.0.1:{port}/v1"
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"transformers serve did not start in {timeout_s} s: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
