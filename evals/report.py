"""Write DIR/report.json (everything) and DIR/report.html (what a person looks at).

The HTML is rendered by jinja2 with autoescaping on, from evals/templates/report.html: every
instruction, caption, case id, error message and file name from the cases is escaped.
"""
from __future__ import annotations

import math
from pathlib import Path

import jinja2

from evals.results import clean, write_json

TEMPLATES = Path(__file__).resolve().parent / "templates"
ORDER = {"failed": 0, "refused": 1, "passed": 2}
PICTURES = (("head", "head after the move"), ("source", "source"), ("mask", "mask (agent)"), ("result", "result"), ("changes", "changed pixels"),
            ("truth", "ground truth"), ("zoom", "zoom: source | result | truth"))


def fmt(value, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value == "inf" or (isinstance(value, float) and math.isinf(value)):
        return "∞"
    if isinstance(value, float):
        if value == 0:
            return "0"
        mag = math.floor(math.log10(abs(value)))
        return f"{value:.{max(0, digits - 1 - mag)}f}" if -3 <= mag < digits else f"{value:.{digits - 1}e}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v, digits) for v in value)
    return str(value)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = fmt
    return env


def ordered_cases(cases: list[dict]) -> list[dict]:
    """Failures first, then refusals, then passes; the suite's order within each."""
    return sorted(cases, key=lambda c: ORDER.get(c["status"], 0))


def write(out: Path, report: dict, json_path: Path | None = None) -> tuple[Path, Path]:
    """report.json (or `json_path`) and report.html in `out`."""
    report = clean(report)
    json_path = Path(json_path or out / "report.json")
    write_json(json_path, report)
    html = _env().get_template("report.html").render(
        r=report, cases=ordered_cases(report.get("cases", [])), pictures=PICTURES,
        json_name=json_path.name)
    html_path = out / "report.html"
    html_path.write_text(html, encoding="utf-8")
    return json_path, html_path


def text_summary(report: dict) -> str:
    """A few lines for the terminal."""
    sr = report.get("suite_report")
    if sr is not None:
        return sr.get("text") or f"{report['suite']}: " + ", ".join(
            f"{k} {fmt(v)}" for k, v in (sr.get("summary") or {}).items())
    s = report["summary"]
    c = s["counts"]
    lines = [f"{report['suite']}: {c['passed']}/{c['n']} cases passed, {c['failed']} failed, {c['refused']} refused"
             + (f", {len(report['skipped'])} skipped (other profile)" if report.get("skipped") else "")]
    for name, g in s["by_suite"].items():
        lines.append(f"  {name:<34} {g['passed']:>4}/{g['n']:<4} passed {g['refused']:>4} refused")
    for c in ordered_cases(report.get("cases", [])):
        if c["status"] != "passed":
            lines.append(f"  {c['status'].upper():<8} {c['id']}: {c['reason'][:160]}")
    for kind, m in (report.get("metric_models") or {}).items():
        if m.get("present") is False:
            lines.append(f"  metric model '{kind}' not present ({m['reason']}): {m['fix']}")
    return "\n".join(lines)
