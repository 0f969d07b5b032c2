"""`python -m evals.runner conversation`: the reference, compound and refusal suites in one report."""
import json

from evals.runner import main


def test_conversation_subcommand_prints_and_writes_a_report(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["conversation", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "reference:" in text and "compound:" in text and "not an edit, refused" in text
    report = json.loads(out.read_text())
    assert report["suite"] == "conversation" and report["planner"] == "rules"
    assert report["reference"]["n"] >= 40 and report["compound"]["n"] >= 40 and report["refusals"]["n"] >= 25
    assert {"ok", "got", "references", "undo"} <= set(report["reference"]["rows"][0])


def test_a_bad_case_file_is_a_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "x"}\n')  # no turns, no gold
    assert main(["conversation", "--reference", str(bad), "--compound", str(bad)]) == 2
    assert "is not a valid reference case" in capsys.readouterr().err
