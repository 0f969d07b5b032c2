"""Fault-injection fixtures: a data dir with a real session, the CLI in-process, bomb images."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faults import BOX, Run, bomb_png, run_proc
from helpers import PHOTO


@pytest.fixture
def cli(monkeypatch, capsys):
    """The CLI in this process (fast): run(*args, env={...}) -> Run."""
    from app.cli import main

    def run(*args, env: dict | None = None) -> Run:
        with monkeypatch.context() as m:
            for k, v in (env or {}).items():
                m.setenv(k, str(v))
            capsys.readouterr()
            code = main([str(a) for a in args])
            out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


_TEMPLATE: dict[str, Path] = {}


@pytest.fixture
def home(tmp_path_factory, tmp_path) -> Path:
    """A data dir holding session "s": v0 (the coffee photo) and v1 (the spoon removed, with its mask)."""
    if "home" not in _TEMPLATE:  # made by the CLI in its own processes: the databases are closed, WAL folded in
        base = tmp_path_factory.mktemp("template") / "home"
        for args in (["new", PHOTO, "-s", "s"], ["edit", "-s", "s", "remove the spoon", "--box", BOX]):
            assert run_proc(base, *args).code == 0
        _TEMPLATE["home"] = base
    target = tmp_path / "home"
    shutil.copytree(_TEMPLATE["home"], target, ignore=shutil.ignore_patterns("locks"))
    return target


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """20000x20000 (400 MP, ~390 KB: past PIL's own bomb limit) and 8000x8000 (64 MP: past ours only)."""
    d = tmp_path_factory.mktemp("bombs")
    return {"huge": bomb_png(d / "bomb-20000.png", 20000, 20000), "big": bomb_png(d / "bomb-8000.png", 8000, 8000)}


@pytest.fixture
def settings(tmp_path):
    from engine.settings import Settings

    return Settings.load(env={}, data_dir=tmp_path / "data")
