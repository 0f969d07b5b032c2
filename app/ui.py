"""The web UI: Gradio Blocks mounted at /ui of the API's FastAPI app (`brushedit serve`).

It calls the Session API only, and runs edits / accepts / rejects / picks through the SAME job
runner as the HTTP API (so one edit per session at a time, progress from the job's events).
Layout: the image editor (brush / eraser marks, box-or-mask, grow/shrink, invert, mask preview) and a
before/after slider on the left; the chat of the session, the instruction, review and attempts on
the right; the clickable version tree below. The session is kept in the URL (`?session=NAME`).
With `api_token` set, Gradio's login page asks for it (any user name, the token as password).
"""
from __future__ import annotations

import hmac
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from app import ui_actions as act  # noqa: E402
from app.ui_logic import MARK_BOX, MARK_MASK, TREE_HEADERS  # noqa: E402
from engine.settings import MAX_CANDIDATES, SEED_MAX  # noqa: E402

# Keeps ?session=NAME in the address bar in step with the open session (a reload reopens it).
URL_SYNC = ("<script>(function(){var last=null;setInterval(function(){var el=document.querySelector("
            "'#brushedit-session textarea, #brushedit-session input');if(!el||!el.value||el.value===last)return;"
            "last=el.value;var u=new URL(window.location.href);u.searchParams.set('session',el.value);"
            "history.replaceState(null,'',u.toString());},300);})();</script>")


def ui_scripts() -> tuple[str, ...]:
    """script-src additions for the UI pages: the URL_SYNC script (Gradio inserts it from its config)
    and 'unsafe-eval' for the ImageEditor's pixi.js canvas."""
    from app.security import script_hash

    return ("'unsafe-eval'", script_hash(URL_SYNC.removeprefix("<script>").removesuffix("</script>").encode()))


CSS = """
#brushedit-tree table { font-family: ui-monospace, monospace; font-size: 0.85rem }
#brushedit-status { min-height: 1.5em }
"""


def _theme():
    sans = ["ui-sans-serif", "system-ui", "sans-serif"]
    return gr.themes.Default(font=sans, font_mono=["ui-monospace", "monospace"])


def build_ui(ctx: act.UiActions) -> gr.Blocks:
    with gr.Blocks(title="BrushEdit Agent", analytics_enabled=False) as demo:
        notes = gr.State([])
        picked = gr.State(None)
        # the head the page shows, sent by the browser with the click: an edit applies to it or not at all
        seen = gr.Textbox(visible="hidden", elem_id="brushedit-seen")
        gr.Markdown("## BrushEdit Agent\nUpload a photo, paint over what to change, say what to do. "
                    "Every result is a version: undo, redo, or click any version to branch from it.")
        with gr.Row():
            sessions = gr.Dropdown(label="Session", choices=[], allow_custom_value=False, scale=2,
                                   elem_id="brushedit-sessions")
            new_name = gr.Textbox(label="New session name", placeholder="trip", scale=2, max_length=64)
            upload = gr.File(label="Photo", file_types=["image"], type="filepath", scale=3, height=90,
                             elem_id="brushedit-photo")
            create = gr.Button("Create", scale=1, elem_id="brushedit-create")
        session = gr.Textbox(visible="hidden", elem_id="brushedit-session")
        status = gr.Markdown(elem_id="brushedit-status")
        with gr.Row():
            with gr.Column(scale=3):
                editor = gr.ImageEditor(
                    label="Mark the target (brush), fix with the eraser", type="numpy", image_mode="RGBA",
                    sources=(), transforms=(), layers=False, elem_id="brushedit-editor", height=520,
                    brush=gr.Brush(colors=["rgba(255, 40, 40, 0.55)"], color_mode="fixed"), eraser=gr.Eraser())
                with gr.Row():
                    mode = gr.Radio([MARK_BOX, MARK_MASK], value=MARK_BOX, label="My strokes mean", scale=3)
                    grow = gr.Slider(-40, 40, value=0, step=1, label="Grow (+) / shrink (−) mask, px", scale=2)
                    flip = gr.Checkbox(label="Invert mask", scale=1)
                preview_btn = gr.Button("Preview mask", size="sm")
                preview = gr.AnnotatedImage(label="What the edit will use", visible=False, height=360)
                compare = gr.ImageSlider(label="Before / after (head)", type="numpy", buttons=["download", "fullscreen"],
                                         interactive=False, max_height=520)
            with gr.Column(scale=2):
                chat = gr.Chatbot(label="Conversation", height=520, sanitize_html=True, allow_tags=False,
                                  feedback_options=None, elem_id="brushedit-chat", buttons=["copy"])
                instruction = gr.Textbox(label="Instruction", placeholder="remove the spoon", max_length=2000,
                                         elem_id="brushedit-instruction")
                with gr.Row():
                    edit = gr.Button("Edit", variant="primary", elem_id="brushedit-edit")
                    review = gr.Checkbox(label="Let me review before it is kept")
                with gr.Accordion("Advanced", open=False):
                    with gr.Row():
                        seed = gr.Number(label="Seed", precision=0, minimum=0, maximum=SEED_MAX, value=None)
                        candidates = gr.Slider(1, MAX_CANDIDATES, value=1, step=1, label="Candidates")
                        steps = gr.Slider(1, 200, value=ctx.settings.steps, step=1, label="Steps")
                    with gr.Row():
                        guidance = gr.Slider(0, 30, value=ctx.settings.guidance_scale, step=0.5, label="Guidance")
                        cond = gr.Slider(0, 2, value=ctx.settings.conditioning_scale, step=0.05,
                                         label="Preservation (conditioning) scale")
                        blur = gr.Slider(1, 255, value=ctx.settings.blur_kernel, step=2, label="Blend blur, px")
                with gr.Group(visible=False) as review_box:
                    gr.Markdown("**Waiting for your review.** Keep it, or say what is wrong and the agent tries again.")
                    pending = gr.Image(label="Proposed result", interactive=False, height=260)
                    with gr.Row():
                        accept = gr.Button("Accept", variant="primary", elem_id="brushedit-accept")
                        reason = gr.Textbox(label="What is wrong", placeholder="the patch looks smeared", scale=3,
                                            max_length=2000, elem_id="brushedit-reason")
                        reject = gr.Button("Reject", variant="stop", elem_id="brushedit-reject")
                with gr.Group(visible=False) as attempts_box:
                    attempts = gr.Gallery(label="Attempts and candidates: select one, then Pick", columns=4,
                                          height=240, allow_preview=False, elem_id="brushedit-attempts")
                    pick = gr.Button("Pick the selected attempt", elem_id="brushedit-pick")
                with gr.Row():
                    undo = gr.Button("↶ Undo", elem_id="brushedit-undo")
                    redo = gr.Button("↷ Redo", elem_id="brushedit-redo")
                    export = gr.Button("Export (zip + report)", elem_id="brushedit-export")
                downloads = gr.File(label="Downloads", visible=False, file_count="multiple")
        tree = gr.Dataframe(headers=TREE_HEADERS, datatype="str", interactive=False, max_height=420, wrap=True,
                            label="Versions: click a row to check it out (the next edit branches from it)",
                            elem_id="brushedit-tree", column_widths=["3%", "8%", "22%", "52%", "15%"])
        with gr.Accordion("Delete this session", open=False):
            confirm = gr.Textbox(label="Type the session name to delete it and all its versions", max_length=64)
            delete = gr.Button("Delete session", variant="stop")

        view = [session, sessions, status, editor, compare, chat, tree, review_box, pending, attempts_box,
                attempts, preview, seen, notes]
        edit_inputs = [session, instruction, editor, mode, grow, flip, review, seed, candidates, steps, guidance,
                       cond, blur, seen, notes]
        go = dict(outputs=view, concurrency_limit=1)
        demo.load(ctx.on_load, [notes], view)
        sessions.input(ctx.on_open, [sessions, notes], view)
        create.click(ctx.on_create, [new_name, upload, notes], view)
        edit.click(ctx.on_edit, edit_inputs, **go).success(lambda: "", None, instruction)
        instruction.submit(ctx.on_edit, edit_inputs, **go).success(lambda: "", None, instruction)
        preview_btn.click(ctx.on_preview, [session, editor, mode, grow, flip], preview)
        undo.click(ctx.on_move, [session, gr.State("undo"), notes], view)
        redo.click(ctx.on_move, [session, gr.State("redo"), notes], view)
        tree.select(ctx.on_tree_select, [session, notes], view)
        accept.click(ctx.on_review, [session, gr.State("accept"), reason, notes], **go)
        reject.click(ctx.on_review, [session, gr.State("reject"), reason, notes], **go)
        attempts.select(ctx.on_attempt_select, None, picked)
        pick.click(ctx.on_pick, [session, picked, notes], **go)
        export.click(ctx.on_export, [session], downloads)
        delete.click(ctx.on_delete, [session, confirm, notes], view)
    return demo


def mount_ui(app, settings, jobs, backends, path: str = "/ui"):
    ctx = act.UiActions(settings, jobs, backends)
    token = settings.api_token
    auth = (lambda _user, password: hmac.compare_digest(str(password).encode(), token.encode())) if token else None
    return gr.mount_gradio_app(
        app, build_ui(ctx), path=path, auth=auth, footer_links=[],
        auth_message="This server has an API token: enter it as the password (any user name).",
        max_file_size=settings.api_max_upload_bytes, theme=_theme(), css=CSS, head=URL_SYNC,
        show_error=False, mcp_server=False, pwa=False, ssr_mode=False,
    )
