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
