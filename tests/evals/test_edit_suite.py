import json
from pathlib import Path

from evals.edit_suite import EditCase, format_edit_summary, load_edit_cases, run_edit_suite
from evals.runner import main


def test_offline_edit_cases_pass_and_keep_outside_pixels(tmp_path):
    out = tmp_path / "r.json"
    assert main(["edit", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["passed"] == report["turns"] >= 6
    committed = [r for r in report["rows"] if r["status"] == "committed"]
    assert committed and all(r["outside_unchanged"] == 1.0 for r in committed)
    assert any(r["status"] == "error" and r["error"] == "UnsupportedEditError" for r in report["rows"])


def test_wrong_expectation_is_reported_as_failure(tmp_path):
    from evals.edit_suite import default_factory

    case = EditCase.model_validate({"id": "c", "image": str(load_edit_cases(
        Path(__file__).parents[2] / "evals/cases/edit_offline.jsonl")[0].image), "turns": [
        {"instruction": "remove the spoon", "box": [322, 62, 108, 266], "expect_category": "global"},
        {"instruction": "remove the spoon", "expect_error": "EmptyMaskError"}]})
    report = run_edit_suite([case], default_factory({"data_dir": tmp_path}))
    assert report["passed"] == 0 and "FAIL" in format_edit_summary(report)
