"""The planner eval suite and its command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import BrushEditError
from engine.plan import CATEGORIES, EditPlan, PlanResult
from evals import runner
from evals.planner_suite import format_summary, load_cases, run_planner_suite


class FixedPlanner:
    name = "fixed"

    def plan(self, request):
        return PlanResult(plan=EditPlan(category="remove", target="dog", caption="grass"), planner=self.name)


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_suite_scores_per_category_and_confusion(tmp_path: Path) -> None:
    path = _write(tmp_path, [
        {"id": "a", "instruction": "remove the dog", "category": "remove", "target": "dog"},
        {"id": "b", "instruction": "make it winter", "category": "global", "target": ""},
    ])
    report = run_planner_suite(FixedPlanner(), load_cases(path))
    assert report["n"] == 2 and report["category_accuracy"] == 0.5 and report["target_accuracy"] == 0.5
    assert report["per_category"]["remove"]["category_accuracy"] == 1.0
    assert report["confusion"]["global"]["remove"] == 1
    assert [f["id"] for f in report["failures"]] == ["b"]
    text = format_summary(report)
    assert "category 50.0%" in text and "make it winter" in text


def test_bad_case_line_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"instruction": "x", "category": "local", "target": ""}, {"instruction": "y", "category": "zoom"}])
    with pytest.raises(BrushEditError, match=":2 is not a valid planner case"):
        load_cases(path)
    with pytest.raises(BrushEditError, match="not found"):
        load_cases(tmp_path / "missing.jsonl")


def test_cli_runs_rules_planner_and_writes_report(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BRUSHEDIT_HOME", str(tmp_path / "home"))
    cases = _write(tmp_path, [
        {"instruction": "Could you remove the lamp?", "category": "remove", "target": "lamp"},
        {"instruction": "Change the background to a forest", "category": "background", "target": ""},
    ])
    out = tmp_path / "out" / "report.json"
    assert runner.main(["planner", "--cases", str(cases), "--planner", "rules", "--out", str(out)]) == 0
    report = json.loads(out.read_text())["suite_report"]
    assert report["planner"] == "rules" and report["category_accuracy"] == 1.0 and report["n"] == 2
    assert "confusion" in capsys.readouterr().out


@pytest.mark.parametrize("name,minimum", [("planner_dev.jsonl", 250), ("planner_holdout.jsonl", 120)])
def test_shipped_case_files_are_valid_and_cover_every_category(name: str, minimum: int) -> None:
    cases = load_cases(Path(runner.DEFAULT_CASES).parent / name)
    assert len(cases) >= minimum
    counts = {c: sum(case.category == c for case in cases) for c in CATEGORIES}
    assert min(counts.values()) >= len(cases) // 8, counts  # roughly even
    assert len({case.instruction.lower() for case in cases}) == len(cases)  # no duplicates
    assert all(case.target == "" for case in cases if case.category == "global")


def test_cli_reports_missing_cases_file(tmp_path: Path, capsys) -> None:
    assert runner.main(["planner", "--cases", str(tmp_path / "nope.jsonl")]) == 2
    assert "Cases file not found" in capsys.readouterr().err
