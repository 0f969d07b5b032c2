"""Which models a profile needs, whether each is on this machine, and the one command that fetches them.

`brushedit models` lists them; `preflight` runs before the first model backend is built: offline
(HF_HUB_OFFLINE=1, or the hub cannot be reached) a missing model fails at once, without the hub
client's retries, and every missing model of the settings is named in ONE error. Online, missing
models are left to the loaders, which download them on first use.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from engine.diffusion.model_refs import ModelRef, looks_local
from engine.errors import ModelNotAvailableError
from engine.settings import Settings

COMPONENTS = ("planner", "detector", "segmenter", "inpainter")
_WEIGHTS = (".safetensors", ".bin", ".pth", ".pt", ".ckpt", ".gguf")
_TRUE = {"1", "ON", "YES", "TRUE"}
_network: dict[str, bool] = {}


@dataclass(frozen=True)
class ModelNeed:
    component: str  # planner | detector | segmenter | inpainter
    what: str  # e.g. "GroundingDINO detector"
    ref: str  # hub id, `hub_id:subfolder`, a local dir or a checkpoint file
    setting: str  # the setting that names it (env BRUSHEDIT_<SETTING>)


@dataclass(frozen=True)
class ModelStatus:
    need: ModelNeed
    repo_id: str | None  # None: a local path
    subfolder: str | None
    present: bool
    path: Path | None
    size: int | None  # bytes on disk when present


def needs(settings: Settings, components=COMPONENTS) -> list[ModelNeed]:
    """Every model (weights, processor, tokenizer) the chosen backends of `settings` load."""
    out = []
    if "planner" in components and settings.backend("planner") == "transformers":
        out.append(ModelNeed("planner", "VLM planner", settings.vlm_model, "vlm_model"))
    if "detector" in components and settings.backend("detector") == "grounding-dino":
        if settings.detector_checkpoint:
            out.append(ModelNeed("detector", "GroundingDINO checkpoint", str(settings.detector_checkpoint),
                                 "detector_checkpoint"))
        out.append(ModelNeed("detector", "GroundingDINO detector" + (" tokenizer" if settings.detector_checkpoint
                                                                     else ""), settings.detector_model,
                             "detector_model"))
    if "segmenter" in components and settings.backend("segmenter") == "sam":
        out.append(ModelNeed("segmenter", "SAM checkpoint", str(settings.sam_checkpoint), "sam_checkpoint")
                   if settings.sam_checkpoint else ModelNeed("segmenter", "SAM segmenter", settings.sam_model,
                                                             "sam_model"))
    kind = settings.backend("inpainter") if "inpainter" in components else None
    if kind == "brushnet":
        out += [ModelNeed("inpainter", "SD1.5 base model", settings.base_model, "base_model"),
                ModelNeed("inpainter", "BrushNet model", settings.brushnet_model, "brushnet_model")]
    elif kind == "sd-inpaint":
        out.append(ModelNeed("inpainter", "SD inpainting model", settings.sd_inpaint_model, "sd_inpaint_model"))
    return out


def _disk_size(path: Path) -> int:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files)


def _has_weights(path: Path) -> bool:
    return path.is_file() or any(p.suffix in _WEIGHTS for p in path.rglob("*") if p.is_file())


def locate(need: ModelNeed) -> ModelStatus:
    """Where `need` is on this machine (a local path, or the hub cache), without touching the network."""
    ref = ModelRef.parse(need.ref)
    local = Path(ref.repo_id).expanduser()
    if local.exists() or looks_local(ref.repo_id) or need.setting.endswith("_checkpoint"):
        path = local / ref.subfolder if ref.subfolder else local
        present = path.exists()
        return ModelStatus(need, None, None, present, path, _disk_size(path) if present else None)
    try:
        from huggingface_hub import snapshot_download

        root = Path(snapshot_download(ref.repo_id, local_files_only=True))
    except Exception:  # not installed, not cached, or a half-written cache entry: all mean "not here"
        return ModelStatus(need, ref.repo_id, ref.subfolder, False, None, None)
    path = root / ref.subfolder if ref.subfolder else root
    present = path.is_dir() and _has_weights(path)
    return ModelStatus(need, ref.repo_id, ref.subfolder, present, path if present else None,
                       _disk_size(path) if present else None)


def fetch_command(statuses: list[ModelStatus]) -> str | None:
    """ONE shell command (`hf download`, chained with &&) that fetches every missing hub model."""
    repos: dict[str, list[str] | None] = {}
    for s in statuses:
        if s.present or s.repo_id is None:
            continue
        subs = repos.get(s.repo_id, [])
        repos[s.repo_id] = None if s.subfolder is None or subs is None else subs + [s.subfolder]
    if not repos:
        return None
    parts = [f"hf download {repo}" + "".join(f" --include '{sub}/*'" for sub in subs or [])
             for repo, subs in repos.items()]
    return " && ".join(parts)


def offline_reason() -> str | None:
    """Why the hub cannot be used now ("HF_HUB_OFFLINE=1", "no network to huggingface.co"), or None."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(var, "").upper() in _TRUE:
            return f"{var}=1"
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = url.hostname or "huggingface.co"
    if host not in _network:
        try:
            socket.create_connection((host, url.port or (80 if url.scheme == "http" else 443)), timeout=3).close()
            _network[host] = True
        except OSError:
            _network[host] = False
    return None if _network[host] else f"no network to {host}"


def describe(s: ModelStatus) -> str:
    return f"{s.need.what} {s.need.ref} ({s.need.setting})"


def preflight(settings: Settings, components=COMPONENTS) -> None:
    """Offline, one ModelNotAvailableError naming EVERY missing model of these components, at once."""
    statuses = [locate(n) for n in needs(settings, components)]
    missing = [s for s in statuses if not s.present]
    if not missing:
        return
    local = [s for s in missing if s.repo_id is None]
    reason = None if len(local) == len(missing) else offline_reason()
    if reason is None and not local:
        return  # online: the loaders download what is missing on first use
    shown = local if reason is None else missing
    command = fetch_command(shown)
    listing = f"`brushedit models --profile {settings.profile}` lists every model"
    fix = (f"Fetch them with `{command}` where the hub is reachable, or point the settings at local dirs; {listing}."
           if command else f"Fix the paths; {listing}.")
    raise ModelNotAvailableError(
        f"{len(shown)} model(s) the '{settings.profile}' profile needs are not on this machine"
        + (f" and the hub cannot be used ({reason})" if reason and command else "") + ": "
        + "; ".join(describe(s) for s in shown) + ".", fix=fix)


def offline_kwargs(source: str) -> dict:
    """`from_pretrained` keyword arguments for `source`: cache only when offline (fails at once, no retries)."""
    if Path(source).expanduser().exists() or looks_local(source):
        return {}
    return {"local_files_only": True} if offline_reason() else {}
