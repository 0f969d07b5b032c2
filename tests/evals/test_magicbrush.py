"""MagicBrush: the loader on a fixture in the released test layout and multi-turn runs scored per turn."""
from __future__ import annotations

import numpy as np
import pytest

from engine.errors import BrushEditError
from engine.masks import dilate
from evals import magicbrush
from evals.runner import EvalOptions, run_eval
from tests.evals.benchmark_fixtures import make_magicbrush


def test_loader_reads_sessions_masks_and_captions(tmp_path) -> None:
    root, objs = make_magicbrush(tmp_path / "test")
    cases = magicbrush.load(root)
    assert [c.id for c in cases] == ["101", "202"] and [len(c.turns) for c in cases] == [2, 1]
    t1, t2 = cases[0].turns
    assert t1.instruction == "remove the oval" and t1.gt_image.endswith("images/101/101-output1.png")
    assert np.array_equal(t1.gt_mask, dilate(objs["a"].mask, 4))  # the white strokes, not the white photo pixels
    assert t2.caption == "an astronaut" and t1.mask is None
    assert cases[1].turns[0].caption == "a red cat"
    assert magicbrush.load(root / "edit_sessions.json", mask_provided=True)[0].turns[0].mask is not None
    independent = magicbrush.load(root, independent=True)
    assert [c.id for c in independent] == ["101#1", "101#2", "202#1"]
    assert independent[1].image.endswith("101-output1.png")  # starts from the ground-truth input of turn 2


def test_black_and_white_mask_files_are_read_too(tmp_path) -> None:
    from PIL import Image

    m = np.zeros((8, 8), np.uint8)
    m[2:5, 3:6] = 255
    Image.fromarray(m).save(tmp_path / "m.png")
    photo = np.full((8, 8, 3), 255, np.uint8)  # a white photo: a painted-on mask could not be told from it
    assert np.array_equal(magicbrush.read_mask(tmp_path / "m.png", photo), m > 0)


def test_multi_turn_run_scores_each_turn_against_its_ground_truth(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    root, _ = make_magicbrush(tmp_path / "test")
    rep = run_eval(EvalOptions(target=str(root), out=tmp_path / "run", profile="lite", mask_provided=True,
                               progress=False))
    by_id = {c["id"]: c for c in rep["cases"]}
    s1 = by_id["101"]
    assert [t["status"] for t in s1["turns"]] == ["committed", "committed"]
    assert all(c["ok"] for t in s1["turns"] for c in t["checks"] if c["name"] != "quality")
    for t in s1["turns"]:
        m = t["metrics"]
        assert 0 < m["gt_l1"] < 0.05 and 0 < m["gt_l2"] < m["gt_l1"]
        assert m["clip_i"] == m["dino"] == m["clip_t"] == "model not present"
    assert s1["turns"][1]["parent"] == "v1"  # turn 2 edits turn 1's result (iterative)
    assert by_id["202"]["status"] == "refused" and "UnsupportedEditError" in by_id["202"]["reason"]
    tables = rep["summary"]["magicbrush"]
    assert tables["final_turn"]["scored"] == 1 and tables["all_turns"]["scored"] == 2
    assert tables["final_turn"]["gt_l1"]["mean"] == pytest.approx(s1["turns"][1]["metrics"]["gt_l1"])


def test_clip_i_dino_clip_t_with_tiny_models(tmp_path) -> None:
    pytest.importorskip("transformers")
    from tests.evals.tiny_metric_models import save_tiny_clip, save_tiny_dino

    root, _ = make_magicbrush(tmp_path / "test")
    rep = run_eval(EvalOptions(target=str(root / "edit_sessions.json"), out=tmp_path / "run", profile="lite",
                               mask_provided=True, independent_turns=True, only="101#*", progress=False,
                               clip_i_model=str(save_tiny_clip(tmp_path / "clip")),
                               dino_model=str(save_tiny_dino(tmp_path / "dino"))))
    assert [c["id"] for c in rep["cases"]] == ["101#1", "101#2"]
    for c in rep["cases"]:
        m = c["turns"][0]["metrics"]
        assert 0.5 < m["clip_i"] <= 1.0 + 1e-9 and 0.5 < m["dino"] <= 1.0 + 1e-9 and -1 <= m["clip_t"] <= 1


def test_a_broken_layout_names_the_missing_file(tmp_path) -> None:
    root, _ = make_magicbrush(tmp_path / "test")
    (root / "images" / "101" / "101-mask2.png").unlink()
    with pytest.raises(BrushEditError, match="101-mask2.png"):
        magicbrush.load(root)
