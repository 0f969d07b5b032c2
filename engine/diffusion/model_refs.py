"""Model references: a local dir, a hub id, or `hub_id:subfolder` (e.g. "TencentARC/BrushEdit:brushnetX").

`resolve_ref` turns one into a local directory (downloading only the subfolder when allowed) and
turns every failure into a ModelNotAvailableError that names the repo id, the cache path and the fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import BrushEditError, ModelNotAvailableError


@dataclass(frozen=True)
class ModelRef:
    repo_id: str
    subfolder: str | None = None

    @classmethod
    def parse(cls, ref: str) -> "ModelRef":
        ref = ref.strip()
        if not ref:
            raise ModelNotAvailableError("An empty model reference was given.",
                                         fix="Set a hub id, `hub_id:subfolder` or a local dir.")
        if Path(ref).expanduser().exists() or ":" not in ref:
            return cls(ref)
        repo, sub = ref.rsplit(":", 1)
        return cls(repo, sub.strip("/") or None)

    def __str__(self) -> str:
        return f"{self.repo_id}:{self.subfolder}" if self.subfolder else self.repo_id


def looks_local(repo_id: str) -> bool:
    return repo_id.startswith((".", "/", "~")) or repo_id.count("/") > 1 or "\\" in repo_id


def resolve_ref(ref: str, *, what: str, setting: str) -> Path:
    """Local directory holding the model for `ref`. `setting` names the env var that overrides it."""
    parsed = ModelRef.parse(ref)
    local = Path(parsed.repo_id).expanduser()
    if local.exists() or looks_local(parsed.repo_id):
        path = local / parsed.subfolder if parsed.subfolder else local
        if not path.is_dir():
            raise ModelNotAvailableError(f"The {what} directory '{path}' does not exist.",
                                         fix=f"Point {setting} at a directory saved with save_pretrained.")
        return path
    return _download(parsed, what=what, setting=setting)


def _download(ref: ModelRef, *, what: str, setting: str) -> Path:
    from huggingface_hub import constants, snapshot_download

    from engine.model_check import offline_reason

    patterns = [f"{ref.subfolder}/**"] if ref.subfolder else None
    include = f" --include '{ref.subfolder}/*'" if ref.subfolder else ""
    fix = (f"Download it with `hf download {ref.repo_id}{include}` (cache: {constants.HF_HUB_CACHE}), "
           f"unset HF_HUB_OFFLINE to let it download, or set {setting} to a local dir.")
    reason = offline_reason()
    try:
        # offline: look in the cache only (no retries against a hub that cannot answer)
        root = Path(snapshot_download(ref.repo_id, allow_patterns=patterns, local_files_only=reason is not None))
    except BrushEditError:
        raise
    except Exception as exc:  # offline, missing repo, network: all mean "weights not here"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ModelNotAvailableError(
            f"The {what} '{ref}' (hub repo '{ref.repo_id}') is not available in the cache "
            f"{constants.HF_HUB_CACHE}: {first}", fix=fix) from exc
    path = root / ref.subfolder if ref.subfolder else root
    if not path.is_dir():
        raise ModelNotAvailableError(f"The hub repo '{ref.repo_id}' has no folder '{ref.subfolder}' ({what}).",
                                     fix=fix)
    return path


def load_part(loader, path: Path, *, what: str, **kwargs):
    """`loader.from_pretrained(path, **kwargs)` with failures as ModelNotAvailableError."""
    try:
        return loader.from_pretrained(path, **kwargs)
    except BrushEditError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, EnvironmentError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ModelNotAvailableError(f"Could not load the {what} from '{path}': {first}.",
                                     fix="Check that the directory is complete (re-download it).") from exc
