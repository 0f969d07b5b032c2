"""An HTML session report: the version tree, before/after pairs and mask overlays."""
from __future__ import annotations

import html
from pathlib import Path

from PIL import Image

from engine.masks import overlay


def _tree(versions, head: str) -> str:
    children: dict[str | None, list] = {}
    for v in versions:
        children.setdefault(v.parent, []).append(v)

    def node(v) -> str:
        label = html.escape(v.instruction or "original")
        cls = ' class="head"' if v.id == head else ""
        kids = "".join(node(c) for c in children.get(v.id, []))
        return f'<li><a href="#{v.id}"{cls}>{v.id}</a> {label}' + (f"<ul>{kids}</ul>" if kids else "") + "</li>"

    return "<ul>" + "".join(node(v) for v in children.get(None, [])) + "</ul>"


def write_report(session, out_dir: str | Path, notes: list[str] | None = None) -> Path:
    """Writes report.html (and <v>_overlay.png) next to the PNGs written by Session.export."""
    out = Path(out_dir)
    versions = session.history()
    by_id = {v.id: v for v in versions}
    head = session.head.id
    rows = []
    for v in versions:
        if v.parent is None:
            continue
        parent = session.image(v.parent)
        ov = f"{v.id}_overlay.png"
        Image.fromarray(overlay(parent, session.store.get_mask(v.mask_id))).save(out / ov)
        plan = v.plan or {}
        rows.append(
            f'<section id="{v.id}"><h3>{v.id} ← {v.parent}: {html.escape(v.instruction or "")}</h3>'
            f"<p>category <b>{plan.get('category')}</b>, target <b>{html.escape(str(plan.get('target')))}</b>, "
            f"caption “{html.escape(str(plan.get('caption')))}”"
            + "".join(f"; adjust <b>{html.escape(o['op'])}</b> {o['strength']:g}"
                      for o in plan.get("operations") or [])
            + f"; models {html.escape(str(v.models))}; "
            f"attempts {v.attempts}; seconds {', '.join(f'{k} {t:.2f}' for k, t in v.timings.items())}</p>"
            f'<div class="row"><figure><img src="{by_id[v.parent].id}.png"><figcaption>before ({v.parent})'
            f'</figcaption></figure><figure><img src="{ov}"><figcaption>mask</figcaption></figure>'
            f'<figure><img src="{v.id}.png"><figcaption>after ({v.id})</figcaption></figure></div></section>'
        )
    note_html = "".join(f"<li>{html.escape(n)}</li>" for n in (notes or []))
    page = f"""<!doctype html><meta charset="utf-8"><title>BrushEdit session {html.escape(session.name)}</title>
<style>body{{font-family:sans-serif;max-width:1400px;margin:2em auto}} img{{max-width:420px}}
.row{{display:flex;gap:1em}} figure{{margin:0}} .head{{font-weight:bold;background:#ffd}}</style>
<h1>Session “{html.escape(session.name)}”</h1><p>head: <b>{head}</b></p>
<h2>Version tree</h2>{_tree(versions, head)}
{f"<h2>Notes</h2><ul>{note_html}</ul>" if note_html else ""}
<h2>Edits</h2>{''.join(rows)}"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
