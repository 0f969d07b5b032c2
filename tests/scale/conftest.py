"""A real PostgreSQL for the scale-out tests: one throw-away server per test process (tests/scale/pg.py),
one fresh database per test, copied from a template that `brushedit db init` prepared."""
from __future__ import annotations

import subprocess
import sys

import pytest

from pg import TEMPLATE, PgServer
from helpers import ROOT


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = PgServer.start()
    except RuntimeError as exc:  # binaries missing: this feature cannot be tested here, and that is a failure
        pytest.fail(str(exc), pytrace=False)
    try:
        server.execute(f'CREATE DATABASE "{TEMPLATE}"')
        init = subprocess.run([sys.executable, "-m", "app.cli", "db", "init", "--store", server.url(TEMPLATE)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert init.returncode == 0, init.stderr
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server):
    """A database of its own with the whole schema (versions, jobs, checkpoints, queue)."""
    from agent.stores import close_store

    url = pg_server.create_database(template=TEMPLATE)
    yield url
    close_store(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The `store` setting for each implementation: every test using it runs against both."""
    return request.getfixturevalue("pg_url") if request.param == "postgresql" else "sqlite"


@pytest.fixture
def version_store(store_url, tmp_path):
    from agent.stores import make_version_store
    from engine.settings import Settings

    return make_version_store(Settings.load(env={}, data_dir=tmp_path / "home", store=store_url))
