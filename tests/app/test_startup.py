"""Commands that load no model must not import the heavy stacks (they start in well under a second)."""
import json
import subprocess
import sys

from helpers import PHOTO, ROOT

PROBE = """
import sys, json
from typer.testing import CliRunner
from app.cli import app
r = CliRunner()
out = [r.invoke(app, args).exit_code for args in {commands}]
heavy = sorted(m for m in ("torch", "diffusers", "transformers", "langgraph", "langchain_openai", "openai")
               if m in sys.modules)
print(json.dumps({{"codes": out, "heavy": heavy}}))
"""


def test_plan_history_undo_help_import_no_heavy_stack(tmp_path):
    home = str(tmp_path)
    subprocess.run([sys.executable, "-m", "app.cli", "new", str(PHOTO), "-s", "s", "--data-dir", home], check=True,
                   cwd=ROOT, capture_output=True)
    commands = [["--help"], ["plan", "remove the dog", "--json"], ["history", "-s", "s", "--data-dir", home],
                ["checkout", "v0", "-s", "s", "--data-dir", home], ["sessions", "--data-dir", home]]
    out = subprocess.run([sys.executable, "-c", PROBE.format(commands=commands)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0, 0, 0, 0]
    assert result["heavy"] == []
