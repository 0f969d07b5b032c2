"""Model-free commands import no pixel library: agent.session (history, undo, ...) loads numpy, Pillow
and OpenCV only where pixels are touched."""
import subprocess
import sys

from helpers import ROOT


def test_session_module_imports_no_pixel_library():
    code = ("import sys; import agent.session, agent.versions, engine.image_store; "
            "print(sorted(m for m in ('numpy', 'PIL', 'cv2', 'torch', 'langgraph') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_session_module_leaves_the_turn_machinery_to_the_first_edit():
    """agent.steps and agent.outcome (pydantic models, ~20 ms of a `history` start-up) load with an edit;
    EditOutcome is still importable from agent.session."""
    code = ("import sys; import agent.session; print(sorted(m for m in ('agent.steps', 'agent.outcome') "
            "if m in sys.modules)); from agent.session import EditOutcome; print(EditOutcome.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "EditOutcome"], out.stdout + out.stderr
