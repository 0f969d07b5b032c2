"""A turn: what one instruction asks for, as steps in order, one graph run and one version each.

    plan = planner(instruction, the head's lineage as turns)     # once per turn: plan_turn()
    take back plan.undo versions                                  # the version store's undo: nothing deleted
    for step in plan.all_steps():                                 # one graph run each, given its step
        committed -> next step | waits for review -> pause the turn | rejected / refused -> stop

* Every committed step is its own version (`undo` goes back one step) and its own turn for later
  references: its plan is the step, its instruction the step's `clause` when the turn has several
  steps or takes versions back (the words typed then describe no single edit), else the words as
  typed; `Version.step` (StepMark) keeps the turn as typed and what it took back.
* The planner is asked once per turn; the graph's plan node takes the given step and asks again
  only to re-plan a rejected step (from the step's clause, the rejection as feedback).
* Review: a step that stops for review pauses the turn; the pending review keeps the turn
  (`pending["turn"]`), so accept() commits the step and carries on with the next one, and reject()
  re-plans that step, in any process. pick() commits the attempt and ends the turn.
* A user box / mask goes to the first step that edits a region (any category but `global`; the
  first step when none does); the later steps ground their own targets.
* A turn that commits nothing leaves the head where it was (what it took back is redone).
"""
from __future__ import annotations

import time
import uuid

from pydantic import BaseModel, Field, PrivateAttr

from agent.outcome import EditOutcome, StepOutcome
from agent.versions import StepMark, Version
from engine.errors import BrushEditError

_STEP = "-step"


def step_run_id(run_id: str, k: int) -> str:
    """The graph run (thread, commit key) of step k (0-based) of turn `run_id`; the turn's own id for the first."""
    return run_id if k == 0 else f"{run_id}{_STEP}{k + 1}"


def turn_run_id(run_id: str) -> str:
    """The turn a step's run id belongs to."""
    return run_id.split(_STEP)[0]


class TurnPlan(BaseModel):
    """A turn in progress; kept with its pending review so that accept / reject carry it on."""

    run_id: str
    text: str  # the instruction as typed
    steps: list[dict] = Field(default_factory=list)  # EditPlan dicts; [] = the chat model plans (tool-calling)
    meta: dict = Field(default_factory=dict)  # how the plan was made: planner, prompt_sha256, requests, seconds
    inputs: dict = Field(default_factory=dict)  # user_mask_id, user_box, combine, seed, candidates, review
    region: int = 0  # the step that gets the user's box / mask
    undid: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    n: int = 0  # the step running now (0-based)
    done: list[StepOutcome] = Field(default_factory=list)
    _history: tuple[str, list[dict]] | None = PrivateAttr(default=None)  # (head id, history(s) there)

    @property
    def count(self) -> int:
        return max(1, len(self.steps))

    @property
    def marked(self) -> bool:
        """Several steps, or versions taken back first: each version records its step."""
        return len(self.steps) > 1 or bool(self.steps and self.steps[0].get("undo"))

    def instruction(self, k: int) -> str:
        clause = self.steps[k].get("clause") if self.steps else ""
        return clause if self.marked and clause else self.text

    def label(self, k: int) -> str:
        return f"step {k + 1} of {self.count} '{self.instruction(k)}'" if self.count > 1 else f"'{self.text}'"


def history(s, turn: "TurnPlan | None" = None) -> list[dict]:
    """The head's lineage as the planner's turns (engine.plan.Turn as dicts), oldest first; read once per
    head of a `turn` (planning and its first step start from the same head)."""
    head = s.versions.state(s.name)[0] if turn is not None else None
    if turn is not None and turn._history is not None and turn._history[0] == head:
        return turn._history[1]
    out = [{"instruction": v.instruction, "plan": v.plan, "version": v.id}
           for v in s.versions.lineage(s.name, head) if v.instruction]
    if turn is not None:
        turn._history = (head, out)
    return out


# --- starting a turn --------------------------------------------------------------------------
def start_turn(s, text: str, inputs: dict, run_id: str | None = None) -> EditOutcome:
    """Session.edit after its checks: plan once, take back what the plan says, run the steps."""
    if run_id is not None:  # the same turn again (a job retried after its worker died)
        again = recovered(s.history(), run_id)
        if again is not None:
            return again
        s._forget(run_id)
    turn = TurnPlan(run_id=run_id or uuid.uuid4().hex, text=text, inputs=inputs)
    if s.settings.planning_mode != "tool-calling":  # tool-calling: the chat model plans and calls the tools
        plan_turn(s, turn)
        take_back(s, turn, int(turn.steps[0].get("undo") or 0))
    if run_id is not None:
        for k in range(1, turn.count):
            s._forget(step_run_id(turn.run_id, k))
    return carry_on(s, turn)


def plan_turn(s, turn: TurnPlan) -> None:
    """The turn's one planning call (the classify_edit tool, as the plan node calls it)."""
    from tools.classify_edit import ClassifyEditInput, classify_edit

    _, ctx = s._runtime()
    ctx.on_event("stage", {"name": "plan", "attempt": 0})
    t0 = time.perf_counter()
    res = classify_edit(ClassifyEditInput(instruction=turn.text, image_id=s.head.image_id, history=history(s, turn)),
                        ctx.tools)
    turn.steps = [p.model_dump(mode="json") for p in res.plan.all_steps()]
    turn.meta = {"planner": res.planner, "prompt_sha256": res.prompt_sha256, "requests": res.requests,
                 "seconds": time.perf_counter() - t0}
    turn.region = next((k for k, p in enumerate(turn.steps) if p.get("category") != "global"), 0)


def take_back(s, turn: TurnPlan, n: int) -> None:
    """`undo` of the plan: that many versions, through the version store (redo brings them back)."""
    if n <= 0:
        return
    head = s.head
    depth = len(s.versions.lineage(s.name)) - 1
    if n > depth:
        turn.warnings.append(f"'{turn.text}' takes back {n} version(s) first, but {head.id} has "
                             f"{depth} before the original; took back {depth}.")
    for _ in range(min(n, depth)):
        turn.undid.append(head.id)
        head = s.undo()


# --- running the steps ------------------------------------------------------------------------
def _input(s, turn: TurnPlan) -> dict:
    """The graph's input for the turn's current step, built on the head the previous step left."""
    head, k = s.head, turn.n
    inputs = dict(turn.inputs)
    if k != turn.region:
        inputs.update(user_box=None, user_mask_id=None)
    given = None
    if turn.steps:
        mark = StepMark(n=k + 1, of=turn.count, turn=turn.text, undid=turn.undid if k == 0 else [])
        meta = turn.meta if k == 0 else {**turn.meta, "requests": 0, "seconds": 0.0}
        given = {"plan": turn.steps[k], "meta": meta, "mark": mark.model_dump() if turn.marked else None}
    return {**inputs, "session": s.name, "run_id": step_run_id(turn.run_id, k), "instruction": turn.instruction(k),
            "parent": head.id, "source_id": head.image_id, "history": history(s, turn), "turn_step": given}


def _kept(turn: TurnPlan) -> dict:
    """What a pending review keeps of its turn (the user's mask id on top, where gc sees it)."""
    return {"turn": turn.model_dump(mode="json"), "turn_mask_id": turn.inputs.get("user_mask_id")}


def carry_on(s, turn: TurnPlan) -> EditOutcome:
    """Run the turn's steps from `turn.n` until one pauses for review, stops, or the last commits."""
    graph, ctx = s._runtime()
    while True:
        if turn.count > 1:
            ctx.on_event("stage", {"name": turn.label(turn.n), "step": turn.n + 1, "of": turn.count,
                                   "instruction": turn.instruction(turn.n)})
        try:
            out = s._run(graph, ctx, _input(s, turn), step_run_id(turn.run_id, turn.n), _kept(turn))
        except BrushEditError as exc:
            return _refused(s, turn, exc)
        final = settle(s, turn, out)
        if final is not None:
            return final


def resume_turn(s, pending: dict, answer: dict) -> EditOutcome:
    """accept / reject of a paused step: settle it, then carry the turn on."""
    from langgraph.types import Command

    graph, ctx = s._runtime()
    run_id = pending.get("run_id") or s.name
    if not pending.get("turn"):  # a review paused before turns were kept with it
        return s._run(graph, ctx, Command(resume=answer), run_id)
    turn = TurnPlan.model_validate(pending["turn"])
    try:
        out = s._run(graph, ctx, Command(resume=answer), run_id, _kept(turn))
    except BrushEditError as exc:
        return _refused(s, turn, exc)
    final = settle(s, turn, out)
    return final if final is not None else carry_on(s, turn)


def settle(s, turn: TurnPlan, out: EditOutcome) -> EditOutcome | None:
    """Record the current step's outcome; the turn's outcome when it stops here, None to go on."""
    rec = StepOutcome(n=turn.n + 1, of=turn.count, instruction=turn.instruction(turn.n), status=out.status,
                      version=out.version.id if out.version else None, attempt_id=out.attempt_id,
                      attempt_ids=out.attempt_ids, note=out.note)
    if out.status == "pending":
        return _summary(s, turn, out, rec)
    turn.done.append(rec)
    if out.status == "committed" and turn.n + 1 < turn.count:
        turn.n += 1
        return None
    return _summary(s, turn, out)


def _refused(s, turn: TurnPlan, exc: BrushEditError) -> EditOutcome:
    """A step stopped by a typed error. Nothing committed yet: the error is raised (naming the step)."""
    if not any(d.status == "committed" for d in turn.done):
        if turn.marked:
            where, label = _restore(s, turn), turn.label(turn.n)
            exc.message = f"{label[:1].upper()}{label[1:]} was refused: {exc.message}" + (
                f" Nothing was committed; the head is back at {where}." if where else "")
            exc.args = (f"{exc.message} {exc.fix}" if exc.fix else exc.message,)
        raise exc
    run_id = step_run_id(turn.run_id, turn.n)
    if (s.pending() or {}).get("run_id") == run_id:  # refused while resuming its review: that review is over
        s.versions.set_pending(s.name, None)
    s._forget(run_id)
    turn.done.append(StepOutcome(n=turn.n + 1, of=turn.count, instruction=turn.instruction(turn.n), status="refused",
                                 error={"error": exc.message, "fix": _fix(turn, exc), "type": type(exc).__name__}))
    return _summary(s, turn, None)


def _fix(turn: TurnPlan, exc: BrushEditError) -> str | None:
    """The error's fix; when the user's box / mask went to another step, says which."""
    if turn.n == turn.region or not (turn.inputs.get("user_box") or turn.inputs.get("user_mask_id")):
        return exc.fix
    return " ".join(p for p in (exc.fix, f"(This turn's box / mask went to its step {turn.region + 1}.)") if p)


def _restore(s, turn: TurnPlan) -> str | None:
    """Redo what the turn took back (it committed nothing); the head then, or None when a review is pending."""
    if not turn.undid or s.pending():
        return None
    for _ in turn.undid:
        s.redo()
    return s.head.id


# --- the turn's outcome -----------------------------------------------------------------------
def from_version(v: Version) -> EditOutcome:
    return EditOutcome(status="committed", version=v, result_id=v.image_id, mask_id=v.mask_id, plan=v.plan,
                       attempts=v.attempts, attempt_id=v.attempt_id, timings=v.timings)


def _summary(s, turn: TurnPlan, out: EditOutcome | None, current: StepOutcome | None = None) -> EditOutcome:
    ran = [*turn.done, *([current] if current else [])]
    later = [StepOutcome(n=k + 1, of=turn.count, instruction=turn.instruction(k), status="not run")
             for k in range(len(ran), turn.count)]
    committed = [d for d in turn.done if d.status == "committed"]
    last = ran[-1]
    if out is not None and last.status in ("committed", "pending"):
        base = out
    elif committed:  # a later step stopped the turn: the result is the last committed step's
        base = from_version(s.versions.get(s.name, committed[-1].version))
    else:
        base = out or EditOutcome(status="rejected")
    status = "pending" if last.status == "pending" else "committed" if committed else "rejected"
    where = _restore(s, turn) if status == "rejected" else None
    version = s.versions.get(s.name, committed[-1].version) if committed else None
    return base.model_copy(update={
        "status": status, "version": version, "steps": ran + later, "undid": turn.undid,
        "warnings": [*turn.warnings, *base.warnings], "attempt_ids": [a for d in ran for a in d.attempt_ids],
        "note": _note(turn, ran, later, committed, out.note if out else None, where)})


def _note(turn: TurnPlan, ran, later, committed, step_note: str | None, where: str | None) -> str | None:
    last = ran[-1]
    if turn.count == 1 and not turn.undid:
        return step_note  # a one-step turn: the step's own note, as ever
    label = turn.label(last.n - 1)
    parts = []
    if last.status == "pending":
        parts.append(f"{label} waits for review" + (f" ({step_note})" if step_note else ""))
    elif last.status in ("rejected", "refused"):
        why = (last.error or {}).get("error") or step_note or "no attempt was accepted"
        parts.append(f"{label} was {last.status}: {why.rstrip('.')}")
    if last.status == "committed":  # the turn went through: the steps' own notes (an offered attempt ...)
        parts += [f"{turn.label(d.n - 1)}: {d.note}" for d in ran if d.note]
    if turn.count > 1 and last.status != "committed" and (committed or last.status != "pending"):
        parts.append(", ".join(f"step {d.n} is committed as {d.version}" for d in committed) or "nothing is committed")
    if later:
        verb = "after accept, then" if last.status == "pending" else "not run"
        parts.append(f"{verb}: " + ", ".join(f"step {d.n} '{d.instruction}'" for d in later))
    if where:
        parts.append(f"the head is back at {where}")
    return "; ".join(parts) or None


def recovered(versions: list[Version], run_id: str) -> EditOutcome | None:
    """What an earlier run of turn `run_id` committed (a job retried after its worker died), or None."""
    done = [v for v in versions if v.run_id and ":" not in v.run_id and turn_run_id(v.run_id) == run_id]
    if not done:
        return None
    last, steps = done[-1], [StepOutcome(n=v.step.n if v.step else 1, of=v.step.of if v.step else 1,
                                         instruction=v.instruction or "", status="committed", version=v.id,
                                         attempt_id=v.attempt_id) for v in done]
    out = from_version(last).model_copy(update={"steps": steps})
    if last.step and last.step.n < last.step.of:
        out.note = (f"The run of '{last.step.turn}' stopped after step {last.step.n} of {last.step.of} (committed "
                    f"as {last.id}); the later steps were not run: give them as a new instruction.")
    return out
