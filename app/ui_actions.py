"""The web UI's event handlers: each reads the Session API or submits a job to the shared runner,
then returns the whole view (`UiActions.view`), so what the page shows is always what the store holds.

Errors become a message in the chat and a toast, as escaped text; nothing a user typed reaches the
page as HTML.
"""
from __future__ import annotations

import html
import os
import tempfile
import time
from pathlib import Path

import gradio as gr
from pydantic import ValidationError

from app.deps import AppState, edit_payload, open_session
from app.jobs import JobInfo
from app.schemas import EditBody
from app.ui_logic import marks, note, plan_card, text, thumb, tree_rows, turn_attempts
from app.uploads import decode_image
from engine.errors import BrushEditError, ImageTooLargeError

THUMBS = Path(tempfile.gettempdir()) / "brushedit-ui-thumbs"
CHAT_IMAGES = 12  # the last N turns show their image inline; older ones are text (click the tree)


class UiActions:
    def __init__(self, settings, jobs, backends):
        self.state = AppState(settings, backends, jobs)
        self.settings, self.jobs = settings, jobs

    # --- the whole view ---------------------------------------------------------------------------
    def view(self, name: str | None, notes: list):
        from agent.session import Session

        names = Session.list_names(self.settings)
        if not name:
            return ("", gr.update(choices=names, value=None), "Create a session: a name and a photo, then **Create**.",
                    None, None, [], [], gr.update(visible=False), None, gr.update(visible=False), [],
                    gr.update(visible=False), "", notes)
        s = open_session(self.state, name)
        hist = s.history_json()
        head = s.head
        head_img = s.image()
        before = s.image(head.parent) if head.parent else head_img
        pending = hist["pending"]
        pending_img = s.store.get_image(pending["result_id"]) if pending and pending.get("result_id") else None
        items = self._attempt_items(s, head)
        status = (f"Session **{text(name)}** · head **{text(head.id)}** · {len(hist['versions'])} versions"
                  + (" · an edit is waiting for your review" if pending else ""))
        return (name, gr.update(choices=names, value=name), status,
                {"background": head_img, "layers": [], "composite": None}, (before, head_img),
                self._chat(s, notes), tree_rows(hist["versions"], hist["head"]),
                gr.update(visible=bool(pending)), pending_img, gr.update(visible=bool(items)), items,
                gr.update(visible=False), head.id, notes)

    def _chat(self, s, notes: list) -> list[dict]:
        lineage = s.versions.lineage(s.name)
        by_head: dict[str, list] = {}
        for n in notes:
            if n["session"] == s.name:
                by_head.setdefault(n["head"], []).append(n)
        msgs: list[dict] = [{"role": "assistant", "content": f"Original photo ({text(lineage[0].id)})."}]
        for i, v in enumerate(lineage):
            if v.instruction:
                msgs.append({"role": "user", "content": text(v.instruction)})
                msgs.append({"role": "assistant", "content": plan_card(v.plan, v.model_dump(mode="json"))})
                if len(lineage) - i <= CHAT_IMAGES:
                    msgs.append({"role": "assistant", "content": gr.Image(self._thumb_file(s, v.image_id))})
            for n in by_head.get(v.id, []):
                msgs.append({"role": n["role"], "content": n["content"]})
        pending = s.pending()
        if pending and pending.get("result_id"):
            msgs.append({"role": "assistant", "content": "Proposed (waiting for review):  \n" + plan_card(pending.get("plan"))})
        return msgs

    @staticmethod
    def _thumb_file(s, image_id: str) -> str:
        """A display copy of a stored image, encoded once (a chat of 12 inline results re-encoded on every
        refresh took ~0.8 s): WebP, long side 640, named by the image's sha256 in the temp dir Gradio serves."""
        path = THUMBS / f"{image_id}.webp"
        if not path.exists():
            from PIL import Image

            THUMBS.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: these are the user's photos
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            Image.fromarray(thumb(s.store.get_image(image_id))).save(tmp, format="WEBP", quality=85)
            os.replace(tmp, path)
        return str(path)

    def _attempt_items(self, s, head) -> list:
        rows = turn_attempts(s.attempts(), head, s.pending())
        self._attempt_ids = [a.id for a in rows]
        out = []
        for a in rows:
            v = a.verdict or {}
            verdict = v.get("reason") if v.get("by") not in (None, "none") else ""
            out.append((self._thumb_file(s, a.result_id), f"{a.id} · {a.status}" + (f" · {verdict}" if verdict else "")))
        return out

    # --- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _note(notes: list, name: str, head: str, role: str, content: str) -> list:
        return [*notes, {"session": name, "head": head, "role": role, "content": content, "at": time.time()}]

    def _fail(self, name: str | None, notes: list, exc: Exception, head: str | None = None):
        msg, fix = (exc.message, exc.fix) if isinstance(exc, BrushEditError) else (_validation(exc), None)
        gr.Warning(html.escape(msg))
        if name and head:
            notes = self._note(notes, name, head, "assistant", note("error", msg, fix))
        return self.view(name, notes) if name else self.view(None, notes)

    def _follow(self, info: JobInfo, name: str, head: str, notes: list, progress) -> tuple[JobInfo, list]:
        seen = 0
        while True:
            for ev in self.jobs.events(info.id, seen, wait_s=0.5):
                seen = ev.seq
                d = ev.data
                if ev.kind == "step":
                    progress((d["k"], d["n"]), desc=f"denoise step {d['k']}/{d['n']}", unit="steps")
                elif ev.kind == "stage":
                    progress(None, desc=f"{d.get('name', 'working')}…")
                elif ev.kind == "verdict" and not d.get("ok", True):
                    notes = self._note(notes, name, head, "assistant", note("verdict", d.get("reason") or "rejected"))
                elif ev.kind == "retry":
                    notes = self._note(notes, name, head, "assistant",
                                       note("retry", f"trying again: {d.get('feedback') or ''}"))
                elif ev.kind == "error":
                    notes = self._note(notes, name, head, "assistant", note("error", d.get("error", ""), d.get("fix")))
                    gr.Warning(html.escape(d.get("error", "")))
            info = self.jobs.get(info.id)
            if info.status in ("done", "failed") and seen >= len(self.jobs.events(info.id)):
                return info, notes

    def _run_job(self, kind: str, name: str, payload: dict, notes: list, progress, said: str | None = None):
        if not name:
            gr.Warning("Open or create a session first.")
            return self.view(None, notes)
        head = open_session(self.state, name).head.id
        try:
            info = self.jobs.submit(kind, name, payload)
        except BrushEditError as exc:
            return self._fail(name, notes, exc, head)
        before = len(notes)
        info, notes = self._follow(info, name, head, notes, progress)
        result = info.result or {}
        if said and not (kind == "edit" and result.get("status") == "committed"):  # a commit shows it in the lineage
            said_note = self._note([], name, head, "user", text(said))
            notes = [*notes[:before], *said_note, *notes[before:]]
        if info.status == "done" and (result.get("note") or result.get("status") == "rejected"):
            why = result.get("note") or "; ".join(result.get("feedback") or []) or "every attempt was rejected"
            kept = "" if result.get("status") != "rejected" else "Nothing kept. "
            notes = self._note(notes, name, head, "assistant", note("info", kept + why))
        return self.view(name, notes)

    # --- handlers ---------------------------------------------------------------------------------
    def on_load(self, notes: list, request: gr.Request):
        name = request.query_params.get("session") if request else None
        try:
            return self.view(name, notes)
        except BrushEditError as exc:
            return self._fail(None, notes, exc)

    def on_open(self, name: str, notes: list):
        try:
            return self.view(name, notes)
        except BrushEditError as exc:
            return self._fail(None, notes, exc)

    def on_create(self, name: str, path: str | None, notes: list):
        from agent.session import Session

        try:
            if not path:
                raise BrushEditError("Choose a photo first.", fix="Drop a PNG or JPEG on the Photo box.")
            size = Path(path).stat().st_size
            if size > self.settings.api_max_upload_bytes:
                raise ImageTooLargeError(f"The photo is {size:,} bytes, over {self.settings.api_max_upload_bytes:,}.")
            array = decode_image(Path(path).read_bytes(), self.settings.image_limits)
            Session.new((name or "").strip(), array, self.settings, backends=self.state.backends)
        except BrushEditError as exc:
            return self._fail(None, notes, exc)
        return self.view(name.strip(), notes)

    def on_edit(self, name, instruction, editor, mode, grow, flip, review, seed, candidates, steps, guidance, cond,
                blur, seen, notes, progress=gr.Progress()):
        if not name:
            gr.Warning("Open or create a session first.")
            return self.view(None, notes)
        try:
            s = open_session(self.state, name)
            if seen and s.head.id != seen:  # a second click, or another tab: edit only what the user saw
                gr.Info(html.escape(f"Not run: the session moved on to {s.head.id} since this edit was asked for "
                                    f"(on {seen}). Look at it, then edit again."))
                return self.view(name, notes)
            w, h = s.head.source_size or s.image().shape[1::-1]
            box, mask = marks(editor, (w, h), mode, int(grow or 0), bool(flip))
            st = self.settings
            body = EditBody(instruction=instruction or "", box=box, review=bool(review),
                            seed=None if seed in (None, "") else int(seed),
                            candidates=int(candidates) if candidates and int(candidates) > 1 else None,
                            steps=_changed(steps, st.steps), guidance_scale=_changed(guidance, st.guidance_scale),
                            conditioning_scale=_changed(cond, st.conditioning_scale),
                            blur_kernel=_changed(blur, st.blur_kernel))
            payload = edit_payload(self.state, s, body, mask)
        except (BrushEditError, ValidationError) as exc:
            return self._fail(name, notes, exc, open_session(self.state, name).head.id)
        return self._run_job("edit", name, payload, notes, progress, said=instruction)

    def on_preview(self, name, editor, mode, grow, flip):
        if not name:
            return gr.update(visible=False)
        s = open_session(self.state, name)
        img = s.image()
        try:
            box, mask = marks(editor, (img.shape[1], img.shape[0]), mode, int(grow or 0), bool(flip))
        except BrushEditError as exc:
            gr.Warning(html.escape(exc.message))
            return gr.update(visible=False)
        if box is None and mask is None:
            gr.Info("No marks: the agent will find the target from the instruction (or ask for a box).")
            return gr.update(visible=False)
        if box is not None:
            x, y, bw, bh = box
            annotations = [((x, y, x + bw, y + bh), "box: the object is found inside")]
        else:
            annotations = [(mask.astype(float), "mask: exactly these pixels")]
        return gr.update(value=(img, annotations), visible=True)

    def on_move(self, name, move, notes):
        try:
            s = open_session(self.state, name)
            getattr(s, move)()
        except BrushEditError as exc:
            return self._fail(name, notes, exc, None)
        return self.view(name, notes)

    def on_tree_select(self, name, notes, evt: gr.SelectData):
        row = evt.row_value or []
        version = row[1] if len(row) > 1 else None
        try:
            open_session(self.state, name).checkout(version)
        except BrushEditError as exc:
            return self._fail(name, notes, exc, None)
        return self.view(name, notes)

    def on_review(self, name, action, reason, notes, progress=gr.Progress()):
        payload = {"reason": reason or ""} if action == "reject" else {}
        said = f"Rejected: {reason}" if action == "reject" and reason else ("Rejected." if action == "reject" else "Accepted.")
        return self._run_job(action, name, payload, notes, progress, said=said)

    @staticmethod
    def on_attempt_select(evt: gr.SelectData):
        caption = (evt.value or {}).get("caption") if isinstance(evt.value, dict) else None
        return caption.split(" · ")[0] if caption else None

    def on_pick(self, name, attempt_id, notes, progress=gr.Progress()):
        if not attempt_id:
            gr.Warning("Select an attempt in the gallery first.")
            return self.view(name, notes)
        return self._run_job("pick", name, {"attempt_id": attempt_id}, notes, progress, said=f"Pick {attempt_id}.")

    def on_export(self, name):
        from app.report import write_report

        if not name:
            return gr.update(visible=False)
        s = open_session(self.state, name)
        out = Path(tempfile.mkdtemp(prefix="brushedit-export-"))
        s.export(out / name)
        report = write_report(s, out / name)
        import shutil

        archive = shutil.make_archive(str(out / name), "zip", out, name)
        return gr.update(value=[archive, str(report)], visible=True)

    def on_delete(self, name, confirm, notes):
        if not name or (confirm or "").strip() != name:
            gr.Warning("Type the session's name to confirm.")
            return self.view(name or None, notes)
        open_session(self.state, name).delete()
        return self.view(None, [n for n in notes if n["session"] != name])


def _changed(value, default):
    """A per-edit setting only when the user moved it away from the server's default."""
    return None if value is None or float(value) == float(default) else type(default)(value)


def _validation(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        e = exc.errors()[0]
        return f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
    return str(exc)
