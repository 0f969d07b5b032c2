"""Image and setting limits, in one place (engine.images + Settings), checked before any pixel is decoded."""
from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from engine.errors import BadImageError, BadMaskError, ImageTooLargeError, LimitError
from engine.images import ImageLimits, load_image, load_mask, validate_image, working_size
from engine.settings import SEED_MAX, Settings


def test_a_bomb_is_refused_from_its_header_without_decoding(bombs):
    for path in bombs.values():
        tracemalloc.start()
        t0 = time.perf_counter()
        with pytest.raises(ImageTooLargeError, match="max_image_pixels"):
            load_image(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert time.perf_counter() - t0 < 1.0 and peak < 20 * 2**20  # 64-400 MP decoded would be >= 64 MB


def test_a_mask_of_the_wrong_size_is_refused_from_its_header(bombs):
    with pytest.raises(BadMaskError, match="8000x8000 but the image is 600x400"):
        load_mask(bombs["big"], (600, 400))


def test_shape_limits_name_value_limit_and_setting(tmp_path):
    limits = Settings.load(env={}, data_dir=tmp_path).image_limits
    cases = [((10000, 10), "max_image_aspect"), ((40000, 4), "max_image_side"), ((4, 4), "min_image_side")]
    for (w, h), setting in cases:
        Image.new("L", (w, h)).save(tmp_path / "x.png")
        with pytest.raises(BadImageError) as info:
            load_image(tmp_path / "x.png", limits)
        assert f"{w}x{h}" in str(info.value) and setting in str(info.value)
    with pytest.raises(ImageTooLargeError, match="max_image_aspect"):
        validate_image(np.zeros((10, 200, 3), np.uint8), limits=limits)
    assert load_image(tmp_path / "x.png").shape == (4, 4, 3)  # no limits given: bomb caps only
    assert ImageLimits().max_image_pixels == 40_000_000


def test_working_size_caps_the_long_side():
    assert working_size(600, 400) == (960, 640)  # ordinary photos: as before
    assert working_size(10000, 1000) == (1920, 192)  # 10:1 -> the long side at 3x the short side
    w, h = working_size(10000, 10)
    assert w * h <= 1920 * 640


def test_settings_bounds(tmp_path):
    s = Settings.load(env={}, data_dir=tmp_path)
    assert s.check_instruction("  remove the cat ") == "remove the cat"
    with pytest.raises(LimitError, match="2001 characters; the limit is 2000"):
        s.check_instruction("x" * 2001)
    s.check_seed(SEED_MAX)
    for seed in (-1, SEED_MAX + 1, 2**70, 1.5, True):
        with pytest.raises(LimitError, match="seed"):
            s.check_seed(seed)
    with pytest.raises(LimitError, match="combine"):
        s.check_edit("remove it", combine="bogus")
    with pytest.raises(LimitError, match="mask_dilate"):
        s.model_copy(update={"mask_dilate": 1000}).check_size((60, 40))  # working image: 960x640
    s.check_size((600, 400))


# --- one set of limits: the CLI, the HTTP API and the session read the same settings --------------------
def _client(tmp_path, **settings):
    from fastapi.testclient import TestClient

    from app.serve import create_app
    from engine.backends import Backends

    s = Settings.load(env={}, data_dir=tmp_path / "home", **settings)
    return TestClient(create_app(s, Backends(s), ui=False), base_url="http://127.0.0.1:8765")


def _png(array) -> bytes:
    import io

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_http_uploads_follow_the_session_limits_before_decoding(tmp_path, monkeypatch):
    """max_image_pixels / max_image_aspect are the settings the CLI and the session use; an upload over
    them is refused from its header (nothing decoded), naming the setting."""
    from PIL import ImageFile

    decoded = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: (decoded.append(self.size), load(self))[1])
    with _client(tmp_path, max_image_pixels=100_000, max_image_aspect=4) as c:
        for name, shape, setting in (("px", (400, 600, 3), "max_image_pixels"), ("thin", (40, 200, 3), "max_image_aspect")):
            r = c.post("/sessions", data={"name": name}, files={"image": ("c.png", _png(np.zeros(shape, np.uint8)))})
            assert r.status_code == 413 and setting in r.json()["error"], r.text
            assert (shape[1], shape[0]) not in decoded
        assert c.get("/sessions").json()["sessions"] == []


def test_http_instruction_limit_is_the_session_limit(tmp_path):
    with _client(tmp_path, max_instruction_chars=40) as c:
        r = c.post("/sessions", data={"name": "w"}, files={"image": ("c.png", _png(np.zeros((40, 60, 3), np.uint8)))})
        assert r.status_code == 201, r.text
        r = c.post("/sessions/w/edits", json={"instruction": "remove " + "the spoon " * 5})
        assert r.status_code == 422 and "max_instruction_chars" in r.json()["error"], r.text
        assert r.json()["type"] == "InstructionTooLongError"


def test_settings_hold_each_limit_once():
    names = set(Settings.model_fields)
    assert {"max_image_pixels", "max_instruction_chars"} <= names
    assert not {"api_max_pixels", "api_max_instruction_chars"} & names  # no second copy for the HTTP API


def test_old_api_limit_names_still_set_the_one_limit(tmp_path):
    s = Settings.load(env={"BRUSHEDIT_API_MAX_PIXELS": "123456", "BRUSHEDIT_API_MAX_INSTRUCTION_CHARS": "77"},
                      data_dir=tmp_path)
    assert (s.max_image_pixels, s.max_instruction_chars) == (123456, 77)


@pytest.mark.parametrize("fmt", ["PPM", "ICO", "TGA"])
def test_only_the_formats_we_decode_are_accepted_everywhere(tmp_path, fmt):
    """A file PIL could open but that is not one of our formats is refused the same way by the CLI's
    loader and the HTTP upload: a typed error naming the allowed formats."""
    from app.uploads import decode_image

    path = tmp_path / f"x.{fmt.lower()}"
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(path, format=fmt)
    for load in (lambda: load_image(path), lambda: decode_image(path.read_bytes(), ImageLimits())):
        with pytest.raises(BadImageError, match="PNG, JPEG, WebP, BMP, TIFF or GIF"):
            load()
