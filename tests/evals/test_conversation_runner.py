"""`python -m evals.runner conversation`: the reference, compound and refusal suites in one report."""
import json

from evals.conversation_suite import run
from evals.runner import main
from engine.planners.rules import RulesPlanner



def test_conversation_suite_through_the_eval_runner(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.json"
    assert main(["conversation", "--out", str(out), "--no-progress"]) == 0
    assert "reference" in capsys.readouterr().out
    report = json.loads(out.read_text())["suite_report"]
    assert set(report["summary"]) == {"reference_accuracy", "compound_accuracy", "refusal_accuracy"}
    assert report["reference"]["n"] >= 40 and report["compound"]["n"] >= 40 and report["refusals"]["n"] >= 25
    assert {"ok", "got", "references", "undo"} <= set(report["reference"]["rows"][0])


def test_cases_files_pick_their_suite_by_content():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "evals" / "cases"
    report = run(RulesPlanner(), cases=f"{root / 'conversation_compound_holdout.jsonl'},{root / 'planner_refusals.jsonl'}")
    assert "reference" not in report and report["compound"]["n"] == 50 and report["refusals"]["n"] == 40
