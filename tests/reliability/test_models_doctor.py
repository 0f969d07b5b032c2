"""`brushedit models` (what a profile needs, where, the one fetch command), the offline fast-fail that
names every missing model at once, and `brushedit doctor` with its salvage into a new data dir."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

import engine.model_check as mc
from agent.session import Session
from engine.backends import Backends
from engine.errors import ModelNotAvailableError
from engine.settings import Settings
from faults import assert_one_line_error, assert_unchanged, snapshot
from helpers import PHOTO, SPOON_BOX

FULL_REPOS = ["Qwen/Qwen2-VL-7B-Instruct", "IDEA-Research/grounding-dino-base", "facebook/sam-vit-huge",
              "TencentARC/BrushEdit"]


def _fake_hub_cache(root, repo: str, files: dict[str, int]) -> None:
    """The Hugging Face cache layout (refs/main -> snapshots/<commit>/...) for `repo`."""
    base = root / f"models--{repo.replace('/', '--')}"
    (base / "refs").mkdir(parents=True)
    (base / "refs" / "main").write_text("0" * 40)
    for name, size in files.items():
        path = base / "snapshots" / ("0" * 40) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * size)


def test_models_lists_the_full_profile_and_one_fetch_command(cli, tmp_path):
    r = cli("models", "--profile", "full", "--json", env={"BRUSHEDIT_HOME": tmp_path})
    data = json.loads(r.out)
    assert r.code == 0 and [m["setting"] for m in data["models"]] == [
        "vlm_model", "detector_model", "sam_model", "base_model", "brushnet_model"]
    assert not any(m["present"] for m in data["models"])
    assert data["fetch"] == ("hf download Qwen/Qwen2-VL-7B-Instruct && hf download IDEA-Research/grounding-dino-base"
                             " && hf download facebook/sam-vit-huge && hf download TencentARC/BrushEdit --include "
                             "'base_model/realisticVisionV60B1_v51VAE/*' --include 'brushnetX/*'")
    text = cli("models", "--profile", "full", env={"BRUSHEDIT_HOME": tmp_path}).out
    assert text.count("MISSING") == 5 and data["fetch"] in text and "huggingface-cli" not in text
    assert "needs no model weights" in cli("models", env={"BRUSHEDIT_HOME": tmp_path}).out


def test_models_finds_cached_and_local_models(cli, tmp_path, monkeypatch):
    import huggingface_hub.constants

    cache = tmp_path / "hub"
    _fake_hub_cache(cache, "facebook/sam-vit-huge", {"model.safetensors": 3000, "config.json": 10})
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    local = tmp_path / "gdino"
    local.mkdir()
    (local / "model.safetensors").write_bytes(b"\0" * 2048)
    r = cli("models", "--profile", "full", "--json", env={"BRUSHEDIT_HOME": tmp_path,
                                                         "BRUSHEDIT_DETECTOR_MODEL": local})
    models = {m["setting"]: m for m in json.loads(r.out)["models"]}
    assert models["sam_model"]["present"] and models["sam_model"]["bytes"] == 3010
    assert models["detector_model"]["present"] and models["detector_model"]["path"] == str(local)
    fetch = json.loads(r.out)["fetch"]
    assert "sam-vit-huge" not in fetch and "grounding-dino" not in fetch and "Qwen2-VL" in fetch


@pytest.mark.parametrize("offline", ["HF_HUB_OFFLINE", "no-network"])
def test_missing_models_fail_at_once_all_named_together(offline, monkeypatch, tmp_path):
    monkeypatch.setattr(mc, "_network", {})
    if offline == "no-network":  # not told to be offline, but the hub does not answer: no retries either
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
        monkeypatch.setenv("HF_ENDPOINT", "https://127.0.0.1:9")
    settings = Settings.load(env={}, data_dir=tmp_path, profile="full")
    t0 = time.monotonic()
    with pytest.raises(ModelNotAvailableError) as info:
        Backends(settings).planner
    assert time.monotonic() - t0 < 5
    text = str(info.value)
    assert "5 model(s)" in text and all(repo in text for repo in FULL_REPOS)
    assert ("HF_HUB_OFFLINE=1" if offline == "HF_HUB_OFFLINE" else "no network to 127.0.0.1") in text
    assert "hf download" in text and "huggingface-cli" not in text


def test_a_missing_local_model_dir_is_named_even_online(monkeypatch, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path, profile="full", planner="rules",
                             detector_model=str(tmp_path / "no-such-dir"), segmenter="box", inpainter="classical")
    with pytest.raises(ModelNotAvailableError, match="no-such-dir"):
        Backends(settings).detector


# --- doctor ---------------------------------------------------------------------------------------------------
@pytest.fixture
def tree(tmp_path):
    """Session t: v0 -> v1 -> v2, and v0 -> v3 (a branch)."""
    settings = Settings.load(env={}, data_dir=tmp_path / "data")
    s = Session.new("t", PHOTO, settings)
    s.edit("remove the spoon", box=SPOON_BOX)
    s.edit("remove the saucer edge", box=(100, 200, 200, 100))
    s.checkout("v0")
    s.edit("remove the glint", box=(100, 222, 50, 50))
    return s


def _path(s: Session, vid: str, kind: str = "image_id"):
    return s.store.path(getattr(s.versions.get(s.name, vid), kind))


def test_doctor_healthy_dir(cli, tree):
    r = cli("doctor", "--data-dir", tree.settings.data_dir)
    assert r.code == 0 and "everything verifies" in r.out and "4 of 4 versions intact" in r.out


def test_doctor_reports_and_salvage_keeps_every_intact_picture(cli, tree, tmp_path):
    home = tree.settings.data_dir
    bad = _path(tree, "v1")
    bad.write_bytes(bad.read_bytes()[:5000])  # v1's image truncated
    import sqlite3

    db = sqlite3.connect(home / "versions.sqlite")
    db.execute("UPDATE versions SET record='{not json' WHERE id='v3'")  # v3's record broken, its columns intact
    db.commit()
    db.close()
    before = snapshot(home)
    r = cli("doctor", "--data-dir", home)
    assert r.code == 1 and "session t v1" in r.out and "session t v3" in r.out and "2 of 4 versions intact" in r.out
    assert f"brushedit doctor --data-dir {home} --salvage t --to t-salvaged" in r.out
    new = tmp_path / "saved"
    r = cli("doctor", "--data-dir", home, "--salvage", "t", "--to", new)
    assert r.code == 0, r.err
    assert "left out v1" in r.out and "v2: now a root (its parent v1 was lost)" in r.out and "v3: its record does not parse" in r.out
    assert_unchanged(before, home)  # the damaged dir is only read
    hist = json.loads(cli("history", "-s", "t", "--json", "--data-dir", new).out)
    assert {v["id"]: v["parent"] for v in hist["versions"]} == {"v0": None, "v2": None, "v3": "v0"}
    assert hist["head"] == "v3"
    saved = Session.open("t", Settings.load(env={}, data_dir=new))
    for v in saved.history():
        assert np.array_equal(saved.store.get_image(v.image_id, verify=True), tree.store.get_image(v.image_id))
    assert cli("export", "-s", "t", "--out", tmp_path / "exp", "--data-dir", new).code == 0
    assert saved.edit("remove the spoon", box=SPOON_BOX).version.id == "v4"  # ids go on after the highest kept


def test_doctor_on_an_unreadable_database_says_what_is_left(cli, tree):
    home = tree.settings.data_dir
    (home / "versions.sqlite").write_bytes(b"garbage" * 3000)
    r = cli("doctor", "--data-dir", home, "--json")
    data = json.loads(r.out)
    assert r.code == 1 and data["problems"] >= 2
    assert any("stored image(s) remain" in f["what"] for f in data["findings"])
    assert_one_line_error(cli("doctor", "--data-dir", home, "--salvage", "t", "--to", home.parent / "x"),
                          "no readable version")


def test_doctor_sees_a_damaged_pending_review(cli, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "data")
    s = Session.new("p", PHOTO, settings, interactive=True)
    out = s.edit("remove the spoon", box=SPOON_BOX)
    s.store.path(out.result_id).unlink()
    r = cli("doctor", "--data-dir", settings.data_dir)
    assert r.code == 1 and "session p pending review" in r.out and out.result_id[:12] in r.out
