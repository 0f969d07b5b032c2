"""The web UI in a real browser (Playwright + Debian's Chromium) against a real server: a multi-turn
edit as a person does it, and user text that must never become HTML.

Screenshots of every step go to $WEB_SCREENSHOTS (or the test's tmp dir) to look at.
"""
import io
import os
import re
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from conftest import CHROMIUM, CHROMIUM_ARGS
from engine.blending import band as blend_band
from helpers import PHOTO, changed_outside

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (.ci/run installs it)")]
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def browser(shots, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        for i, page in enumerate(pg for ctx in b.contexts for pg in ctx.pages):  # what it looked like at the end
            page.screenshot(path=str(shots / f"zz-{request.node.name}-{i}.png"), full_page=True)
        b.close()


@pytest.fixture
def shots(tmp_path):
    d = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


class Ui:
    """A page of the UI with the gestures of a person: type, upload, paint, click."""

    def __init__(self, page, url, shots):
        self.page, self.url, self.shots, self.errors = page, url, shots, []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None)

    def shot(self, name):
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def status(self) -> str:
        return self.page.inner_text("#brushedit-status")

    def wait_status(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.status()):
            assert time.monotonic() < deadline, f"status {self.status()!r} never matched {pattern!r}"
            time.sleep(0.2)
        time.sleep(1.5)  # the editor re-draws its background after an update

    def fill(self, elem_id_or_placeholder, value):
        sel = (f"#{elem_id_or_placeholder} textarea, #{elem_id_or_placeholder} input"
               if elem_id_or_placeholder.startswith("brushedit") else
               f"textarea[placeholder='{elem_id_or_placeholder}'], input[placeholder='{elem_id_or_placeholder}']")
        self.page.fill(sel, value)

    def create(self, name, photo=PHOTO):
        self.fill("trip", name)
        def shown():
            return Path(photo).stem in self.page.inner_text("#brushedit-photo")

        if not shown():  # still there after a refused create
            self.page.set_input_files("#brushedit-photo input[type=file]", str(photo))
            deadline = time.monotonic() + 30
            while not shown():
                assert time.monotonic() < deadline, "the upload never showed"
                time.sleep(0.2)
        self.page.click("#brushedit-create")

    def stroke(self, points, size=(600, 400)):
        """Paint through image pixel coordinates `points` with the brush."""
        canvas = self.page.query_selector("#brushedit-editor canvas").bounding_box()
        zoom = self.page.evaluate("""() => { for (const e of document.querySelectorAll('#brushedit-editor *'))
            if (/^\\d+%$/.test(e.textContent.trim()) && e.children.length === 0) return parseFloat(e.textContent); }""")
        s = zoom / 100
        ox = canvas["x"] + (canvas["width"] - size[0] * s) / 2
        oy = canvas["y"] + (canvas["height"] - size[1] * s) / 2
        xy = [(ox + x * s, oy + y * s) for x, y in points]
        self.page.mouse.move(*xy[0])
        time.sleep(0.3)  # a loaded machine: the editor takes a moment to see the pointer before the press
        self.page.mouse.down()
        time.sleep(0.2)
        for a, b in zip(xy, xy[1:]):
            for t in np.linspace(0, 1, 16)[1:]:
                self.page.mouse.move(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
                time.sleep(0.02)
        time.sleep(0.2)  # the last segment is drawn before the release
        self.page.mouse.up()
        time.sleep(0.5)

    def mark(self, points, label="box: the object is found inside"):
        """Paint, then check with "Preview mask" that the editor took the strokes (it re-draws its
        background after every update; a stroke during that is lost, as it would be for a person)."""
        for _ in range(4):
            self.stroke(points)
            self.page.click("text=Preview mask")
            try:
                self.page.wait_for_selector(f"text={label}", timeout=8_000)
                return
            except Exception:
                time.sleep(2)
        raise AssertionError("the editor never took the strokes")

    def chat(self) -> str:
        return self.page.inner_text("#brushedit-chat")

    def wait_chat(self, words, timeout=60):
        deadline = time.monotonic() + timeout
        while words not in self.chat():
            assert time.monotonic() < deadline, f"{words!r} never appeared in the chat: {self.chat()[-400:]!r}"
            time.sleep(0.3)


def api(srv):
    return httpx.Client(base_url=srv.url, timeout=60)


def test_multi_turn_edit_in_the_browser(live, browser, shots):
    srv = live(ui=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    ui = Ui(page, srv.url, shots)
    page.goto(srv.url + "/")
    assert page.url.endswith("/ui/")
    page.wait_for_selector("#brushedit-create")
    ui.shot("01-empty")

    # upload, then a box: a stroke over the spoon in "box" mode; preview what the edit will use
    ui.create("coffee")
    ui.wait_status(r"head v0")
    page.wait_for_url(re.compile(r".*[?&]session=coffee"), timeout=10_000)  # reload reopens it
    ui.mark([(335, 75), (420, 320)])
    ui.shot("02-box-preview")
    ui.fill("brushedit-instruction", "remove the spoon")
    page.click("#brushedit-edit")
    ui.wait_status(r"head v1")
    chat = ui.chat()
    assert "remove the spoon" in chat and "target: spoon" in chat and "classical" in chat
    assert page.query_selector_all("#brushedit-chat img"), "the result is shown inline"
    ui.shot("03-after-remove-spoon")

    with api(srv) as c:
        v1 = c.get("/sessions/coffee").json()["versions"][1]
        mask = np.asarray(Image.open(io.BytesIO(c.get(f"/sessions/coffee/images/{v1['mask_id']}.png").content))) > 127
    ys, xs = np.nonzero(mask)
    assert 300 <= xs.min() <= 345 and 410 <= xs.max() <= 445 and ys.min() <= 90 and ys.max() >= 305, (
        "the mask is not around the stroked box (was the stroke drawn in full? see 02-box-preview.png)",
        xs.min(), xs.max(), ys.min(), ys.max())

    # brush: the exact painted pixels, stop for review, reject with a reason
    page.click("text=exactly the pixels I painted")
    ui.mark([(150, 300), (200, 330)], "mask: exactly these pixels")
    ui.fill("brushedit-instruction", "remove the stain")
    page.click("text=Let me review before it is kept")
    page.click("#brushedit-edit")
    page.wait_for_selector("#brushedit-accept", state="visible", timeout=60_000)
    ui.wait_status(r"waiting for your review")
    ui.shot("04-review")
    ui.fill("brushedit-reason", "the patch looks smeared")
    page.click("#brushedit-reject")
    page.wait_for_selector("#brushedit-attempts", state="visible", timeout=60_000)
    ui.wait_chat("Rejected: the patch looks smeared")
    ui.shot("05-rejected-attempts")

    # pick another attempt (the first one, rejected above) from the gallery
    with api(srv) as c:
        before = len(c.get("/sessions/coffee").json()["versions"])
    if page.is_visible("#brushedit-accept"):
        page.click("#brushedit-accept")  # the second attempt waits for review: keep it, then pick the first
        ui.wait_status(r"^((?!waiting).)*$")
    page.click("#brushedit-attempts button.thumbnail-item:has-text('rejected') >> nth=0")
    page.click("#brushedit-pick")
    deadline = time.monotonic() + 60
    with api(srv) as c:
        while len(c.get("/sessions/coffee").json()["versions"]) == before:
            assert time.monotonic() < deadline
            time.sleep(0.3)
        hist = c.get("/sessions/coffee").json()
    ui.wait_status(rf"head {hist['head']}")
    ui.shot("06-picked")

    # undo, click a version in the tree, reload keeps the session
    page.click("#brushedit-undo")
    ui.wait_status(r"head v1\b")
    page.click("#brushedit-tree [data-testid=cell-0-1]")  # row 0 = v0
    ui.wait_status(r"head v0\b")
    ui.shot("07-checked-out-v0")
    page.reload()
    ui.wait_status(r"Session coffee · head v0\b")
    ui.shot("08-reloaded")

    # a double click on Edit makes one edit
    with api(srv) as c:
        n = len(c.get("/sessions/coffee").json()["versions"])
    page.click("text=box around my strokes")
    ui.mark([(335, 75), (420, 320)])
    ui.fill("brushedit-instruction", "remove the spoon")
    page.dblclick("#brushedit-edit")
    ui.wait_status(rf"head v{n}\b")
    time.sleep(3)
    with api(srv) as c:
        assert len(c.get("/sessions/coffee").json()["versions"]) == n + 1

    # a box dragged past the image edge is kept (clipped to the edge, not dropped)
    ui.mark([(520, 150), (640, 250)])
    ui.fill("brushedit-instruction", "remove the wood grain")
    page.click("#brushedit-edit")
    deadline = time.monotonic() + 60
    with api(srv) as c:
        while len(c.get("/sessions/coffee").json()["versions"]) < n + 2:
            assert time.monotonic() < deadline, "the edit with the edge box never committed"
            time.sleep(0.3)
        v = c.get("/sessions/coffee").json()["versions"][-1]
        mask = np.asarray(Image.open(io.BytesIO(c.get(f"/sessions/coffee/images/{v['mask_id']}.png").content))) > 127
        before = np.asarray(Image.open(io.BytesIO(c.get(f"/sessions/coffee/show/{v['parent']}").content)))
        after = np.asarray(Image.open(io.BytesIO(c.get(f"/sessions/coffee/show/{v['id']}").content)))
    # what the person sees: the drag was clipped to the image (x 520..599, y 150..250), not dropped; the
    # segmenter (GrabCut from that box) found something inside it (plus the mask's growth), and the photo
    # changed there and nowhere else (outside the mask's feather band every pixel is the parent's)
    assert mask.any(), (v["id"], v["instruction"])
    ys, xs = np.nonzero(mask)
    grow = 40  # mask_dilate (20 working px) at this photo's scale, rounded up
    assert xs.min() >= 520 - grow and ys.min() >= 150 - grow and ys.max() <= 250 + grow, (xs.min(), ys.min(), ys.max())
    assert xs.max() >= 520, xs.max()  # reaches into the part of the box inside the image
    assert np.any(before != after, axis=2)[mask].any(), "nothing changed inside the mask"
    band = blend_band(mask, srv.settings.blur_kernel)
    assert changed_outside(before, after, band) == 0
    ui.wait_status(rf"head v{n + 1}\b")
    ui.shot("09-edge-box")
    assert not ui.errors, ui.errors


def test_user_text_is_never_html(live, browser, shots):
    srv = live(ui=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    ui = Ui(page, srv.url, shots)
    page.goto(srv.url + "/ui/")
    page.wait_for_selector("#brushedit-create")
    ui.create(XSS)  # refused (not a valid name): the refusal quotes it
    page.wait_for_selector("text=is not allowed", timeout=30_000)
    ui.shot("10-xss-name")
    ui.create("safe")
    ui.wait_status(r"head v0")
    ui.mark([(335, 75), (420, 320)])
    ui.fill("brushedit-instruction", f"remove the {XSS} spoon")
    page.click("#brushedit-edit")
    ui.wait_status(r"head v1")
    ui.shot("11-xss-instruction")
    assert XSS in ui.chat() and XSS in page.inner_text("#brushedit-tree")  # shown as text
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"], [onerror]').length") == 0
    assert page.evaluate("() => window.__xss") is None
    assert not ui.errors, ui.errors


def test_version_tree_readable_at_50_versions(live, browser, shots):
    """50 versions with branches: every row is in the tree, the indentation stays bounded."""
    from agent.session import Session
    from agent.versions import Version

    srv = live(ui=True)
    s = Session.new("long", PHOTO, srv.settings)
    head = "v0"
    for i in range(1, 50):
        parent = "v3" if i in (20, 35) else head  # two branches from v3
        v = s.versions.commit("long", Version(id="new", parent=parent, image_id=s.head.image_id, instruction=f"turn {i}: make it warmer",
                                              category="global", plan={"category": "global"}))
        head = v.id
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    ui = Ui(page, srv.url, shots)
    page.goto(srv.url + "/ui/?session=long")
    ui.wait_status(r"head v49\b")
    page.locator("#brushedit-tree").scroll_into_view_if_needed()
    ui.shot("12-tree-50")
    rows = page.evaluate("() => [...document.querySelectorAll('#brushedit-tree .virtual-row')].length")
    assert rows >= 10  # a virtual, scrolling table: all 50 are reachable
    text = page.inner_text("#brushedit-tree")
    assert "↳ v20 ← v3" in text or "↳ v20" in text
