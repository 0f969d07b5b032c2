"""What the web UI shows, as plain functions of the Session API's data (no Gradio here, so they are
unit-tested): the chat of a session, the version tree as table rows, and the mask/box from the
editor's brush layers.

Safety by construction: every string that came from a user or a model goes through `text()`
before it reaches a Markdown-rendering component, so it is shown as text, never as HTML.
"""
from __future__ import annotations

import html
import re

import numpy as np

from engine.masks import bbox, dilate, erode, invert

_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
MARK_BOX = "box around my strokes (the agent finds the object in it)"
MARK_MASK = "exactly the pixels I painted"


def text(value) -> str:
    """Any value as Markdown that renders as exactly that text (HTML and Markdown escaped)."""
    return _MD.sub(r"\\\1", html.escape(str(value), quote=False)).replace("\n", "  \n")


def thumb(image: np.ndarray, side: int = 640) -> np.ndarray:
    """Downscale for display (chat, gallery); the full image stays in the store."""
    from engine.images import resize_image

    h, w = image.shape[:2]
    scale = side / max(h, w)
    return image if scale >= 1 else resize_image(image, (max(1, round(w * scale)), max(1, round(h * scale))))


# --- the editor's strokes -> mask / box -----------------------------------------------------------
def painted(editor: dict | None, size: tuple[int, int]) -> np.ndarray | None:
    """bool [H, W] of every pixel painted on any layer (alpha > 0), resized to `size` (W, H) if needed."""
    if not editor or not editor.get("layers"):
        return None
    from engine.images import resize_mask

    mask = None
    for layer in editor["layers"]:
        if layer is None:
            continue
        arr = np.asarray(layer)
        hit = arr[..., 3] > 0 if arr.ndim == 3 and arr.shape[2] == 4 else arr.reshape(arr.shape[:2] + (-1,)).any(-1)
        mask = hit if mask is None else (mask | hit if mask.shape == hit.shape else mask)
    if mask is None or not mask.any():
        return None
    return resize_mask(mask, size)


def marks(editor: dict | None, size: tuple[int, int], mode: str, grow: int = 0, flip: bool = False):
    """(box, mask) for an edit from the strokes: a box (x, y, w, h) around them, or the mask itself
    grown (grow > 0) / shrunk (grow < 0) and optionally inverted. (None, None) = no marks."""
    mask = painted(editor, size)
    if mask is None:
        return None, None
    if mode == MARK_BOX:
        return bbox(mask), None  # (x, y, w, h); a stroke to the image edge keeps the edge
    mask = dilate(mask, grow) if grow > 0 else erode(mask, -grow) if grow < 0 else mask
    if flip:
        mask = invert(mask)
    return None, (mask if mask.any() else None)


# --- the version tree -------------------------------------------------------------------------------
TREE_HEADERS = ["", "version", "tree", "instruction", "category"]


def tree_rows(versions: list[dict], head: str) -> list[list[str]]:
    """One row per version, depth-first: an edit's first child continues its line, every further
    child starts a branch one step to the right ("↳ v7 ← v2"), so a 50-turn chain stays narrow."""
    kids: dict[str | None, list[dict]] = {}
    for v in versions:
        kids.setdefault(v.get("parent"), []).append(v)
    rows: list[list[str]] = []
    stack = [(r, 0, False) for r in reversed(kids.get(None, []))]
    while stack:
        v, depth, branch = stack.pop()
        label = "   " * depth + (f"↳ {v['id']} ← {v['parent']}" if branch else v["id"])
        rows.append(["●" if v["id"] == head else "", v["id"], label,
                     v.get("instruction") or "(original)", v.get("category") or ""])
        children = kids.get(v["id"], [])
        stack += [(c, depth + 1, True) for c in reversed(children[1:])] + [(c, depth, False) for c in children[:1]]
    return rows


# --- the chat -----------------------------------------------------------------------------------------
def plan_card(plan: dict | None, version: dict | None = None) -> str:
    if not plan:
        return "_no plan_"
    models = (version or {}).get("models") or {}
    bits = [f"**{text(plan.get('category', '?'))}**"]
    if plan.get("target"):
        bits.append(f"target: {text(plan['target'])}")
    if models.get("inpainter"):
        bits.append(f"method: {text(models['inpainter'])}")
    lines = [" · ".join(bits)]
    if plan.get("caption"):
        lines.append(f"caption: “{text(plan['caption'])}”")
    for op in plan.get("operations") or []:
        lines.append(f"adjust: {text(op.get('op'))} {text(op.get('strength'))}")
    if version:
        lines.append(f"→ **{text(version['id'])}**" + (f" (from {text(version['parent'])})" if version.get("parent") else ""))
    return "  \n".join(lines)


def note(kind: str, message: str, fix: str | None = None) -> str:
    icon = {"error": "⚠️", "verdict": "🔎", "retry": "↻", "info": "ℹ️"}.get(kind, "")
    return f"{icon} {text(message)}" + (f"  \n_{text(fix)}_" if fix else "")


# --- the attempts gallery -------------------------------------------------------------------------
def turn_attempts(records: list, head, pending: dict | None, limit: int = 12) -> list:
    """The stored attempts (with an image) of the turn the page is about, oldest first:
    - an edit waits for review: that run's attempts, when there is more than the one proposed;
    - else the last turn started from the head that kept nothing (its attempts stay pickable);
    - else the turn that made the head, when it has more than the head's own attempt.
    A finished turn's attempts never show as those of the turn after it."""
    shown = [a for a in records if a.result_id]
    if pending:
        rows = [a for a in shown if a.run_id == pending.get("run_id")]
        return rows[-limit:] if len(rows) > 1 else []
    made = (head.run_id or "").split(":")[0]  # a pick's run id is "RUN:aN"
    later = [a for a in shown if a.turn_parent == head.id and a.run_id != made and a.created > (head.created or 0)]
    if later:
        return [a for a in later if a.run_id == later[-1].run_id][-limit:]
    rows = [a for a in shown if made and a.run_id == made]
    return rows[-limit:] if len(rows) > 1 else []
