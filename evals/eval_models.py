"""The models the learned metrics need, loaded once per run, lazily, from local files only.

`get(kind)` returns the loaded model or None (the metric then says "model not present");
`status()` says for each kind what was asked for, whether it loaded, its revision / file hash,
and how to get it when it did not. kinds: clip (PIE-Bench CLIP similarity, our captions),
clip_i (MagicBrush CLIP-I / CLIP-T), dino (MagicBrush DINO), lpips (PIE-Bench LPIPS backbone).
"""
from __future__ import annotations

from pathlib import Path

from evals.learned import DEFAULTS, file_sha256

_FIX = {
    "clip": "hf download {ref}   (or --clip-model DIR)",
    "clip_i": "hf download {ref}   (or --clip-i-model DIR)",
    "dino": "hf download {ref}   (or --dino-model DIR)",
    "lpips": "curl -L -o {ref} https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth   (or --lpips-weights FILE)",
}
_NEEDS = "pip install -e '.[models,metrics]'"


def default_lpips_path() -> Path:
    """Where torchvision would have cached the SqueezeNet-1.1 weights ($TORCH_HOME/hub/checkpoints)."""
    import os

    home = Path(os.environ.get("TORCH_HOME") or Path.home() / ".cache" / "torch")
    return home / "hub" / "checkpoints" / DEFAULTS["lpips"]


class EvalModels:
    def __init__(self, clip: str | None = None, clip_i: str | None = None, dino: str | None = None,
                 lpips_weights: str | Path | None = None, device: str = "cpu"):
        self.refs = {"clip": clip or DEFAULTS["clip"], "clip_i": clip_i or DEFAULTS["clip_i"],
                     "dino": dino or DEFAULTS["dino"], "lpips": str(lpips_weights or default_lpips_path())}
        self.device = device
        self._models: dict[str, object] = {}
        self._status: dict[str, dict] = {}

    def get(self, kind: str):
        if kind not in self._models:
            try:
                self._models[kind] = self._load(kind)
            except ImportError as exc:
                self._models[kind] = None
                self._status[kind] = {"ref": self.refs[kind], "present": False,
                                      "reason": f"package {exc.name} not installed", "fix": _NEEDS}
            except OSError as exc:  # not on disk / not in the Hugging Face cache
                self._models[kind] = None
                self._status[kind] = {"ref": self.refs[kind], "present": False,
                                      "reason": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
                                      "fix": _FIX[kind].format(ref=self.refs[kind])}
        return self._models[kind]

    def _device(self) -> str:
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def _load(self, kind: str):
        ref = self.refs[kind]
        if kind == "lpips":
            from evals.learned import load_lpips

            if not Path(ref).is_file():
                raise FileNotFoundError(f"no SqueezeNet-1.1 checkpoint at {ref}")
            net = load_lpips(Path(ref), self._device())
            self._status[kind] = {"ref": ref, "present": True, "sha256": file_sha256(Path(ref)),
                                  "linear_heads": "torchmetrics lpips_models/squeeze.pth"}
            return net
        if kind in ("clip", "clip_i"):
            other = "clip_i" if kind == "clip" else "clip"
            if self.refs[other] == ref and self._models.get(other) is not None:
                self._status[kind] = dict(self._status[other])
                return self._models[other]
            from transformers import CLIPModel, CLIPProcessor

            model = CLIPModel.from_pretrained(ref, local_files_only=True).to(self._device()).eval()
            loaded = (model, CLIPProcessor.from_pretrained(ref, local_files_only=True))
        else:
            from transformers import ViTModel

            model = loaded = ViTModel.from_pretrained(ref, local_files_only=True,
                                                      add_pooling_layer=False).to(self._device()).eval()
        self._status[kind] = {"ref": ref, "present": True,
                              "revision": getattr(model.config, "_commit_hash", None) or "local directory"}
        return loaded

    def status(self) -> dict[str, dict]:
        """Every kind: what was asked for, whether it loaded (or 'not used' in this run)."""
        return {k: self._status.get(k, {"ref": self.refs[k], "present": None, "reason": "not used in this run"})
                for k in self.refs}
