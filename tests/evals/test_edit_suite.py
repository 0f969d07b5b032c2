"""The edit suite (coffee-photo sessions) through the eval runner, and expectations that must fail."""
import json

from evals.edit_suite import cases as edit_cases
from evals.runner import EvalOptions, main, run_eval


def test_offline_edit_cases_pass_and_keep_outside_pixels(tmp_path):
    assert main(["edit", "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    turns = [t for c in report["cases"] for t in c["turns"]]
    assert len(turns) == len([t for c in edit_cases() for t in c.turns]) >= 6
    committed = [t for t in turns if t["status"] == "committed"]
    assert committed and all(t["metrics"]["outside_unchanged"] == 1.0 for t in committed)
    assert any(t["status"] == "error" and t["error"]["type"] == "UnsupportedEditError" and t["outcome"] == "passed"
               for t in turns)
    # every inpainted turn is also judged for quality (the lite box removal of the spoon is a smudge today)
    assert all(any(c["name"] == "quality" for c in t["checks"]) for t in committed)
    assert all(t["outcome"] == "passed" for t in turns if t["status"] == "error")


def test_wrong_expectation_is_reported_as_failure(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "c", "image": "bundled:coffee", "turns": [
        {"instruction": "remove the spoon", "box": [322, 62, 108, 266], "expect_category": "global"},
        {"instruction": "remove the spoon", "expect_error": "EmptyMaskError"}]}) + "\n")
    rep = run_eval(EvalOptions(target=str(path), out=tmp_path / "r", progress=False))
    t0, t1 = rep["cases"][0]["turns"]
    assert rep["cases"][0]["status"] == "failed"
    assert "category" in [c["name"] for c in t0["checks"] if not c["ok"]]
    assert t1["outcome"] == "failed" and "EmptyMaskError" in t1["reason"]
