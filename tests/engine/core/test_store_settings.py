import hashlib

import numpy as np
import pytest

from engine.errors import BrushEditError, StoreIntegrityError
from engine.image_store import ImageStore
from engine.settings import Settings


def test_store_roundtrip_content_addressed(tmp_path):
    store = ImageStore(tmp_path)
    img = np.random.default_rng(0).integers(0, 256, (17, 23, 3), dtype=np.uint8)
    a, b = store.put(img), store.put(img.copy())
    header = b"brushedit-pixels-v1 rgb8 17x23\n"  # the id names the pixels, not the file's bytes
    assert a == b and a == hashlib.sha256(header + img.tobytes()).hexdigest()
    assert np.array_equal(store.get_image(a, verify=True), img)
    mask = img[..., 0] > 128
    assert np.array_equal(store.get_mask(store.put(mask)), mask)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "abc", "0" * 63 + "/"])
def test_store_rejects_ids_that_could_build_paths(tmp_path, bad):
    with pytest.raises(StoreIntegrityError):
        ImageStore(tmp_path).path(bad)


def test_store_detects_corruption(tmp_path):
    store = ImageStore(tmp_path)
    i = store.put(np.zeros((4, 4, 3), np.uint8))
    store.path(i).write_bytes(b"garbage")
    with pytest.raises(StoreIntegrityError, match="corrupt"):
        store.get_image(i, verify=True)


def test_settings_precedence_file_env_flags(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[brushedit]\nsteps = 30\nplanner = "openai"\nblur_kernel = 9\n')
    env = {"BRUSHEDIT_STEPS": "40", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}
    s = Settings.load(cfg, env=env, blur_kernel=11)
    assert (s.steps, s.planner, s.blur_kernel, s.openai_base_url) == (40, "openai", 11, "http://127.0.0.1:1/v1")
    assert Settings.load(env={}, data_dir=tmp_path).backend("inpainter") == "classical"
    assert Settings.load(env={}, data_dir=tmp_path, profile="full").backend("inpainter") == "brushnet"


def test_settings_errors_name_the_field(tmp_path):
    with pytest.raises(BrushEditError, match="steps"):
        Settings.load(env={"BRUSHEDIT_STEPS": "many"}, data_dir=tmp_path)
    with pytest.raises(BrushEditError, match="not found"):
        Settings.load(tmp_path / "missing.toml", env={})
