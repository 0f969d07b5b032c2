"""PIE-Bench: the run-length decoder against a hand-made mask, the loader and a run on a fixture
folder in the released layout."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine.errors import BrushEditError
from evals import pie_bench
from evals.runner import EvalOptions, run_eval
from tests.evals.benchmark_fixtures import make_pie_bench, rle_encode


def test_mask_decode_hand_made() -> None:
    # row 0, columns 2..4; row 3, columns 510..511 and row 4 columns 0..1 (a run wraps row-major)
    enc = [2, 3, 3 * 512 + 510, 4]
    m = pie_bench.mask_decode(enc, border=False)
    want = np.zeros((512, 512), bool)
    want[0, 2:5] = True
    want[3, 510:] = True
    want[4, :2] = True
    assert np.array_equal(m, want)
    b = pie_bench.mask_decode(enc)  # the reference evaluation's border rule
    assert b[0].all() and b[-1].all() and b[:, 0].all() and b[:, -1].all()
    assert np.array_equal(b[1:-1, 1:-1], want[1:-1, 1:-1])
    # a run past the end of the grid is clipped, as `min(length, H*W - start)` does
    assert pie_bench.mask_decode([512 * 512 - 2, 10], border=False).sum() == 2
    assert np.array_equal(pie_bench.mask_decode(rle_encode(want), border=False), want)
    with pytest.raises(BrushEditError, match="even count"):
        pie_bench.mask_decode([1, 2, 3])


def test_loader_reads_the_released_layout(tmp_path) -> None:
    root = make_pie_bench(tmp_path / "PIE-Bench_v1")
    cases = pie_bench.load(root)
    assert [c.id for c in cases] == ["300000000000", "100000000001", "900000000002"]
    delete, change, style = cases
    t = delete.turns[0]
    assert t.instruction == "remove the oval" and t.expect_category == "remove" and t.mask is None
    assert t.caption == "a woman in a space suit"  # brackets stripped as the reference does
    assert t.gt_mask[0].all() and t.info["editing_type"] == "delete object"
    assert change.category == "local" and style.category == "global"
    assert delete.image.endswith("annotation_images/3_delete_object_80/1_artificial/1_animal/300000000000.jpg")
    provided = pie_bench.load(root / "mapping_file.json", mask_provided=True)[0].turns[0]
    assert provided.mask is not None and not provided.mask[0].all()  # the user's mask has no border fill
    with pytest.raises(BrushEditError, match="No PIE-Bench mapping_file.json"):
        pie_bench.load(tmp_path)


def test_lite_run_refuses_what_needs_a_model_and_scores_the_mask_provided_removal(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # no LPIPS backbone there
    root = make_pie_bench(tmp_path / "pie")
    rep = run_eval(EvalOptions(target=str(root), out=tmp_path / "run", profile="lite", progress=False))
    assert rep["protocol"] == "pie-bench" and rep["summary"]["counts"]["refused"] == 3
    assert all("UnsupportedEditError" in c["reason"] for c in rep["cases"])
    assert rep["summary"]["pie_bench"]["scored"] == 0

    rep = run_eval(EvalOptions(target=str(root), out=tmp_path / "run-mask", profile="lite", mask_provided=True,
                               progress=False))
    by_id = {c["id"]: c for c in rep["cases"]}
    removal = by_id["300000000000"]["turns"][0]
    assert removal["status"] == "committed" and by_id["300000000000"]["status"] in ("passed", "failed")
    assert {c["name"] for c in removal["checks"]} >= {"preserved", "category", "quality"}
    assert all(c["ok"] for c in removal["checks"] if c["name"] != "quality")  # benchmarks: no gt thresholds
    m = removal["metrics"]
    assert m["unedited_region"] == "ground-truth mask"
    # the classical fill fades in over a 3 px margin around the painted mask (no hard seam), so the
    # unedited part next to PIE's mask changes slightly; beyond that margin it is identical
    assert m["unedited_psnr"] > 40 and m["unedited_mse"] < 1 and m["unedited_ssim"] == pytest.approx(1.0, abs=1e-3)
    assert m["unedited_lpips"] == "model not present" and m["clip_whole"] == "model not present"
    table = rep["summary"]["pie_bench"]
    assert table["scored"] == 1 and table["not_scored"]["refused"] == 2
    assert table["unedited_mse"]["shown"] < 1 and table["unedited_psnr"]["shown"] > 40
    assert table["unedited_lpips"]["missing"] == ["model not present"] and table["unedited_lpips"]["shown"] is None
    assert (tmp_path / "run-mask" / "report.html").read_text().count("BrushEdit paper") == 1


def test_pie_columns_with_tiny_models(tmp_path) -> None:
    pytest.importorskip("transformers")
    from tests.evals.tiny_metric_models import save_tiny_clip, save_tiny_squeezenet

    root = make_pie_bench(tmp_path / "pie")
    rep = run_eval(EvalOptions(target=str(root), out=tmp_path / "run", profile="lite", mask_provided=True,
                               clip_model=str(save_tiny_clip(tmp_path / "clip")), progress=False,
                               lpips_weights=save_tiny_squeezenet(tmp_path / "sq.pth"), only="3*"))
    m = rep["cases"][0]["turns"][0]["metrics"]
    assert all(isinstance(m[k], float) and math.isfinite(m[k]) for k in ("unedited_lpips", "clip_whole", "clip_edited"))
    assert 0 <= m["clip_whole"] <= 100 and m["unedited_lpips"] == pytest.approx(0.0, abs=1e-4)  # unedited part ~identical
    assert rep["metric_models"]["clip"]["present"] and rep["metric_models"]["lpips"]["present"]
