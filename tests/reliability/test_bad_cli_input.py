"""Bad command-line input, as a careful user types it: each case exits non-zero with ONE `error:` line, no
traceback, and leaves the session's history and every stored image exactly as they were.

The CLI runs in this process (the real `main`, parser included) so the family stays fast; a few of
the same inputs run as real processes in test_damaged_data_dir.py and test_cli_words.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers import PHOTO
from faults import BOX, assert_one_line_error, assert_unchanged, snapshot

BIG = "remove the spoon " * 62000  # ~1 MB
M = "{tmp}/m.png"

CASES = [
    # --- new: the image ------------------------------------------------------------------------
    ("new-missing", ["new", "{tmp}/missing.png", "-s", "x"], "missing.png", None),
    ("new-directory", ["new", "{tmp}/dir", "-s", "x"], "not found", None),
    ("new-text-file", ["new", "{tmp}/notes.png", "-s", "x"], "not a readable image", None),
    ("new-empty-file", ["new", "{tmp}/empty.png", "-s", "x"], "not a readable image", None),
    ("new-truncated-png", ["new", "{tmp}/trunc.png", "-s", "x"], "could not read", None),
    ("new-bomb-400mp", ["new", "{bomb_huge}", "-s", "x"], "max_image_pixels", None),
    ("new-bomb-64mp", ["new", "{bomb_big}", "-s", "x"], "8000x8000", None),
    ("new-10000x10", ["new", "{tmp}/wide.png", "-s", "x"], "max_image_aspect", None),
    ("new-40000x4", ["new", "{tmp}/thin.png", "-s", "x"], "40000x4", None),
    ("new-4x4", ["new", "{tmp}/tiny.png", "-s", "x"], "min_image_side", None),
    ("new-pixel-limit-env", ["new", PHOTO, "-s", "x"], "max_image_pixels", {"BRUSHEDIT_MAX_IMAGE_PIXELS": 1000}),
    ("new-exists", ["new", PHOTO, "-s", "s"], "already exists", None),
    ("new-name-dotdot", ["new", PHOTO, "-s", "../x"], "not allowed", None),
    ("new-name-space", ["new", PHOTO, "-s", "a b"], "not allowed", None),
    ("new-name-long", ["new", PHOTO, "-s", "a" * 65], "not allowed", None),
    ("new-name-ansi", ["new", PHOTO, "-s", "\x1b[2J"], "not allowed", None),
    ("new-name-empty", ["new", PHOTO, "-s", ""], "not allowed", None),
    ("new-no-session", ["new", PHOTO], "missing option", None),
    # --- settings, config file, data dir ---------------------------------------------------------
    ("data-dir-is-a-file", ["history", "-s", "s", "--data-dir", "{tmp}/file.txt"], "is a file", None),
    ("home-is-a-file", ["history", "-s", "s"], "is a file", {"BRUSHEDIT_HOME": "{tmp}/file.txt"}),
    ("config-not-a-table", ["history", "-s", "s", "--config", "{tmp}/not_table.toml"], "must be a table", None),
    ("config-not-utf8", ["history", "-s", "s", "--config", "{tmp}/latin1.toml"], "not UTF-8", None),
    ("config-bad-toml", ["history", "-s", "s", "--config", "{tmp}/bad.toml"], "not valid TOML", None),
    ("config-unknown-key", ["history", "-s", "s", "--config", "{tmp}/unknown.toml"], "bogus", None),
    ("config-bad-value", ["history", "-s", "s", "--config", "{tmp}/badvalue.toml"], "Fix it in", None),
    ("config-missing", ["history", "-s", "s", "--config", "{tmp}/nope.toml"], "not found", None),
    ("config-is-a-dir", ["history", "-s", "s", "--config", "{tmp}/dir"], "not found", None),
    ("env-config-missing", ["history", "-s", "s"], "nope.toml", {"BRUSHEDIT_CONFIG": "{tmp}/nope.toml"}),
    ("env-config-read", ["history", "-s", "s"], "must be a table", {"BRUSHEDIT_CONFIG": "{tmp}/not_table.toml"}),
    ("env-working-side-huge", ["history", "-s", "s"], "working_short_side", {"BRUSHEDIT_WORKING_SHORT_SIDE": 100000}),
    ("env-working-side-text", ["history", "-s", "s"], "working_short_side", {"BRUSHEDIT_WORKING_SHORT_SIDE": "big"}),
    ("env-mask-dilate-huge", ["history", "-s", "s"], "mask_dilate", {"BRUSHEDIT_MASK_DILATE": 100000}),
    ("env-blur-zero", ["history", "-s", "s"], "blur_kernel", {"BRUSHEDIT_BLUR_KERNEL": 0}),
    ("env-seed-negative", ["history", "-s", "s"], "seed", {"BRUSHEDIT_SEED": -1}),
    ("env-seed-2**70", ["history", "-s", "s"], "seed", {"BRUSHEDIT_SEED": 2**70}),
    ("env-profile-unknown", ["history", "-s", "s"], "profile", {"BRUSHEDIT_PROFILE": "huge"}),
    ("env-steps-zero", ["history", "-s", "s"], "steps", {"BRUSHEDIT_STEPS": 0}),
    ("env-max-pixels-zero", ["history", "-s", "s"], "max_image_pixels", {"BRUSHEDIT_MAX_IMAGE_PIXELS": 0}),
    ("env-instruction-limit-text", ["history", "-s", "s"], "max_instruction_chars",
     {"BRUSHEDIT_MAX_INSTRUCTION_CHARS": "many"}),
    ("env-dilate-over-image", ["edit", "-s", "s", "remove the spoon", "--box", BOX], "mask_dilate",
     {"BRUSHEDIT_MASK_DILATE": 1000}),
    ("env-blur-over-image", ["edit", "-s", "s", "remove the spoon", "--box", BOX], "blur_kernel",
     {"BRUSHEDIT_BLUR_KERNEL": 1001}),
    # --- edit: the instruction, box, mask, seed, combine -------------------------------------------------
    ("edit-empty", ["edit", "-s", "s", ""], "empty", None),
    ("edit-whitespace", ["edit", "-s", "s", "   ", "--box", BOX], "empty", None),
    ("edit-1mb-instruction", ["edit", "-s", "s", BIG, "--box", BOX], "max_instruction_chars", None),
    ("edit-2001-chars", ["edit", "-s", "s", "x" * 2001], "2001", None),
    ("edit-box-three", ["edit", "-s", "s", "remove it", "--box", "1,2,3"], "x,y,w,h", None),
    ("edit-box-words", ["edit", "-s", "s", "remove it", "--box", "a,b,c,d"], "x,y,w,h", None),
    ("edit-box-zero-width", ["edit", "-s", "s", "remove it", "--box", "1,1,0,5"], "w>0", None),
    ("edit-box-negative", ["edit", "-s", "s", "remove it", "--box", "1,1,-5,5"], "w>0", None),
    ("edit-box-nan", ["edit", "-s", "s", "remove it", "--box", "nan,1,5,5"], "finite", None),
    ("edit-box-inf", ["edit", "-s", "s", "remove it", "--box", "1,1,inf,5"], "finite", None),
    ("edit-box-outside", ["edit", "-s", "s", "remove it", "--box", "900,900,5,5"], "outside", None),
    ("edit-box-empty", ["edit", "-s", "s", "remove it", "--box", ""], "x,y,w,h", None),
    ("edit-mask-missing", ["edit", "-s", "s", "remove it", "--mask", "{tmp}/nomask.png"], "not found", None),
    ("edit-mask-wrong-size", ["edit", "-s", "s", "remove it", "--mask", "{tmp}/mask_small.png"], "100x100", None),
    ("edit-mask-bomb-400mp", ["edit", "-s", "s", "remove it", "--mask", "{bomb_huge}"], "max_image_pixels", None),
    ("edit-mask-bomb-64mp", ["edit", "-s", "s", "remove it", "--mask", "{bomb_big}"], "8000x8000", None),
    ("edit-mask-black", ["edit", "-s", "s", "remove it", "--mask", "{tmp}/mask_black.png"], "no white pixels", None),
    ("edit-mask-text", ["edit", "-s", "s", "remove it", "--mask", "{tmp}/notes.png"], "not a readable image", None),
    ("edit-combine-bogus", ["edit", "-s", "s", "remove the spoon", "--box", BOX, "--combine", "bogus"], "combine",
     None),
    ("edit-seed-2**70", ["edit", "-s", "s", "remove the spoon", "--box", BOX, "--seed", str(2**70)], "seed", None),
    ("edit-seed-negative", ["edit", "-s", "s", "remove the spoon", "--box", BOX, "--seed", "-1"], "seed", None),
    ("edit-seed-text", ["edit", "-s", "s", "remove the spoon", "--seed", "abc"], "--seed", None),
    ("edit-unknown-session", ["edit", "-s", "nosuch", "remove it", "--box", "1,1,5,5"], "nosuch", None),
    ("edit-session-and-out", ["edit", "-s", "s", "remove it", "--out", "{tmp}/o.png"], "only the instruction", None),
    ("edit-three-args", ["edit", PHOTO, "remove", "it", "--out", "{tmp}/o.png"], "One-shot", None),
    ("oneshot-no-out", ["edit", PHOTO, "remove the spoon"], "--out", None),
    ("oneshot-bad-suffix", ["edit", PHOTO, "remove the spoon", "--out", "{tmp}/o.gif"], ".png", None),
    ("oneshot-out-is-dir", ["edit", PHOTO, "remove the spoon", "--box", BOX, "--out", "{tmp}/dir.png"], "directory",
     None),
    ("oneshot-bomb", ["edit", "{bomb_huge}", "remove it", "--box", "1,1,5,5", "--out", "{tmp}/o.png"],
     "max_image_pixels", None),
    ("oneshot-10000x10", ["edit", "{tmp}/wide.png", "remove it", "--box", "1,1,5,5", "--out", "{tmp}/o.png"],
     "max_image_aspect", None),
    ("oneshot-missing", ["edit", "{tmp}/missing.png", "remove it", "--out", "{tmp}/o.png"], "not found", None),
    ("oneshot-mask-bomb", ["edit", PHOTO, "remove it", "--mask", "{bomb_huge}", "--out", "{tmp}/o.png"],
     "max_image_pixels", None),
    ("lite-local", ["edit", "-s", "s", "make the cup blue", "--box", "170,20,240,260"], "diffusion", None),
    ("lite-addition", ["edit", "-s", "s", "add a cat", "--box", "10,10,50,50"], "an 'addition' edit", None),
    ("lite-global", ["edit", "-s", "s", "make it winter"], "diffusion", None),
    ("lite-background-capability-first", ["edit", "-s", "s", "replace the background with a beach"],
     "cannot do a 'background' edit", None),
    ("lite-remove-without-box", ["edit", "-s", "s", "remove the spoon"], "GroundingDINO", None),
    ("edit-unknown-option", ["edit", "-s", "s", "remove it", "--bogus"], "--bogus", None),
    ("edit-profile-unknown", ["edit", "-s", "s", "remove it", "--profile", "huge"], "profile", None),
    ("edit-planner-unknown", ["edit", "-s", "s", "remove it", "--planner", "gpt"], "planner", None),
    ("edit-mode-unknown", ["edit", "-s", "s", "remove it", "--mode", "loop"], "planning_mode", None),
    ("edit-inpainter-unknown", ["edit", "-s", "s", "remove it", "--inpainter", "magic"], "inpainter", None),
    ("edit-detector-unknown", ["edit", "-s", "s", "remove it", "--detector", "yolo"], "detector", None),
    ("edit-segmenter-unknown", ["edit", "-s", "s", "remove it", "--segmenter", "magic"], "segmenter", None),
    ("full-offline-all-missing-at-once", ["edit", "-s", "s", "make the cup blue", "--profile", "full"],
     "5 model(s)", None),
    # --- review, head moves, history, export, gc ------------------------------------------------------------
    ("accept-nothing-pending", ["accept", "-s", "s"], "no edit waiting", None),
    ("reject-nothing-pending", ["reject", "-s", "s", "--reason", "meh"], "no edit waiting", None),
    ("checkout-unknown", ["checkout", "-s", "s", "v7"], "v7", None),
    ("checkout-path", ["checkout", "-s", "s", "../v0"], "../v0", None),
    ("checkout-empty", ["checkout", "-s", "s", ""], "no version", None),
    ("redo-nothing", ["redo", "-s", "s"], "nothing to redo", None),
    ("undo-unknown-session", ["undo", "-s", "nosuch"], "nosuch", None),
    ("history-unknown-session", ["history", "-s", "nosuch"], "nosuch", None),
    ("history-bad-name", ["history", "-s", "a/b"], "not allowed", None),
    ("export-out-is-a-file", ["export", "-s", "s", "--out", "{tmp}/file.txt"], "is a file", None),
    ("export-no-out", ["export", "-s", "s"], "--out", None),
    ("export-unknown-session", ["export", "-s", "nosuch", "--out", "{tmp}/e"], "nosuch", None),
    ("gc-negative-grace", ["gc", "--grace-minutes", "-1"], "--grace-minutes", None),
    ("gc-negative-wait", ["gc", "--wait", "-1"], "--wait", None),
    ("gc-data-dir-file", ["gc", "--data-dir", "{tmp}/file.txt"], "is a file", None),
    ("sessions-data-dir-file", ["sessions", "--data-dir", "{tmp}/file.txt"], "is a file", None),
    ("demo-out-is-users-dir", ["demo", "--out", "{tmp}/dir_nonempty"], "left as it is", None),
    # --- mask -----------------------------------------------------------------------------------------------
    ("mask-dilate-100000", ["mask", PHOTO, "--box", BOX, "--out", M, "--dilate", "100000"], "--dilate", None),
    ("mask-erode-100000", ["mask", PHOTO, "--box", BOX, "--out", M, "--erode", "100000"], "--erode", None),
    ("mask-dilate-negative", ["mask", PHOTO, "--box", BOX, "--out", M, "--dilate", "-1"], "--dilate", None),
    ("mask-combine-bogus", ["mask", PHOTO, "--box", BOX, "--out", M, "--combine", "bogus"], "combine", None),
    ("mask-shape-bogus", ["mask", PHOTO, "--box", BOX, "--out", M, "--shape", "star"], "shape", None),
    ("mask-category-bogus", ["mask", PHOTO, "--box", BOX, "--out", M, "--category", "paint"], "category", None),
    ("mask-target-and-box", ["mask", PHOTO, "--box", BOX, "--target", "spoon", "--out", M], "either", None),
    ("mask-no-target", ["mask", PHOTO, "--out", M], "needs --target", None),
    ("mask-box-outside", ["mask", PHOTO, "--box", "900,900,5,5", "--out", M], "outside", None),
    ("mask-image-missing", ["mask", "{tmp}/missing.png", "--box", BOX, "--out", M], "not found", None),
    ("mask-image-bomb", ["mask", "{bomb_huge}", "--box", "1,1,5,5", "--out", M], "max_image_pixels", None),
    ("mask-user-mask-size", ["mask", PHOTO, "--box", BOX, "--mask", "{tmp}/mask_small.png", "--combine", "union",
                             "--out", M], "100x100", None),
    ("mask-threshold-over-1", ["mask", PHOTO, "--box", BOX, "--out", M, "--box-threshold", "2"], "--box-threshold",
     None),
    ("mask-target-in-lite", ["mask", PHOTO, "--target", "spoon", "--out", M], "GroundingDINO", None),
    ("mask-out-is-dir", ["mask", PHOTO, "--box", BOX, "--out", "{tmp}/dir"], "dir", None),
    # --- plan, models, doctor, unknown ----------------------------------------------------------------------
    ("plan-empty", ["plan", ""], "empty", None),
    ("plan-1mb", ["plan", BIG], "max_instruction_chars", None),
    ("plan-image-missing", ["plan", "remove the dog", "--image", "{tmp}/missing.png"], "not found", None),
    ("plan-image-bomb", ["plan", "remove the dog", "--image", "{bomb_huge}"], "max_image_pixels", None),
    ("plan-planner-unknown", ["plan", "remove the dog", "--planner", "gpt"], "planner", None),
    ("models-profile-unknown", ["models", "--profile", "huge"], "profile", None),
    ("doctor-salvage-without-to", ["doctor", "--salvage", "s"], "go together", None),
    ("doctor-salvage-into-nonempty", ["doctor", "--salvage", "s", "--to", "{tmp}/dir_nonempty"], "not an empty", None),
    ("doctor-salvage-into-itself", ["doctor", "--salvage", "s", "--to", "{home}"], "NEW data dir", None),
    ("doctor-salvage-unknown-session", ["doctor", "--salvage", "nosuch", "--to", "{tmp}/new"], "nosuch", None),
    ("unknown-command", ["frobnicate"], "frobnicate", None),
]


@pytest.fixture
def files(tmp_path, bombs):
    """The odd files the cases name."""
    d = tmp_path / "in"
    (d / "dir").mkdir(parents=True)
    (d / "dir.png").mkdir()
    (d / "dir_nonempty").mkdir()
    (d / "dir_nonempty" / "keep.txt").write_text("mine")
    (d / "notes.png").write_text("not an image")
    (d / "empty.png").write_bytes(b"")
    (d / "file.txt").write_text("a file")
    (d / "trunc.png").write_bytes(PHOTO.read_bytes()[:3000])
    Image.new("RGB", (10000, 10), "white").save(d / "wide.png")
    Image.new("RGB", (40000, 4), "white").save(d / "thin.png")
    Image.new("RGB", (4, 4), "white").save(d / "tiny.png")
    Image.new("L", (100, 100), 255).save(d / "mask_small.png")
    Image.fromarray(np.zeros((400, 600), np.uint8)).save(d / "mask_black.png")
    (d / "not_table.toml").write_text('brushedit = "full"\n')
    (d / "latin1.toml").write_bytes('[brushedit]\nvlm_model = "caf\xe9"\n'.encode("latin-1"))
    (d / "bad.toml").write_text("[brushedit\nprofile = 'full'\n")
    (d / "unknown.toml").write_text("[brushedit]\nbogus = 1\n")
    (d / "badvalue.toml").write_text("[brushedit]\nsteps = -3\n")
    return {"tmp": str(d), "bomb_huge": str(bombs["huge"]), "bomb_big": str(bombs["big"])}


def _fill(value, names: dict) -> str:
    return str(value).format(**names) if isinstance(value, str) and "{" in value and value != BIG else str(value)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_one_line_error_nothing_changed(case, cli, home, files):
    _, args, needle, env = case
    names = {**files, "home": str(home)}
    env = {"BRUSHEDIT_HOME": str(home), **{k: _fill(v, names) for k, v in (env or {}).items()}}
    before = snapshot(home)
    r = cli(*[_fill(a, names) for a in args], env=env)
    assert_one_line_error(r, needle)
    assert_unchanged(before, home)
    assert sorted(p.name for p in (home.parent / "in" / "dir_nonempty").iterdir()) == ["keep.txt"]


def test_the_family_is_large():
    assert len(CASES) >= 102
