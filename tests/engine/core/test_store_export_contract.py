"""Exported images are real PNG files of the stored pixels, whatever format the store keeps.

The store keeps images as QOI (engine/image_codecs.py); Session.export and the HTML report write
through `store.export_png`, the HTTP API serves `store.png_bytes`. Copying store files byte for
byte would give '.png' files holding QOI bytes, which Pillow opens but browsers do not.
"""
import numpy as np
from PIL import Image

from agent.session import Session
from engine.settings import Settings


def test_session_export_writes_png_files_of_the_stored_pixels(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "home")
    image = np.random.default_rng(0).integers(0, 256, (32, 48, 3), dtype=np.uint8)
    out = Session.new("s", image, settings).export(tmp_path / "out")
    for name in ("head.png", "v0.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(out / name) as png:
            assert png.format == "PNG" and np.array_equal(np.asarray(png.convert("RGB")), image)
