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
