"""Exemplar-based image completion without weights: multi-scale PatchMatch + patch voting.

Wexler, Shechtman & Irani, "Space-Time Completion of Video" (2007) with the randomised
nearest-neighbour search of Barnes et al., "PatchMatch" (2009): coarse to fine, every patch that
overlaps the hole is matched to its most similar fully known patch nearby (propagation from the
neighbours' matches plus a shrinking random search), then each hole pixel becomes the weighted
vote of the matched patches covering it. The result copies real texture from around the hole
instead of smearing its border inward. Vectorised numpy; about 1 s for a 100x100 hole on one core.

Anchored to the membrane: the coarse levels decide where light and shadow go, and a plain exemplar
fill decides that by copying whatever matched best, e.g. a lit saucer carried into a cup's shadow,
which leaves the object's outline visible as a lighter patch. So the coarsest level starts from the
membrane (the harmonic interpolation of the hole's border, `membrane`) and every vote at the coarse
levels is pulled toward it by ANCHOR (fading to 0 at the finest level, where only real patches
vote): the low frequencies follow the smooth guess, the texture is copied.
"""
from __future__ import annotations

import cv2
import numpy as np

PATCH = 7  # patch side (px)
R = PATCH // 2
DESCRIPTOR = np.arange(-R, R + 1, 2)  # sparse patch: every other pixel (16 samples of 7x7)
COARSEST = 40  # hole extent (px) at the coarsest level
SHARP_FINAL = 8.0  # at the finest level the best matches dominate the vote: sharper texture
LOCALITY = 2.0  # a source `reach` away costs as much as an RMS colour error of 10 per sample
ANCHOR = (0.5, 0.0)  # pull of each vote toward the membrane at the coarsest level, at the finest


def membrane(image: np.ndarray, hole: np.ndarray, sweeps: int = 30) -> np.ndarray:
    """float32 copy of `image` with `hole` replaced by the harmonic (Laplace) interpolation of its
    border: coarse to fine, each level starts from the coarser solution and relaxes by Jacobi sweeps."""
    img = image.astype(np.float32)
    if img.ndim == 2:
        return membrane(img[..., None], hole, sweeps)[..., 0]
    if not hole.any():
        return img.copy()
    if min(hole.shape) >= 16 and cv2.distanceTransform(np.pad(hole, 1).astype(np.uint8), cv2.DIST_L2, 3).max() > 4:
        size = ((hole.shape[1] + 1) // 2, (hole.shape[0] + 1) // 2)
        known = (~hole).astype(np.float32)
        # the coarse image averages known pixels only (a hole pixel must not leak into its border)
        num = cv2.resize(img * known[..., None], size, interpolation=cv2.INTER_AREA).reshape(size[1], size[0], -1)
        den = cv2.resize(known, size, interpolation=cv2.INTER_AREA)[..., None]
        small_hole = den[..., 0] < 0.5
        coarse = membrane(num / np.maximum(den, 1e-6), small_hole, sweeps)
        start = cv2.resize(coarse, (hole.shape[1], hole.shape[0]), interpolation=cv2.INTER_LINEAR).reshape(img.shape)
    else:
        start = np.broadcast_to(img[~hole].mean(axis=0), img.shape).astype(np.float32)
    out = img.copy()
    out[hole] = start[hole]
    kernel = np.array([[0, 0.25, 0], [0.25, 0, 0.25], [0, 0.25, 0]], np.float32)
    where = np.broadcast_to(hole[..., None], img.shape)
    for _ in range(sweeps):
        np.copyto(out, cv2.filter2D(out, -1, kernel, borderType=cv2.BORDER_REPLICATE).reshape(img.shape), where=where)
    return out


def _features(padded: np.ndarray, h: int, w: int) -> np.ndarray:
    """[h, w, 16 * C] sparse-patch descriptor at every pixel of a reflect-padded (by R) image."""
    parts = [padded[R + dy : R + dy + h, R + dx : R + dx + w] for dy in DESCRIPTOR for dx in DESCRIPTOR]
    return np.concatenate(parts, axis=2)


class _Level:
    """One pyramid level: the image estimate, its hole, valid source centres and the NNF."""

    def __init__(self, image: np.ndarray, hole: np.ndarray, rng: np.random.Generator):
        self.image, self.hole, self.rng = image, hole, rng
        self.h, self.w = hole.shape
        depth = cv2.distanceTransform(np.pad(hole, 1).astype(np.uint8), cv2.DIST_L2, 3).max()
        reach = max(4.0, 3.0 * float(depth))  # how far texture is looked for without penalty: 3 hole half-widths
        self.penalty = LOCALITY * 100.0 * len(DESCRIPTOR) ** 2 * image.shape[2] / reach ** 2
        known = (~hole).astype(np.uint8)
        src = cv2.erode(known, np.ones((PATCH, PATCH), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
        self.src_y, self.src_x = np.nonzero(src)
        if len(self.src_y) == 0:  # no complete known patch: accept partially known ones
            self.src_y, self.src_x = np.nonzero(known)
        self.valid = np.zeros((self.h, self.w), bool)
        self.valid[self.src_y, self.src_x] = True
        grown = cv2.dilate(hole.astype(np.uint8), np.ones((PATCH, PATCH), np.uint8)) > 0
        self.ty, self.tx = np.nonzero(grown)
        self.ny = np.zeros(len(self.ty), np.int32)
        self.nx = np.zeros(len(self.ty), np.int32)
        self.dist = None

    def random_sources(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        idx = self.rng.integers(0, len(self.src_y), count)
        return self.src_y[idx].astype(np.int32), self.src_x[idx].astype(np.int32)

    def refresh(self) -> None:
        pad = cv2.copyMakeBorder(self.image, R, R, R, R, cv2.BORDER_REFLECT)
        self.feat = _features(pad, self.h, self.w)
        self.target = self.feat[self.ty, self.tx]
        self.dist = self._cost(self.ny, self.nx)

    def _cost(self, cy: np.ndarray, cx: np.ndarray) -> np.ndarray:
        """Patch SSD plus a penalty growing with the squared distance to the source (nearby texture first)."""
        diff = self.target - self.feat.reshape(-1, self.feat.shape[2]).take(cy * self.w + cx, axis=0)
        far = (cy - self.ty).astype(np.float32) ** 2 + (cx - self.tx).astype(np.float32) ** 2
        return np.einsum("ij,ij->i", diff, diff) + self.penalty * far

    def _try(self, cy: np.ndarray, cx: np.ndarray) -> None:
        cy = np.clip(cy, 0, self.h - 1)
        cx = np.clip(cx, 0, self.w - 1)
        ok = self.valid[cy, cx]
        d = np.where(ok, self._cost(cy, cx), np.inf)
        better = d < self.dist
        self.ny[better], self.nx[better], self.dist[better] = cy[better], cx[better], d[better]

    def search(self, iterations: int) -> None:
        """PatchMatch: propagate neighbours' matches (jumps 4, 2, 1), then random search."""
        index = np.full((self.h, self.w), -1, np.int64)
        index[self.ty, self.tx] = np.arange(len(self.ty))
        for it in range(iterations):
            for step in (4, 2, 1):
                for dy, dx in ((0, step), (step, 0), (0, -step), (-step, 0)):
                    sy, sx = self.ty - dy, self.tx - dx
                    inside = (sy >= 0) & (sy < self.h) & (sx >= 0) & (sx < self.w)
                    nb = np.where(inside, index[np.clip(sy, 0, self.h - 1), np.clip(sx, 0, self.w - 1)], -1)
                    has = nb >= 0
                    cy = np.where(has, self.ny[np.maximum(nb, 0)] + dy, self.ny)
                    cx = np.where(has, self.nx[np.maximum(nb, 0)] + dx, self.nx)
                    self._try(cy, cx)
            radius = max(self.h, self.w)
            while radius >= 1:
                off = self.rng.integers(-radius, radius + 1, (2, len(self.ty)))
                self._try(self.ny + off[0], self.nx + off[1])
                radius //= 2
            ry, rx = self.random_sources(len(self.ty))  # a few fresh guesses keep it from settling too early
            self._try(ry, rx)

    def vote(self, sharpness: float = 1.0) -> None:
        """Each hole pixel = weighted mean of the matched patches' pixels that cover it; better
        matches weigh more (exp(-d / (2 sigma^2)), sigma^2 the median distance / `sharpness`)."""
        if getattr(self, "dist", None) is None:
            weight = np.ones(len(self.ty), np.float32)
        else:
            sigma2 = np.median(self.dist) / sharpness + 1e-3
            # floored: a pixel covered only by poor matches still gets their mean, never acc / epsilon (black)
            weight = np.maximum(np.exp(-(self.dist - self.dist.min()) / (2.0 * sigma2)), 1e-20).astype(np.float32)
        hy, hx = np.nonzero(self.hole)
        if getattr(self, "_cover", None) is None:  # which patches cover each hole pixel: fixed per level
            index = np.full((self.h, self.w), -1, np.int64)
            index[self.ty, self.tx] = np.arange(len(self.ty))
            self._cover = []
            for dy in range(-R, R + 1):
                for dx in range(-R, R + 1):
                    py, px = hy - dy, hx - dx
                    inside = (py >= 0) & (py < self.h) & (px >= 0) & (px < self.w)
                    t = np.where(inside, index[np.clip(py, 0, self.h - 1), np.clip(px, 0, self.w - 1)], -1)
                    use = np.flatnonzero(t >= 0)
                    self._cover.append((dy, dx, use, t[use]))
        acc = np.zeros((len(hy), self.image.shape[2]), np.float32)
        total = np.zeros(len(hy), np.float32)
        pixels = self.image.reshape(-1, self.image.shape[2])  # flat: one take per offset, not a 2-D gather
        for dy, dx, use, t in self._cover:
            at = np.clip(self.ny[t] + dy, 0, self.h - 1) * self.w + np.clip(self.nx[t] + dx, 0, self.w - 1)
            w = weight[t]
            acc[use] += w[:, None] * pixels.take(at, axis=0)
            total[use] += w
        fill = acc / np.where(total > 0, total, 1.0)[:, None]
        self.image[hy, hx] = np.where(total[:, None] > 0, fill, self.image[hy, hx])


def _pyramid(image: np.ndarray, hole: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    levels = [(image, hole)]
    ys, xs = np.nonzero(hole)
    extent = max(ys.max() - ys.min(), xs.max() - xs.min()) + 1
    while extent > COARSEST and min(levels[-1][1].shape) >= 4 * PATCH:
        img, m = levels[-1]
        size = ((img.shape[1] + 1) // 2, (img.shape[0] + 1) // 2)
        small = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        levels.append((small, cv2.resize(m.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0))
        extent = (extent + 1) // 2
    return levels[::-1]


def complete(image: np.ndarray, hole: np.ndarray, seed: int = 0, iterations: tuple[int, int] = (6, 2),
             anchor: tuple[float, float] = ANCHOR, smooth: np.ndarray | None = None) -> np.ndarray:
    """uint8 [H, W, 3] with `hole` (bool [H, W]) filled from the rest of `image`; known pixels unchanged.

    `iterations` = (EM iterations at the coarsest level, at the finest) and `anchor` = (pull toward
    the membrane at the coarsest level, at the finest); levels between interpolate. `smooth`: the
    membrane of (image, hole) when the caller has it already.
    """
    if not hole.any():
        return image.copy()
    rng = np.random.default_rng(seed)
    levels = _pyramid(image.astype(np.float32), hole)
    smooth = membrane(image, hole) if smooth is None else smooth.astype(np.float32)
    prev: _Level | None = None
    for i, (img, m) in enumerate(levels):
        level = _Level(img.copy(), m, rng)
        guide = cv2.resize(smooth, (level.w, level.h), interpolation=cv2.INTER_AREA) if i < len(levels) - 1 else smooth
        if prev is None:
            level.image[m] = guide[m]
            level.ny, level.nx = level.random_sources(len(level.ty))
        else:
            up = cv2.resize(prev.image, (level.w, level.h), interpolation=cv2.INTER_LINEAR)
            level.image[m] = up[m]
            coarse = np.full((prev.h, prev.w, 2), -1, np.int32)
            coarse[prev.ty, prev.tx] = np.stack([prev.ny, prev.nx], 1)
            cy, cx = np.minimum(level.ty // 2, prev.h - 1), np.minimum(level.tx // 2, prev.w - 1)
            match = coarse[cy, cx]
            level.ny = np.clip(match[:, 0] * 2 + level.ty % 2, 0, level.h - 1)
            level.nx = np.clip(match[:, 1] * 2 + level.tx % 2, 0, level.w - 1)
            bad = (match[:, 0] < 0) | ~level.valid[level.ny, level.nx]
            level.ny[bad], level.nx[bad] = level.random_sources(int(bad.sum()))
            level.vote()  # rebuild the hole from the finer source pixels: keeps texture sharp
        frac = i / max(1, len(levels) - 1)
        em = round(iterations[0] + (iterations[1] - iterations[0]) * frac)
        last = i == len(levels) - 1
        pull = anchor[0] + (anchor[1] - anchor[0]) * frac
        for _ in range(max(1, em)):
            level.refresh()
            level.search(2 if prev is None else 1)
            level.vote(SHARP_FINAL if last else 1.0)
            if pull > 0:
                level.image[m] = (1.0 - pull) * level.image[m] + pull * guide[m]
        prev = level
    out = image.copy()
    out[hole] = np.clip(np.rint(prev.image[hole]), 0, 255).astype(image.dtype)
    return out


SPLIT_COARSE_ABOVE = 6000  # unknowns: a larger split membrane starts from its half-resolution solution
SPLIT_FINE_ITERATIONS = 60  # conjugate-gradient steps at full resolution after that start


def split_membrane(image: np.ndarray, hole: np.ndarray, barrier: np.ndarray, start: np.ndarray,
                   iterations: int = 200, guess: np.ndarray | None = None) -> np.ndarray:
    """`membrane` where no hole pixel sees across `barrier` (bool, 1 px 8-connected curves: contours
    that cross the hole, engine/contours.py), so each side of a contour is interpolated from its own
    side of the border and the contour stays an edge instead of a haze. Conjugate gradients on the
    hole's 4-neighbour Laplacian, from `start` (the plain membrane, which a side closed off on every
    side keeps); barrier pixels become the mean of their neighbours on both sides. `guess`: where the
    iterations start (default `start`). A hole of more than SPLIT_COARSE_ABOVE unknowns is solved at half
    resolution first (the barrier max-pooled, so it stays closed) and that solution, upsampled, is the
    guess for SPLIT_FINE_ITERATIONS steps at full resolution: CG on a Laplacian is slow for exactly the
    low frequencies the coarse level gets right (a 27,000-pixel hole: 0.65 -> 0.27 s)."""
    img = image.astype(np.float32)
    unknown = hole & ~barrier
    if not unknown.any() or not (barrier & hole).any():
        return start
    h, w = hole.shape
    ys, xs = np.nonzero(unknown)
    if guess is None and len(ys) > SPLIT_COARSE_ABOVE and min(h, w) >= 32:
        size = ((w + 1) // 2, (h + 1) // 2)
        down = lambda a: cv2.resize(a, size, interpolation=cv2.INTER_AREA)
        coarse = split_membrane(down(img), down(hole.astype(np.float32)) > 0, down(barrier.astype(np.float32)) > 0,
                                down(start.astype(np.float32)), iterations)
        guess = np.where(hole[..., None], cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR), start)
        iterations = SPLIT_FINE_ITERATIONS
    index = np.full((h, w), -1, np.int64)
    index[ys, xs] = np.arange(len(ys))
    diag = np.full(len(ys), 1e-3, np.float32)  # the small pull toward `start` keeps every side solvable
    rhs = 1e-3 * start[ys, xs]
    neighbours = []
    for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        qy, qx = ys + dy, xs + dx
        inside = (qy >= 0) & (qy < h) & (qx >= 0) & (qx < w)
        qy, qx = np.clip(qy, 0, h - 1), np.clip(qx, 0, w - 1)
        known, linked = inside & ~hole[qy, qx], inside & unknown[qy, qx]
        diag += known | linked
        rhs[known] += img[qy[known], qx[known]]
        neighbours.append(np.where(linked, index[qy, qx], len(ys)))  # len(ys): a zero entry

    def laplace(u: np.ndarray) -> np.ndarray:
        ext = np.concatenate([u, np.zeros((1, u.shape[1]), np.float32)])
        return diag[:, None] * u - sum(ext[n] for n in neighbours)

    u = (start if guess is None else guess)[ys, xs].astype(np.float32)
    r = rhs - laplace(u)
    z = r / diag[:, None]
    p, rz = z.copy(), (r * z).sum(axis=0)
    tol = 1e-4 * np.maximum(np.abs(rhs).sum(axis=0), 1.0)
    for _ in range(iterations):
        ap = laplace(p)
        alpha = rz / np.maximum((p * ap).sum(axis=0), 1e-12)
        u += alpha * p
        r -= alpha * ap
        if np.all(np.abs(r).sum(axis=0) < tol):
            break
        z = r / diag[:, None]
        rz_next = (r * z).sum(axis=0)
        p, rz = z + (rz_next / np.maximum(rz, 1e-12)) * p, rz_next
    out = start.copy()
    out[ys, xs] = u
    line = barrier & hole
    keep = (~line).astype(np.float32)
    num = cv2.blur(out * keep[..., None], (3, 3)).reshape(out.shape)
    out[line] = (num / np.maximum(cv2.blur(keep, (3, 3)), 1e-6)[..., None])[line]
    return out
