"""`brushedit eval` / `python -m evals.runner`: reports, resume, reproducibility, typed errors, escaping."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import BrushEditError
from evals import runner
from evals.runner import EvalOptions, run_eval

SOME = "removal/syn-000*,removal/syn-016*,session/two-objects*,refusal/gibberish,refusal/undo-at-root,adjust/brighter"
VOLATILE = {"run", "options", "seconds", "timings", "seconds_per_edit", "seconds_per_edit_median", "seconds_per_stage"}


def _stable(value):
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _opts(out: Path, **kw) -> EvalOptions:
    return EvalOptions(target="bundled", out=out, profile="lite", only=SOME, progress=False, **kw)


def test_resumed_run_gives_the_same_report_as_a_fresh_one(tmp_path) -> None:
    fresh = run_eval(_opts(tmp_path / "fresh"))
    assert fresh["run"]["resumed_cases"] == 0 and len(fresh["cases"]) == 6
    partial = run_eval(_opts(tmp_path / "resumed", limit=2))
    assert len(partial["cases"]) == 2
    resumed = run_eval(_opts(tmp_path / "resumed"))
    assert resumed["run"]["resumed_cases"] == 2
    assert _stable(resumed) == _stable(fresh)
    on_disk = json.loads((tmp_path / "resumed" / "report.json").read_text())
    assert _stable(on_disk) == _stable(json.loads((tmp_path / "fresh" / "report.json").read_text()))


def test_report_records_everything_and_every_picture_exists(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    rep = run_eval(_opts(tmp_path / "r"))
    assert rep["settings"]["openai_api_key"] == "***" and "sk-secret" not in (tmp_path / "r/report.json").read_text()
    assert rep["agent_models"]["planner"] == "rules" and rep["settings"]["seed"] == 0
    assert set(rep["prompts"]) >= {"plan", "verify"} and all(len(h) == 64 for h in rep["prompts"].values())
    env = rep["environment"]
    assert env["packages"]["numpy"] and env["cpu_count"] and env["python"]
    assert rep["nondeterministic"]["across_machines"] and "cases[].turns[].timings" in rep["nondeterministic"]["fields"]
    case = {c["id"]: c for c in rep["cases"]}["removal/syn-000-astronaut-ellipse"]
    turn = case["turns"][0]
    assert {"source", "mask", "result", "changes", "truth"} <= set(turn["images"])
    for c in rep["cases"]:
        for t in c["turns"]:
            for pic in t["images"].values():
                for rel in pic.values():
                    assert (tmp_path / "r" / rel).is_file(), rel
    assert turn["metrics"]["mask_iou"] > 0 and "gt_psnr_region" in turn["metrics"]
    assert turn["plan"]["category"] == "remove" and turn["planner_calls"] == 1 and turn["vlm_calls"] == 0
    assert rep["summary"]["agent"]["category_accuracy"] is not None
    html = (tmp_path / "r" / "report.html").read_text()
    assert html.index("syn-000") > html.index("Cases (")  # per-case section present
    first_pass = html.index('class="badge passed">passed</span> refusal/')
    assert html.index("removal/syn-000") < first_pass  # failures first


def test_the_run_dir_refuses_a_run_with_other_settings(tmp_path) -> None:
    run_eval(_opts(tmp_path / "r", limit=1))
    with pytest.raises(BrushEditError, match=r"different run \(seed: 0 -> 3"):
        run_eval(_opts(tmp_path / "r", limit=1, seed=3))
    rep = run_eval(_opts(tmp_path / "r", limit=1, seed=3, restart=True))
    assert rep["settings"]["seed"] == 3 and rep["run"]["resumed_cases"] == 0


def test_options_without_their_setting_fail_with_a_typed_error(tmp_path) -> None:
    from engine.settings import Settings

    if "candidates" not in Settings.model_fields:
        with pytest.raises(BrushEditError, match="`candidates` setting"):
            run_eval(_opts(tmp_path / "r", candidates=3))
    with pytest.raises(BrushEditError, match="verify"):
        run_eval(_opts(tmp_path / "r", verify="no-such-judge"))
    with pytest.raises(BrushEditError, match="neither a suite nor"):
        run_eval(EvalOptions(target="nonsense", out=tmp_path / "x", progress=False))


def test_html_escapes_case_text(tmp_path) -> None:
    evil = "<script>alert('x')</script>"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": f"c{evil}", "image": "bundled:coffee", "note": evil,
                                 "instruction": f"remove the {evil}", "box": [322, 62, 108, 266]}) + "\n")
    run_eval(EvalOptions(target=str(cases), out=tmp_path / "r", progress=False))
    html = (tmp_path / "r" / "report.html").read_text()
    assert evil not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_module_alias_and_older_forms(tmp_path, capsys) -> None:
    assert runner.main(["edit", "--out", str(tmp_path / "edit.json"), "--no-progress"]) == 0
    report = json.loads((tmp_path / "edit.json").read_text())
    assert report["suite"] == "edit" and (tmp_path / "edit" / "report.html").is_file()
    assert report["summary"]["counts"]["n"] == 3
    assert any(t.get("error", {}).get("type") == "UnsupportedEditError" for c in report["cases"] for t in c["turns"])
    assert "edit:" in capsys.readouterr().out
    from engine.settings import Settings

    if "candidates" not in Settings.model_fields:
        assert runner.main(["bundled", "--out", str(tmp_path / "o"), "--candidates", "2", "--no-progress"]) == 2
        assert "`candidates` setting" in capsys.readouterr().err


def test_cli_eval_command(tmp_path) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    res = CliRunner().invoke(app, ["eval", "bundled", "--out", str(tmp_path / "r"), "--only", "refusal/*"])
    assert res.exit_code == 0, res.output
    assert "refusal" in res.output and (tmp_path / "r" / "report.html").is_file()
    res = CliRunner().invoke(app, ["eval", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and "error:" in res.output


def test_vlm_requests_are_counted_per_edit(tmp_path, monkeypatch) -> None:
    from engine import backends
    from engine.plan import EditPlan, PlanResult

    class TwoRequestVLM:  # a VLM planner that needed a repair re-ask: two requests for one plan
        name = "fake-vlm"

        def plan(self, request):
            plan = EditPlan(category="remove", target="spoon", caption="table")
            return PlanResult(plan=plan, planner=self.name, requests=2)

    monkeypatch.setattr(backends, "make_planner", lambda settings: TwoRequestVLM())
    cases = tmp_path / "c.jsonl"
    cases.write_text(json.dumps({"id": "spoon", "image": "bundled:coffee", "turns": [
        {"instruction": "remove the spoon", "box": [322, 62, 108, 266]},
        {"instruction": "remove it again", "box": [322, 62, 108, 266]}]}) + "\n")
    rep = run_eval(EvalOptions(target=str(cases), out=tmp_path / "r", planner="openai", progress=False))
    assert [t["vlm_calls"] for t in rep["cases"][0]["turns"]] == [2, 2]
    assert rep["summary"]["agent"]["vlm_calls_per_edit"]["mean"] == 2
    assert rep["agent_models"]["planner"] == "openai"
