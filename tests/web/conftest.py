"""A real server for the web tests: uvicorn on a free loopback port, in a thread of the test process
(so tests can give it scripted backends), spoken to over real HTTP."""
import socket
import threading
import time

import pytest

from app.serve import create_app
from engine.backends import Backends
from engine.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app, port):
        import uvicorn

        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture
def live(tmp_path):
    """live(ui=False, backends=..., **settings) -> a started LiveServer (stopped after the test)."""
    started = []

    def start(ui=False, given=None, **settings):
        s = Settings.load(env={}, data_dir=tmp_path / f"data{len(started)}", **settings)
        srv = LiveServer(create_app(s, Backends(s, **(given or {})), ui=ui), free_port()).__enter__()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.__exit__()
