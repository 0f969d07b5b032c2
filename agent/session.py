"""Session API — what the CLI, the evals and any UI call.

    s = Session.new("trip", "photo.jpg")      # v0 = the original
    s.edit("remove the spoon", box=(320, 60, 110, 270))
    s.undo(); s.redo(); s.checkout("v0"); s.edit("...")   # an edit from v0 starts a branch
    s.history(); s.image("v1"); s.export("out/")

Reading and head moves (history, undo, redo, checkout) touch only the version store, so they
never import the graph runtime or a model. Edits run the LangGraph graph with a SQLite
checkpointer (thread = session name), so an edit waiting for review survives the process.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
from pydantic import BaseModel, Field

from agent.stores import make_checkpointer, make_version_store
from agent.versions import Version, validate_name
from engine.errors import BrushEditError, EmptyInstructionError
from engine.image_store import ImageStore
from engine.images import load_image, load_mask, validate_image, validate_mask
from engine.masks import clip_box
from engine.settings import Settings


class EditOutcome(BaseModel):
    status: Literal["committed", "pending", "rejected"]
    version: Version | None = None
    result_id: str | None = None
    mask_id: str | None = None
    plan: dict | None = None
    attempts: int = 1
    feedback: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    verdict: dict | None = None
    timings: dict = Field(default_factory=dict)


class Session:
    def __init__(self, name: str, settings: Settings | None = None, *, backends=None, interactive: bool = False,
                 on_event: Callable[[str, dict], None] | None = None, graph=None):
        self.name = validate_name(name)
        self.settings = settings or Settings.load()
        self.store = ImageStore(self.settings.images_dir)
        self.versions = make_version_store(self.settings)
        self.interactive = interactive
        self._backends = backends
        self._on_event = on_event or (lambda kind, data: None)
        self._graph = graph  # a compiled graph to share (one per process: app/runtime.py); None = build one
        self._ctx = None

    # --- opening ----------------------------------------------------------------------------
    @classmethod
    def new(cls, name: str, image: str | Path | np.ndarray, settings: Settings | None = None, **kw) -> "Session":
        s = cls(name, settings, **kw)
        array = validate_image(image) if isinstance(image, np.ndarray) else load_image(image)
        s.versions.create(s.name, s.store.put(array), (array.shape[1], array.shape[0]))
        return s

    @classmethod
    def open(cls, name: str, settings: Settings | None = None, **kw) -> "Session":
        s = cls(name, settings, **kw)
        s.versions.head(s.name)  # raises SessionNotFoundError
        return s

    @staticmethod
    def list_names(settings: Settings | None = None) -> list[str]:
        settings = settings or Settings.load()
        return make_version_store(settings).sessions()

    # --- reading ----------------------------------------------------------------------------
    @property
    def head(self) -> Version:
        return self.versions.head(self.name)

    def history(self) -> list[Version]:
        return self.versions.history(self.name)

    def image(self, version: str | None = None) -> np.ndarray:
        return self.store.get_image(self.versions.get(self.name, version).image_id)

    def pending(self) -> dict | None:
        return self.versions.pending(self.name)

    # --- head moves -------------------------------------------------------------------------
    def undo(self) -> Version:
        return self.versions.undo(self.name)

    def redo(self) -> Version:
        return self.versions.redo(self.name)

    def checkout(self, version: str) -> Version:
        return self.versions.checkout(self.name, version)

    # --- editing ----------------------------------------------------------------------------
    @staticmethod
    def make_graph(settings: Settings):
        """The compiled graph with its checkpointer (agent/stores.py: SQLite file or PostgreSQL); thread-safe, so
        one per process can serve every session (pass it as `Session(..., graph=)`). Returns (graph, connection
        to close, or None for PostgreSQL, whose checkpoint pool is shared by the process)."""
        from agent.graph import build_graph

        saver = make_checkpointer(settings)
        conn = None if settings.uses_postgres else saver.conn
        return build_graph(settings.planning_mode, settings.retry_budget, saver), conn

    def _runtime(self):
        if self._graph is None:
            self._graph, _ = self.make_graph(self.settings)
        if self._ctx is None:
            from agent.context import AgentContext
            from engine.backends import Backends
            from tools.context import ToolContext

            backends = self._backends or Backends(self.settings)
            self._ctx = AgentContext(ToolContext(self.settings, self.store, backends), self.versions,
                                     self.interactive, self._on_event)
        return self._graph, self._ctx

    def _user_mask(self, mask, size: tuple[int, int]) -> str | None:
        if mask is None:
            return None
        arr = validate_mask(mask, (size[1], size[0])) if isinstance(mask, np.ndarray) else load_mask(mask, size)
        if not arr.any():
            raise BrushEditError("The given mask has no white pixels.", fix="White (255) marks the area to edit.")
        return self.store.put(arr)

    def edit(self, text: str, *, mask: str | Path | np.ndarray | None = None,
             box: tuple[float, float, float, float] | None = None,
             combine: Literal["override", "union", "subtract"] = "override", seed: int | None = None,
             run_id: str | None = None) -> EditOutcome:
        """`run_id` names this edit for the version store: a commit with a run_id already committed returns
        that version (a queued job retried after its worker died commits once)."""
        if not text or not text.strip():
            raise EmptyInstructionError("The instruction is empty.", fix='Say what to change, e.g. "remove the cat".')
        if self.pending():
            raise BrushEditError(f"Session '{self.name}' has an edit waiting for review.",
                                 fix="Accept or reject it first.")
        head = self.head
        source = self.store.get_image(head.image_id)
        size = (source.shape[1], source.shape[0])
        if box is not None:
            clip_box(box, *size)
        from langchain_core.messages import HumanMessage

        graph, ctx = self._runtime()
        state = {
            "messages": [HumanMessage(text.strip())], "session": self.name, "instruction": text.strip(),
            "parent": head.id, "source_id": head.image_id,
            "history": [{"instruction": v.instruction, "plan": v.plan, "version": v.id}
                        for v in self.versions.lineage(self.name) if v.instruction],
            "user_mask_id": self._user_mask(mask, size), "user_box": tuple(box) if box else None,
            "combine": combine, "seed": self.settings.seed if seed is None else seed, "attempt": 0,
            "feedback": None, "plan": None, "plan_meta": {}, "mask_id": None, "mask_info": {}, "prompt": "",
            "negative_prompt": "", "generated_id": None, "result_id": None, "verdict": None, "timings": {},
            "attempts": [], "decision": None, "committed": None, "error": None,
            "extra": {"run_id": run_id or uuid.uuid4().hex},
        }
        return self._run(graph, ctx, state)

    def _run(self, graph, ctx, payload: Any) -> EditOutcome:
        config = {"configurable": {"thread_id": self.name}}
        out = graph.invoke(payload, config, context=ctx)
        if out.get("__interrupt__"):
            info = {"result_id": out.get("result_id"), "mask_id": out.get("mask_id"), "plan": out.get("plan")}
            self.versions.set_pending(self.name, info)
            return self._outcome("pending", out)
        self.versions.set_pending(self.name, None)
        if out.get("committed"):
            return self._outcome("committed", out, self.versions.get(self.name, out["committed"]))
        return self._outcome("rejected", out)

    @staticmethod
    def _outcome(status: str, out: dict, version: Version | None = None) -> EditOutcome:
        attempts = out.get("attempts") or []
        return EditOutcome(
            status=status, version=version, result_id=out.get("result_id"), mask_id=out.get("mask_id"),
            plan=out.get("plan"), attempts=len(attempts) + 1, verdict=out.get("verdict"),
            feedback=[a.get("error") for a in attempts if a.get("error")],
            warnings=(out.get("mask_info") or {}).get("warnings", []), timings=out.get("timings") or {},
        )

    def _resume(self, answer: dict) -> EditOutcome:
        if not self.pending():
            raise BrushEditError(f"Session '{self.name}' has no edit waiting for review.",
                                 fix="Run `brushedit edit --review ...` first.")
        from langgraph.types import Command

        graph, ctx = self._runtime()
        return self._run(graph, ctx, Command(resume=answer))

    def accept(self) -> EditOutcome:
        return self._resume({"action": "accept"})

    def reject(self, reason: str = "") -> EditOutcome:
        return self._resume({"action": "reject", "reason": reason or "rejected by the user"})

    # --- export -----------------------------------------------------------------------------
    def export(self, out_dir: str | Path) -> Path:
        """Writes head.png, <version>.png for every version, <version>_mask.png and history.json."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        history = self.history()
        head = self.head
        for v in history:
            (out / f"{v.id}.png").write_bytes(self.store.path(v.image_id).read_bytes())
            if v.mask_id:
                (out / f"{v.id}_mask.png").write_bytes(self.store.path(v.mask_id).read_bytes())
        (out / "head.png").write_bytes(self.store.path(head.image_id).read_bytes())
        (out / "history.json").write_text(json.dumps(self.history_json(), indent=2))
        return out

    def history_json(self) -> dict:
        head = self.head.id
        return {"session": self.name, "head": head, "pending": self.pending(),
                "versions": [{**v.model_dump(mode="json"), "is_head": v.id == head} for v in self.history()]}
