"""An HTML session report: the version tree, before/after pairs, mask overlays, every attempt of each
turn (committed or not, with its verdict, seed and method) and the result waiting for review."""
from __future__ import annotations

import html
from pathlib import Path

from PIL import Image

from engine.masks import overlay


def _mark(v) -> str:
    """A version made by one step of a turn (several edits, or one that took versions back first)."""
    from app.edit import step_words

    return f' <small class="step">({html.escape(step_words(v.step.model_dump()))})</small>' if v.step else ""


def _tree(versions, head: str) -> str:
    children: dict[str | None, list] = {}
    for v in versions:
        children.setdefault(v.parent, []).append(v)

    def node(v) -> str:
        label = html.escape(v.instruction or "original") + _mark(v)
        cls = ' class="head"' if v.id == head else ""
        kids = "".join(node(c) for c in children.get(v.id, []))
        return f'<li><a href="#{v.id}"{cls}>{v.id}</a> {label}' + (f"<ul>{kids}</ul>" if kids else "") + "</li>"

    return "<ul>" + "".join(node(v) for v in children.get(None, [])) + "</ul>"


def _image(session, out: Path, name: str, image_id: str | None) -> str:
    """`name` relative to OUT, written from the store unless Session.export already wrote it."""
    path = out / name
    if image_id and not path.exists():
        session.store.export_png(image_id, path)  # a verified PNG (creates the folder)
    return name


def _attempt_figure(session, out: Path, a) -> str:
    v = a.verdict or {}
    judged = "accepted" if v.get("ok") else f"{v.get('problem', '?')}".replace("_", " ")
    score = "" if v.get("score") is None else f" {v['score']:.2f}"
    src = _image(session, out, f"attempts/{a.id}.png", a.result_id)
    tip = html.escape(f"{v.get('by', '')}: {v.get('reason', '')}")
    change = f"<br><i>{html.escape(a.change)}</i>" if a.n and a.change else ""
    became = f" → {a.version}" if a.version else ""
    return (f'<figure class="att {a.status}"><img src="{src}" title="{tip}"><figcaption><b>{a.id}</b> '
            f"{a.status}{became} · attempt {a.n + 1}, candidate {a.candidate} · {html.escape(judged)}{score} "
            f"by {html.escape(str(v.get('by', '-')))} · seed {a.seed} · {html.escape(str(a.method or '-'))}"
            f"{change}</figcaption></figure>")


def _attempts_html(session, out: Path, records) -> str:
    if not records:
        return ""
    figures = "".join(_attempt_figure(session, out, a) for a in records)
    return f'<details open><summary>{len(records)} attempt(s), every one kept</summary><div class="row wrap">' \
           f"{figures}</div></details>"


def _pending_html(session, out: Path, pending: dict | None, records) -> str:
    if not pending:
        return ""
    src = _image(session, out, "pending.png", pending.get("result_id"))
    plan = pending.get("plan") or {}
    return (f'<section id="pending"><h2>Waiting for review: {html.escape(str(pending.get("attempt_id")))}</h2>'
            f"<p>{plan.get('category')} '{html.escape(str(plan.get('target')))}' — accept, reject with a reason, "
            f"or pick another attempt.</p><figure><img src=\"{src}\"><figcaption>pending result</figcaption></figure>"
            f"{_attempts_html(session, out, records)}</section>")


def _orphans_html(session, out: Path, runs: dict, used: set, pending_run) -> str:
    """Turns that left no version (rejected, or stopped): their attempts stay pickable."""
    rows = [f"<h3>{html.escape(recs[0].instruction)} (from {recs[0].turn_parent})</h3>"
            f"{_attempts_html(session, out, recs)}" for run, recs in runs.items() if run not in used | {pending_run}]
    return "<h2>Turns without a version</h2>" + "".join(rows) if rows else ""


def write_report(session, out_dir: str | Path, notes: list[str] | None = None) -> Path:
    """Writes report.html (and <v>_overlay.png) next to the PNGs written by Session.export."""
    out = Path(out_dir)
    versions = session.history()
    by_id = {v.id: v for v in versions}
    head = session.head.id
    runs: dict[str, list] = {}
    for a in session.attempts():
        runs.setdefault(a.run_id, []).append(a)
    run_of = {a.version: a.run_id for recs in runs.values() for a in recs if a.version}
    pending = session.pending()
    rows = []
    for v in versions:
        if v.parent is None:
            continue
        parent = session.image(v.parent)
        ov = f"{v.id}_overlay.png"
        Image.fromarray(overlay(parent, session.store.get_mask(v.mask_id))).save(out / ov)
        plan = v.plan or {}
        rows.append(
            f'<section id="{v.id}"><h3>{v.id} ← {v.parent}: {html.escape(v.instruction or "")}{_mark(v)}</h3>'
            f"<p>category <b>{plan.get('category')}</b>, target <b>{html.escape(str(plan.get('target')))}</b>, "
            f"caption “{html.escape(str(plan.get('caption')))}”"
            + "".join(f"; adjust <b>{html.escape(o['op'])}</b> {o['strength']:g}"
                      for o in plan.get("operations") or [])
            + f"; models {html.escape(str(v.models))}; "
            f"attempts {v.attempts}; seconds {', '.join(f'{k} {t:.2f}' for k, t in v.timings.items())}</p>"
            f'<div class="row"><figure><img src="{by_id[v.parent].id}.png"><figcaption>before ({v.parent})'
            f'</figcaption></figure><figure><img src="{ov}"><figcaption>mask</figcaption></figure>'
            f'<figure><img src="{v.id}.png"><figcaption>after ({v.id})</figcaption></figure></div>'
            f"{_attempts_html(session, out, runs.get(run_of.get(v.id), []))}</section>"
        )
    note_html = "".join(f"<li>{html.escape(n)}</li>" for n in (notes or []))
    page = f"""<!doctype html><meta charset="utf-8"><title>BrushEdit session {html.escape(session.name)}</title>
<style>body{{font-family:sans-serif;max-width:1400px;margin:2em auto}} img{{max-width:420px}}
.row{{display:flex;gap:1em}} .wrap{{flex-wrap:wrap}} figure{{margin:0}} .head{{font-weight:bold;background:#ffd}}
.step{{color:#666;font-weight:normal}} .att img{{max-width:200px}} .att figcaption{{max-width:200px;font-size:12px}}
.att.committed img{{outline:3px solid #2a2}}
.att.rejected img{{outline:3px solid #c33}} .att.pending img{{outline:3px solid #e90}}</style>
<h1>Session “{html.escape(session.name)}”</h1><p>head: <b>{head}</b></p>
<h2>Version tree</h2>{_tree(versions, head)}
{f"<h2>Notes</h2><ul>{note_html}</ul>" if note_html else ""}
{_pending_html(session, out, pending, runs.get((pending or {}).get("run_id"), []))}
<h2>Edits</h2>{''.join(rows)}
{_orphans_html(session, out, runs, set(run_of.values()), (pending or {}).get("run_id"))}"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
