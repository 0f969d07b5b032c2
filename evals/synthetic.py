"""Synthetic removal cases with ground truth, from scikit-image's bundled public-domain photos.

Each case pastes an "object" onto a clean photo at a known place through a known mask: the
object is a cut-out of ANOTHER bundled photo through a shape mask (a rotated ellipse, the
silhouette of `skimage.data.horse`, one half of the `skimage.data.logo` disc, or a random smooth
blob). Removing the object should give back the clean photo, so the clean photo is the ground
truth for the fill and the paste mask the ground truth for the segmenter. `box` is what a user
would draw: the object's bounding box with a margin. Deterministic for a seed.

Needs scikit-image (the `evals` extra: pip install -e '.[evals]').
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

# backgrounds (the photos objects are removed from) and the photos object textures are cut from
BACKGROUNDS = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle", "camera", "brick", "grass", "gravel",
               "coins")
TEXTURES = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle", "immunohistochemistry", "colorwheel",
            "hubble_deep_field")
SHAPES = ("ellipse", "horse", "logo", "blob")


@dataclass(frozen=True)
class SyntheticRemoval:
    id: str
    photo: str  # name of the background photo in skimage.data
    image: np.ndarray  # uint8 [H, W, 3]: the clean photo with the object pasted on it
    clean: np.ndarray  # uint8 [H, W, 3]: ground truth
    mask: np.ndarray  # bool [H, W]: the paste mask (True = object pixels)
    box: tuple[int, int, int, int]  # x, y, w, h around the object, in pixels
    shape: str = ""  # ellipse | horse | logo | blob
    texture: str = ""  # the photo the object was cut from


@lru_cache(maxsize=None)
def photo(name: str) -> np.ndarray:
    """A bundled photo as uint8 RGB [H, W, 3] (grey ones replicated to 3 channels)."""
    import skimage.data as data

    img = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    img = np.asarray(img)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    img = img[..., :3].astype(np.uint8)
    img.setflags(write=False)
    return img


@lru_cache(maxsize=None)
def _stencil(kind: str) -> np.ndarray:
    """bool silhouette tightly cropped, for the fixed shapes."""
    import skimage.data as data

    if kind == "horse":
        m = ~np.asarray(data.horse())
    else:  # the green half of the logo disc: its colour is its alpha
        rgb = np.asarray(data.logo())[..., :3].astype(int)
        m = (rgb[..., 1] > rgb[..., 0] + 40) & (rgb[..., 1] > rgb[..., 2] + 40)
        m = cv2.morphologyEx(m.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)) > 0
    ys, xs = np.nonzero(m)
    return m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _shape(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """bool [h, w] silhouette whose longer side is `size` px."""
    if kind in ("horse", "logo"):
        m = _stencil(kind).astype(np.uint8) * 255
        if rng.random() < 0.5:
            m = m[:, ::-1]
        angle = float(rng.uniform(-30, 30))
        pad = max(m.shape) // 2
        m = cv2.copyMakeBorder(m, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
        rot = cv2.getRotationMatrix2D((m.shape[1] / 2, m.shape[0] / 2), angle, 1.0)
        m = cv2.warpAffine(m, rot, (m.shape[1], m.shape[0]), flags=cv2.INTER_LINEAR) > 127
    else:
        n = 512
        yy, xx = np.mgrid[0:n, 0:n] / (n / 2) - 1.0
        theta, r = np.arctan2(yy, xx), np.hypot(xx, yy)
        if kind == "ellipse":
            a, b = 0.95, 0.95 * rng.uniform(0.35, 0.9)
            phi = rng.uniform(0, np.pi)
            u = xx * np.cos(phi) + yy * np.sin(phi)
            v = -xx * np.sin(phi) + yy * np.cos(phi)
            m = (u / a) ** 2 + (v / b) ** 2 <= 1.0
        else:  # blob: a radius with a few random low harmonics
            radius = np.full_like(theta, 0.6)
            for k in range(2, 6):
                radius += rng.uniform(0.04, 0.16) / (k / 2) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
            m = r <= radius
    ys, xs = np.nonzero(m)
    m = m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8) * 255
    scale = size / max(m.shape)
    out = cv2.resize(m, (max(8, round(m.shape[1] * scale)), max(8, round(m.shape[0] * scale))),
                     interpolation=cv2.INTER_AREA)
    return out > 127


def _texture(name: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A random crop of photo `name`, resized to [h, w, 3]."""
    src = photo(name)
    sh, sw = src.shape[:2]
    side = int(rng.uniform(0.35, 0.7) * min(sh, sw))
    ch, cw = (side, max(8, round(side * w / h))) if h >= w else (max(8, round(side * h / w)), side)
    ch, cw = min(ch, sh), min(cw, sw)
    y0, x0 = int(rng.integers(0, sh - ch + 1)), int(rng.integers(0, sw - cw + 1))
    return cv2.resize(np.ascontiguousarray(src[y0 : y0 + ch, x0 : x0 + cw]), (w, h), interpolation=cv2.INTER_AREA)


def make_case(index: int, rng: np.random.Generator) -> SyntheticRemoval:
    """Case `index`: background and shape cycle through the lists, the rest is drawn from `rng`."""
    bg_name = BACKGROUNDS[index % len(BACKGROUNDS)]
    kind = SHAPES[(index // len(BACKGROUNDS) + index) % len(SHAPES)]
    tex_name = str(rng.choice([t for t in TEXTURES if t != bg_name]))
    clean = photo(bg_name)
    H, W = clean.shape[:2]
    size = int(rng.uniform(0.2, 0.38) * min(H, W))
    shape = _shape(kind, size, rng)
    h, w = shape.shape
    margin = max(6, size // 10)
    y0 = int(rng.integers(margin, H - h - margin))
    x0 = int(rng.integers(margin, W - w - margin))
    mask = np.zeros((H, W), bool)
    mask[y0 : y0 + h, x0 : x0 + w] = shape
    image = clean.copy()
    image[mask] = _texture(tex_name, h, w, rng)[shape]
    pad = int(rng.integers(max(3, size // 25), max(5, size // 8)))
    bx0, by0 = max(0, x0 - pad), max(0, y0 - pad)
    box = (bx0, by0, min(W, x0 + w + pad) - bx0, min(H, y0 + h + pad) - by0)
    for a in (image, mask):
        a.setflags(write=False)
    return SyntheticRemoval(id=f"syn-{index:03d}-{bg_name}-{kind}", photo=bg_name, image=image, clean=clean,
                            mask=mask, box=box, shape=kind, texture=tex_name)


def removal_cases(n: int = 30, seed: int = 0) -> list[SyntheticRemoval]:
    """`n` removal cases, the same ones for the same seed (and scikit-image's bundled photos)."""
    rng = np.random.default_rng(seed)
    return [make_case(i, rng) for i in range(n)]
