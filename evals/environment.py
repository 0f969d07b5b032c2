"""What a run ran on: settings (secrets redacted), package versions, machine, prompt hashes, code
revision, and which report fields would differ on another machine or another run."""
from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("numpy", "opencv-contrib-python-headless", "scikit-image", "scipy", "pillow", "pydantic", "langgraph",
            "langchain-core", "torch", "diffusers", "transformers", "torchmetrics", "accelerate")
_SECRET = ("key", "token", "password", "secret")

# Fields of report.json that are not a function of (settings, seed, cases) alone
NONDETERMINISTIC = {
    "fields": ["run.created", "run.seconds_total", "run.resumed_cases", "cases[].seconds", "cases[].turns[].seconds",
               "cases[].turns[].timings", "agent.seconds_per_edit", "agent.seconds_per_stage", "environment"],
    "across_machines": [
        "every timing (seconds per edit and per stage) depends on the CPU/GPU and its load",
        "OpenCV, scikit-image, NumPy, Pillow versions: classical segmentation/inpainting and resampling may "
        "change pixels between versions (see environment.packages)",
        "JPEG decoding (dataset images) depends on the libjpeg build inside Pillow",
        "learned metrics (CLIP, DINO, LPIPS) and diffusion inpainting: float rounding differs between BLAS "
        "libraries, CPU instruction sets and GPUs; fp16/bf16 and cuDNN kernels on GPUs are not bit-reproducible",
        "VLM planners behind an HTTP server: the server's model build and sampling settings",
    ],
    "same_machine": "Same settings + same seed + same packages give identical numbers: every RNG (OpenCV, NumPy, "
                    "Python, torch) is reseeded before each case, so a resumed run equals a fresh one.",
}


def redacted_settings(settings) -> dict:
    data = settings.model_dump(mode="json")
    data.pop("data_dir", None)
    return {k: ("***" if v and any(s in k for s in _SECRET) else v) for k, v in data.items()}


def packages() -> dict[str, str | None]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _accelerator() -> dict:
    if "torch" not in sys.modules:
        return {"torch": "not loaded in this run"}
    torch = sys.modules["torch"]
    info = {"torch_threads": torch.get_num_threads(), "cuda": torch.cuda.is_available()}
    if torch.cuda.is_available():
        info["device"] = torch.cuda.get_device_name(0)
    return info


def git_revision(root: Path) -> dict:
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None}
    return {"commit": rev or None, "dirty": bool(dirty)}


def prompt_hashes() -> dict[str, str]:
    """sha256 of every prompt template file (each plan also records the hash of its rendered prompt)."""
    import prompts

    folder = Path(prompts.__file__).resolve().parent
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.jinja"))}


def environment() -> dict:
    return {
        "python": sys.version.split()[0], "platform": platform.platform(), "machine": platform.machine(),
        "cpu": _cpu(), "cpu_count": os.cpu_count(), "accelerator": _accelerator(), "packages": packages(),
        "code": git_revision(Path(__file__).resolve().parents[1]),
    }
