"""Run one case as a session through the Session API (what the CLI and the web UI call) and score it.

Every case gets a fresh data dir under the run's `work/` (removed afterwards) and the run's shared
backends, so models load once per run. RNGs (OpenCV's, NumPy's, Python's, torch's) are reseeded
before every case: a case's numbers do not depend on which cases ran before it (resumed = fresh).
"""
from __future__ import annotations

import inspect
import random
import re
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha1
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import BrushEditError, ModelNotAvailableError, UnsupportedEditError
from evals.cases import CaseSpec, TurnSpec, load_image_ref
from evals.metrics import target_match
from evals.pictures import save as save_picture
from evals.pictures import turn_pictures
from evals.scoring import check, score_edit

REFUSALS = (UnsupportedEditError, ModelNotAvailableError)


@lru_cache(maxsize=1)
def _HAS_REVIEW() -> bool:
    """Session.edit(review=...) (the self-correction API); older sessions review when `interactive`."""
    from agent.session import Session

    return "review" in inspect.signature(Session.edit).parameters


class CountingPlanner:
    """Wraps a planner to count plan calls and the model requests they made (VLM calls)."""

    def __init__(self, inner):
        self.inner, self.calls, self.requests = inner, 0, 0

    @property
    def name(self) -> str:
        return self.inner.name

    def plan(self, request):
        self.calls += 1
        result = self.inner.plan(request)
        self.requests += int(getattr(result, "requests", 0) or 0)
        return result


def counting_backends(settings, planner: CountingPlanner):
    """Backends whose planner counts its calls and whose chat model (tool-calling planning, the VLM
    verifier) counts its requests into the same `planner.requests`."""
    from langchain_core.callbacks import BaseCallbackHandler

    from engine.backends import Backends

    class _Count(BaseCallbackHandler):
        def on_chat_model_start(self, serialized, messages, **kw):
            planner.requests += 1

    class _Backends(Backends):
        @property
        def chat_model(self):
            model = super().chat_model
            if not any(isinstance(c, _Count) for c in (getattr(model, "callbacks", None) or [])):
                model.callbacks = [*(getattr(model, "callbacks", None) or []), _Count()]
            return model

    return _Backends(settings, planner=planner)


@dataclass
class RunContext:
    settings: Any  # engine.settings.Settings of the run (data_dir is replaced per case)
    backends: Any  # engine.backends.Backends shared by every case
    out_dir: Path
    planner: CountingPlanner
    models: Any = None  # evals.eval_models.EvalModels
    protocol: str = "cases"  # cases | pie-bench | magicbrush
    vlm: bool = False  # the planner is a vision-language model (its requests are VLM calls)
    extra: dict = field(default_factory=dict)


def slug(case_id: str) -> str:
    """A session/folder name for a case id: safe characters, unique by a short hash."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", case_id).strip("-.")[:48] or "case"
    return f"{base}-{sha1(case_id.encode()).hexdigest()[:8]}"


def seed_everything(seed: int) -> None:
    import cv2

    cv2.setRNGSeed(seed)  # GrabCut's k-means draws from OpenCV's global RNG
    np.random.seed(seed)
    random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def _error(exc: BaseException) -> dict:
    return {"type": type(exc).__name__, "message": getattr(exc, "message", str(exc)),
            "fix": getattr(exc, "fix", None), "bases": [c.__name__ for c in type(exc).__mro__]}


def _move(session, move: str):
    if move.startswith("checkout:"):
        return session.checkout(move[9:])
    return getattr(session, move)()


def _review(session, out, verdicts) -> tuple[Any, list[dict]]:
    """Apply the scripted verdicts to a pending result; accept what is still pending after them."""
    log = []
    for v in verdicts:
        if out.status != "pending":
            break
        out = session.accept() if v.ok else session.reject(v.reason)
        log.append({"ok": v.ok, "reason": v.reason, "then": out.status})
    while out.status == "pending":
        out = session.accept()
        log.append({"ok": True, "reason": "(no scripted verdict left: accepted)", "then": out.status})
    return out, log


def _expect_error(spec: TurnSpec, row: dict, head_before: str, head_now: str) -> None:
    err = row.get("error")
    if spec.expect_error:
        got = err["type"] if err else "no error"
        row["checks"].append(check("error", bool(err) and spec.expect_error in err["bases"], got, spec.expect_error))
        row["checks"].append(check("head unchanged", head_now == head_before, head_now, head_before))
    elif err:
        row["checks"].append(check("edit succeeds", False, f"{err['type']}: {err['message']}", "a committed result"))


def _edit(session, spec: TurnSpec, ctx: RunContext, row: dict) -> Any:
    size = (session.image().shape[1], session.image().shape[0])
    user_mask = load_image_ref(spec.mask, mask=True, size=size)
    ctx.planner.calls = ctx.planner.requests = 0
    review = {"review": bool(spec.judge)} if _HAS_REVIEW() else {}
    t0 = time.perf_counter()
    try:
        out = session.edit(spec.instruction, mask=user_mask, box=spec.box, seed=spec.seed, **review)
        out, row["review"] = _review(session, out, spec.judge)
    except BrushEditError as exc:
        row.update(status="error", error=_error(exc))
        return None
    finally:
        row["seconds"] = time.perf_counter() - t0
        row["planner_calls"] = ctx.planner.calls
        row["vlm_calls"] = ctx.planner.requests if ctx.vlm else 0
    row.update(status=out.status, plan=out.plan, attempts=out.attempts, timings=out.timings,
               warnings=list(out.warnings), feedback=list(out.feedback), note=getattr(out, "note", None))
    return out


def _score_committed(session, spec, ctx, row, out, folder: Path, prefix: str) -> None:
    v = out.version
    source, result = session.image(v.parent), session.image(v.id)
    mask = session.store.get_mask(v.mask_id)
    size = (source.shape[1], source.shape[0])
    gt_mask = load_image_ref(spec.gt_mask, mask=True, size=size)
    truth = load_image_ref(spec.gt_image)
    row.update(version=v.id, parent=v.parent, prompt_sha256=v.prompt_sha256, models=v.models, seed=v.seed)
    metrics, checks = score_edit(spec, source, result, mask, out.plan or {}, gt_mask=gt_mask, truth=truth,
                                 user_mask=load_image_ref(spec.mask, mask=True, size=size), models=ctx.models, blur_kernel=ctx.settings.blur_kernel, protocol=ctx.protocol)
    row["metrics"] = metrics
    row["checks"] += checks
    row["images"] = turn_pictures(folder, prefix, source, mask=mask, result=result, truth=truth, gt_mask=gt_mask)


def _plan_checks(spec: TurnSpec, row: dict) -> None:
    plan = row.get("plan") or {}
    if spec.expect_category:
        row["checks"].append(check("category", plan.get("category") == spec.expect_category,
                                   plan.get("category"), spec.expect_category))
    if spec.expect_target is not None:
        row["checks"].append(check("target", target_match(plan.get("target"), spec.expect_target),
                                   plan.get("target"), spec.expect_target))
    if spec.expect_attempts is not None:
        row["checks"].append(check("attempts", row.get("attempts") == spec.expect_attempts,
                                   row.get("attempts"), spec.expect_attempts))


def run_turn(session, spec: TurnSpec, n: int, ctx: RunContext, folder: Path) -> dict:
    row: dict = {"n": n, "kind": "edit" if spec.instruction is not None else "action",
                 "instruction": spec.instruction, "action": spec.action, "box": spec.box,
                 "user_mask": spec.mask is not None, "caption": spec.caption, "checks": [], "info": spec.info}
    head_before = session.head.id
    if spec.action is not None:
        try:
            _move(session, spec.action)
            row["status"] = "done"
        except BrushEditError as exc:
            row.update(status="error", error=_error(exc))
        row["images"] = {"head": save_picture(folder, f"t{n}", "head", session.image())}
    else:
        out = _edit(session, spec, ctx, row)
        if out is not None and out.status == "committed" and not spec.expect_error:
            _score_committed(session, spec, ctx, row, out, folder, f"t{n}")
        elif out is not None and not spec.expect_error:
            why = getattr(out, "note", None) or "; ".join(f for f in (out.feedback or []) if f)
            row["checks"].append(check("committed", False, f"{out.status}: {why}" if why else out.status, "committed"))
        if "images" not in row:
            row["images"] = turn_pictures(folder, f"t{n}", session.image(head_before))
        if out is not None:
            _plan_checks(spec, row)
    _expect_error(spec, row, head_before, session.head.id)
    _after(session, spec, row)
    return row


def _after(session, spec: TurnSpec, row: dict) -> None:
    if spec.then and row.get("status") != "error":
        try:
            _move(session, spec.then)
        except BrushEditError as exc:
            row["checks"].append(check(f"then {spec.then}", False, _error(exc)["message"], "done"))
    row["head_after"] = session.head.id
    if spec.expect_parent is not None and row.get("status") == "committed":
        row["checks"].append(check("parent", row.get("parent") == spec.expect_parent, row.get("parent"),
                                   spec.expect_parent))
    if spec.expect_head is not None:
        row["checks"].append(check("head", row["head_after"] == spec.expect_head, row["head_after"], spec.expect_head))
    failed = [c for c in row["checks"] if not c["ok"]]
    err = row.get("error")
    refused = bool(err) and not spec.expect_error and any(b in err["bases"] for b in (c.__name__ for c in REFUSALS))
    row["outcome"] = "refused" if refused else ("failed" if failed else "passed")
    row["reason"] = (f"{err['type']}: {err['message']}" if refused else
                     "; ".join(f"{c['name']}: got {_short(c['value'])}, want {c['want']}" for c in failed))


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def run_case(case: CaseSpec, ctx: RunContext, seed: int) -> dict:
    """Run `case` from a fresh session; returns its JSON-ready record (turns, metrics, checks, pictures)."""
    from agent.session import Session

    name = slug(case.id)
    work, folder = ctx.out_dir / "work" / name, ctx.out_dir / "cases" / name
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    seed_everything(seed)
    record: dict = {"id": case.id, "slug": name, "suite": case.suite, "category": case.category,
                    "note": case.note, "fingerprint": case.fingerprint(), "turns": []}
    t0 = time.perf_counter()
    try:
        settings = ctx.settings.model_copy(update={"data_dir": work})
        image = load_image_ref(case.image)
        interactive = any(t.judge for t in case.turns)
        session = Session.new(name, image, settings, backends=ctx.backends, interactive=interactive)
        for n, spec in enumerate(case.turns):
            record["turns"].append(run_turn(session, spec, n, ctx, folder))
    except BrushEditError as exc:  # the case itself is unusable (unreadable image, bad mask file)
        record["crash"] = f"{type(exc).__name__}: {exc}"
    except Exception:  # a bug: keep the run going, show the traceback in the report
        record["crash"] = traceback.format_exc(limit=8)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record["seconds"] = time.perf_counter() - t0
    outcomes = [t["outcome"] for t in record["turns"]]
    record["status"] = ("failed" if record.get("crash") or "failed" in outcomes else
                        "refused" if "refused" in outcomes else "passed")
    bad = [t for t in record["turns"] if t["outcome"] != "passed"]
    record["reason"] = record.get("crash", "").splitlines()[-1] if record.get("crash") else (
        f"turn {bad[0]['n']}: {bad[0]['reason']}" if bad else "")
    return record
