"""`brushedit mask` on the real photo (lite profile, no models) and with tiny GroundingDINO + SAM."""
from pathlib import Path

import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from app.commands.mask import mask_command
from engine import masks as M

PHOTO = Path(__file__).resolve().parents[3] / "app" / "assets" / "coffee.png"  # 600 x 400
SPOON = "320,60,110,270"

app = typer.Typer()
app.command("mask")(mask_command)
app.command("version")(lambda: None)  # a second command keeps `mask` a sub-command, as in the real CLI


def run(tmp_path, *args):
    result = CliRunner().invoke(app, ["mask", str(PHOTO), "--data-dir", str(tmp_path / "home"), *args])
    return result, tmp_path / "mask.png"


def read_mask(path):
    return np.asarray(Image.open(path).convert("L")) > 127


def test_box_mask_on_the_photo_is_written_at_original_size_with_overlay(tmp_path):
    r, out = run(tmp_path, "--box", SPOON, "--profile", "lite", "--out", str(tmp_path / "mask.png"),
                 "--overlay", str(tmp_path / "overlay.png"))
    assert r.exit_code == 0, r.output
    mask = read_mask(out)
    box = M.box_mask((400, 600), (320, 60, 110, 270))
    assert mask.shape == (400, 600) and mask[283, 363] and mask[100, 408]  # the spoon's bowl and handle
    assert not mask[150, 340] and mask.sum() < 0.4 * box.sum()  # segmented in the box, not the box: no cup
    assert not (mask & ~M.dilate(box, 2)).any()  # the classical mask grows by 2 working px (1.25 here)
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    overlay = np.asarray(Image.open(tmp_path / "overlay.png"))
    assert np.array_equal(overlay[~mask], photo[~mask]) and (overlay[mask][:, 0] >= photo[mask][:, 0]).all()
    assert "user-box" in r.output


def test_explicit_dilation_is_exact(tmp_path):
    r, out = run(tmp_path, "--box", SPOON, "--dilate", "0", "--out", str(tmp_path / "mask.png"))
    assert r.exit_code == 0, r.output
    tight = read_mask(out)
    r, out = run(tmp_path, "--box", SPOON, "--dilate", "16", "--out", str(tmp_path / "mask.png"))
    grown = read_mask(out)
    assert tight.sum() < grown.sum() and (tight <= grown).all()
    assert grown.sum() > M.dilate(tight, 8).sum() * 0.9  # 16 working px = 10 px here


def test_categories_global_addition_and_invert(tmp_path):
    r, out = run(tmp_path, "--category", "global", "--out", str(tmp_path / "mask.png"))
    assert r.exit_code == 0 and read_mask(out).all()
    r, out = run(tmp_path, "--category", "addition", "--box", "100,100,200,100", "--out", str(tmp_path / "mask.png"))
    assert r.exit_code == 0, r.output
    mask = read_mask(out)
    assert mask[150, 200] and not mask[101, 101] and not mask[:100].any() and not mask[:, 300:].any()
    r, out = run(tmp_path, "--box", SPOON, "--dilate", "0", "--out", str(tmp_path / "mask.png"))
    plain = read_mask(out)
    r, out = run(tmp_path, "--box", SPOON, "--dilate", "0", "--invert", "--out", str(tmp_path / "mask.png"))
    assert r.exit_code == 0 and np.array_equal(read_mask(out), ~plain)


@pytest.mark.parametrize("args, words", [
    (["--target", "spoon", "--box", SPOON], "either --target or --box"),
    (["--box", "1,2,3"], "four numbers"),
    (["--box", "900,900,10,10"], "outside"),
    (["--category", "recolor", "--box", SPOON], "--category must be one of"),
    (["--target", "spoon", "--profile", "lite"], "GroundingDINO"),
    (["--target", "spoon", "--detector", "grounding-dino", "--detector-model", "/nonexistent/gd"], "/nonexistent/gd"),
])
def test_bad_input_is_one_line_nonzero_and_writes_nothing(tmp_path, args, words):
    r, out = run(tmp_path, *args, "--out", str(tmp_path / "mask.png"), "--overlay", str(tmp_path / "o.png"))
    assert r.exit_code != 0 and words in r.output
    assert r.output.strip().startswith("error:") and len(r.output.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "o.png").exists()


def test_missing_image_is_a_clean_error(tmp_path):
    r = CliRunner().invoke(app, ["mask", str(tmp_path / "nope.png"), "--box", SPOON, "--out", str(tmp_path / "m.png")])
    assert r.exit_code == 1 and "not found" in r.output and not (tmp_path / "m.png").exists()


def test_target_with_tiny_models_from_local_dirs(tmp_path, tiny_gd_dir, tiny_sam_dir):
    r, out = run(tmp_path, "--target", "red cup", "--detector", "grounding-dino", "--detector-model", str(tiny_gd_dir),
                 "--segmenter", "sam", "--sam-model", str(tiny_sam_dir), "--device", "cpu", "--box-threshold", "0",
                 "--text-threshold", "0", "--out", str(tmp_path / "mask.png"))
    assert r.exit_code == 0, r.output
    mask = read_mask(out)
    assert mask.shape == (400, 600) and mask.any() and "detector" in r.output and "box(es)" in r.output
