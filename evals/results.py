"""The run directory: what was asked (run.json), one result file per finished case, the pictures.

    DIR/run.json               the run's fingerprint (settings, suite, protocol, seed, metric models)
    DIR/results/<slug>.json    one finished case, written atomically when the case ends
    DIR/cases/<slug>/          its pictures
    DIR/report.json, DIR/report.html

Re-running with the same DIR skips every case whose result file exists and whose case fingerprint
matches; a DIR holding a run with other settings is refused (a mixed report would be meaningless)
unless `restart` is asked for, which clears the previous results first.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from pathlib import Path

from engine.errors import BrushEditError


def fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def clean(value):
    """JSON-ready: numpy scalars to Python, tuples to lists, inf / nan to the strings 'inf' / 'nan'."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_json(path: Path, data) -> None:
    """Atomic: a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(clean(data), indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _differences(old: dict, new: dict) -> str:
    keys = sorted(set(old) | set(new))
    diff = [k for k in keys if old.get(k) != new.get(k)]
    inner = []
    for k in diff[:3]:
        if isinstance(old.get(k), dict) and isinstance(new.get(k), dict):
            sub = [s for s in sorted(set(old[k]) | set(new[k])) if old[k].get(s) != new[k].get(s)]
            inner += [f"{k}.{s}: {old[k].get(s)!r} -> {new[k].get(s)!r}" for s in sub[:3]]
        else:
            inner.append(f"{k}: {old.get(k)!r} -> {new.get(k)!r}")
    return "; ".join(inner) or "unknown"


class RunDir:
    def __init__(self, out: Path, identity: dict, restart: bool = False):
        self.out = Path(out)
        self.identity = identity
        manifest = self.out / "run.json"
        if restart:
            for sub in ("results", "cases", "work"):
                shutil.rmtree(self.out / sub, ignore_errors=True)
        elif manifest.is_file():
            old = json.loads(manifest.read_text(encoding="utf-8")).get("identity", {})
            if fingerprint(old) != fingerprint(identity):
                raise BrushEditError(
                    f"'{self.out}' holds results of a different run ({_differences(old, identity)}).",
                    fix="Use another --out, or add --restart to discard those results.")
        write_json(manifest, {"identity": identity, "fingerprint": fingerprint(identity)})

    def result_path(self, slug: str) -> Path:
        return self.out / "results" / f"{slug}.json"

    def finished(self, slug: str, case_fingerprint: str) -> dict | None:
        path = self.result_path(slug)
        if not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return None  # a torn file from an older crash: run the case again
        return record if record.get("fingerprint") == case_fingerprint else None

    def save(self, record: dict) -> None:
        write_json(self.result_path(record["slug"]), record)

    def model_status(self, current: dict) -> dict:
        """The metric models' states, merged with those recorded by earlier sessions of this run
        (a resumed run that loads no model reports what the cases it resumes were scored with)."""
        path = self.out / "models.json"
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        merged = {k: (v if v.get("present") is not None or k not in known else known[k]) for k, v in current.items()}
        write_json(path, merged)
        return merged
