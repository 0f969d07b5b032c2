"""A CLI whose words are true: literal help, a help line for every option, --version, hints that are
commands which work (run here as printed), terminal-safe history, private database files."""
from __future__ import annotations

import json
import re
import shlex
import stat
import subprocess
import sys

import pytest

from faults import BOX, assert_one_line_error, run_proc
from helpers import PHOTO, ROOT


def _commands():
    from typer.main import get_command

    from app.cli import app

    root = get_command(app)
    return root, root.commands


def test_help_shows_brackets_literally(cli):
    assert "needs the [web] extra" in cli("serve", "--help").out
    assert "[brushedit] table" in cli("edit", "--help").out
    assert "--queue" in cli("edit", "--help").out


def test_every_option_has_a_one_line_help():
    _, commands = _commands()
    missing = [f"{name} {p.opts[0]}" for name, cmd in commands.items() for p in cmd.params
               if p.param_type_name == "option" and not (getattr(p, "help", None) or "").strip()]
    assert missing == []
    assert {"models", "doctor", "mask", "gc", "edit"} <= set(commands)


def test_version(cli):
    r = cli("--version")
    assert r.code == 0 and re.match(r"brushedit \S+", r.out)


def _run_hint(hint: str, home) -> subprocess.CompletedProcess:
    args = shlex.split(hint)
    assert args[0] == "brushedit"
    return subprocess.run([sys.executable, "-m", "app.cli", *args[1:]], capture_output=True, text=True,
                          cwd=home.parent, env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin",
                                                "BRUSHEDIT_HOME": str(home)})


def test_edit_says_where_the_result_is_and_the_command_works(home, tmp_path):
    r = run_proc(home, "edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100", "--data-dir", home)
    assert r.code == 0, r.err
    hint = r.out.split("get it: ")[1].strip()
    assert "--data-dir" in hint and _run_hint(hint, home).returncode == 0
    written = home.parent / ("s-export" if "export" in hint else "s-v2.png")
    assert written.exists()
    out = tmp_path / "one" / "shot.png"
    r = run_proc(home, "edit", PHOTO, "remove the spoon", "--box", BOX, "--out", out)
    assert r.code == 0 and f"wrote {out.resolve()}" in r.out and out.exists()


def test_review_hints_are_commands_that_work(home):
    r = run_proc(home, "edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100", "--review")
    accept = re.search(r"`(brushedit accept[^`]*)`", r.out).group(1)
    assert re.search(r"`(brushedit reject[^`]*--reason[^`]*)`", r.out)
    done = _run_hint(accept, home)
    assert done.returncode == 0 and "v2 committed" in done.stdout


def test_history_never_sends_control_codes_to_the_terminal(cli, home):
    evil = "remove the spoon \x1b[2J\x1b]0;owned\x07\u202e"
    assert cli("edit", "-s", "s", evil, "--box", BOX, env={"BRUSHEDIT_HOME": home}).code == 0
    out = cli("history", "-s", "s", env={"BRUSHEDIT_HOME": home}).out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out
    raw = json.loads(cli("history", "-s", "s", "--json", env={"BRUSHEDIT_HOME": home}).out)
    assert raw["versions"][-1]["instruction"] == evil.strip()  # stored as given; only the display escapes


def test_no_hint_in_the_code_points_the_wrong_way():
    wrong = re.compile(r"pip install '?brushedit-agent|huggingface-cli|\[brushedit-agent")
    hits = [f"{p.relative_to(ROOT)}:{i}" for pkg in ("app", "agent", "engine", "tools", "evals")
            for p in (ROOT / pkg).rglob("*.py") for i, line in enumerate(p.read_text().splitlines(), 1)
            if wrong.search(line)]
    assert hits == []


def test_config_fix_names_the_file_only_when_it_exists(tmp_path):
    from engine.errors import ConfigError
    from engine.settings import Settings

    with pytest.raises(ConfigError) as info:
        Settings.load(env={"BRUSHEDIT_STEPS": "0"}, data_dir=tmp_path)
    assert "config.toml" not in str(info.value) and "BRUSHEDIT_STEPS" in str(info.value)
    (tmp_path / "config.toml").write_text("[brushedit]\nsteps = 0\n")
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "config.toml"))):
        Settings.load(env={}, data_dir=tmp_path)


def test_database_files_are_private(home):
    for name in ("versions.sqlite", "checkpoints.sqlite"):
        (home / name).chmod(0o644)  # as an older version left them
    assert run_proc(home, "edit", "-s", "s", "remove the saucer", "--box", "100,200,200,100").code == 0
    files = [p for p in home.iterdir() if ".sqlite" in p.name] + list((home / "locks").iterdir())
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), \
        {p.name: oct(p.stat().st_mode) for p in files}


@pytest.mark.parametrize("args, needle", [
    (["edit", "-s", "s", "remove it", "--combine", "bogus"], "combine"),
    (["edit", "-s", "s", "remove it", "--seed", str(2**70)], "seed"),
    (["edit", "-s", "s", "remove it", "--wat"], "--wat"),
])
def test_real_processes_print_one_line_too(home, args, needle):
    assert_one_line_error(run_proc(home, *args), needle)
