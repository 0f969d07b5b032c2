"""Device and dtype choice for every model runtime (settings.device / settings.dtype)."""
from __future__ import annotations

import torch

from engine.errors import ModelNotAvailableError


def resolve_device(name: str) -> torch.device:
    """`auto` -> cuda if available, else mps, else cpu; an explicit name must be usable."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelNotAvailableError(f"device={name!r} but CUDA is not available.", fix="Use --device cpu or auto.")
    return device


def resolve_dtype(name: str, device: torch.device, *, half_ok: bool = True) -> torch.dtype:
    """`auto` -> float16 on CUDA where the model tolerates it (`half_ok`), else float32."""
    if name == "auto":
        return torch.float16 if device.type == "cuda" and half_ok else torch.float32
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[name]
