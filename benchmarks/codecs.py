"""Lossless codecs for the image store, compared in one run: encode, decode, size, round-trip.

Timed: encode, encode + durable write (engine.store_io.write_durable: temp file, fsync, rename,
fsync of the folder, on the disk given by --disk), decode, size. Candidates: PNG at zlib levels 0/1/6 (Pillow and OpenCV), lossless WebP (Pillow, method 0),
QOI (the `qoi` package, Rust), and the raw pixels (.npy header + bytes) compressed with zstd
levels 1 and 3. sha256 of the raw pixels is timed beside them (the store's id). Images: a
photo-like synthetic image (gradients + sensor-like noise, what benchmarks/agent_overhead.py
edits) and real photos (app/assets/coffee.png, scikit-image's astronaut and chelsea), each
resized to 640², 1024², 2048² (real photos are upscaled with Lanczos, so they are smoother
than a camera's 2048² frame: the synthetic row is the pessimistic one).

    python benchmarks/codecs.py [--sizes 640 1024 2048] [--repeat 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import qoi
import zstandard
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.store_io import write_durable  # noqa: E402


def _pil_png(level):
    def enc(a):
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, format="PNG", compress_level=level)
        return buf.getvalue()
    return enc, lambda b: np.asarray(Image.open(io.BytesIO(b)).convert("RGB"))


def _cv_png(level, fast=False):
    params = [cv2.IMWRITE_PNG_COMPRESSION, level]
    if fast:  # Huffman coding only (no LZ77 match search) after PNG's 'average' row filter
        params += [cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY,
                   cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_AVG]

    def enc(a):
        ok, buf = cv2.imencode(".png", cv2.cvtColor(a, cv2.COLOR_RGB2BGR), params)
        return buf.tobytes()
    return enc, lambda b: cv2.cvtColor(cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _webp():
    def enc(a):
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, format="WEBP", lossless=True, method=0, quality=0)
        return buf.getvalue()
    return enc, lambda b: np.asarray(Image.open(io.BytesIO(b)).convert("RGB"))


def _pil_qoi():
    def enc(a):
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, format="QOI")
        return buf.getvalue()
    return enc, lambda b: np.asarray(Image.open(io.BytesIO(b)).convert("RGB"))


def _zstd(level):
    cctx, dctx = zstandard.ZstdCompressor(level=level), zstandard.ZstdDecompressor()

    def enc(a):
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(a))
        return cctx.compress(buf.getvalue() + a.tobytes())

    def dec(b):
        raw = dctx.decompress(b)
        buf = io.BytesIO(raw)
        np.lib.format.read_magic(buf)
        shape, _, dtype = np.lib.format.read_array_header_1_0(buf)
        return np.frombuffer(raw, dtype, offset=buf.tell()).reshape(shape)
    return enc, dec


def _qoi_zstd(level):
    cctx, dctx = zstandard.ZstdCompressor(level=level), zstandard.ZstdDecompressor()
    return lambda a: cctx.compress(qoi.encode(a)), lambda b: qoi.decode(dctx.decompress(b))


def _delta_zstd(level):
    """PNG's 'sub' filter in numpy (left-neighbour difference, mod 256), then zstd."""
    cctx, dctx = zstandard.ZstdCompressor(level=level), zstandard.ZstdDecompressor()

    def enc(a):
        d = a.copy()
        np.subtract(a[:, 1:], a[:, :-1], out=d[:, 1:])
        return np.array(a.shape, "<u4").tobytes() + cctx.compress(d.data)

    def dec(b):
        shape = tuple(np.frombuffer(b[:12], "<u4"))
        return np.cumsum(np.frombuffer(dctx.decompress(b[12:]), np.uint8).reshape(shape), axis=1, dtype=np.uint8)
    return enc, dec


CODECS = {
    "PNG-0 Pillow": _pil_png(0), "PNG-1 Pillow": _pil_png(1), "PNG-6 Pillow": _pil_png(6),
    "PNG-0 OpenCV": _cv_png(0), "PNG-1 OpenCV": _cv_png(1), "PNG-6 OpenCV": _cv_png(6),
    "PNG-1 OpenCV huffman+avg": _cv_png(1, fast=True),
    "WebP lossless m0": _webp(), "QOI (Pillow)": _pil_qoi(), "QOI (qoi pkg)": (qoi.encode, qoi.decode),
    "QOI+zstd-1": _qoi_zstd(1),
    "npy+zstd-1": _zstd(1), "npy+zstd-3": _zstd(3), "sub-filter+zstd-1": _delta_zstd(1),
}


SLOW = {"QOI (Pillow)"}  # pure Python: timed at the smallest size only


def images(size: int) -> dict[str, np.ndarray]:
    from skimage import data

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size]
    base = np.stack([xx * 255 / size, yy * 255 / size, (xx + yy) * 127 / size], -1)
    out = {"photo-like (noise 12)": np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)}
    real = {"coffee.png": np.asarray(Image.open(ROOT / "app/assets/coffee.png").convert("RGB")),
            "astronaut": data.astronaut(), "chelsea": data.chelsea()}
    for name, arr in real.items():
        out[name] = np.asarray(Image.fromarray(arr).resize((size, size), Image.Resampling.LANCZOS))
    return out


def best_of(fn, arg, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times), result


def measure(sizes, repeat, scratch: Path):
    rows = []
    for size in sizes:
        for img_name, img in images(size).items():
            t_hash, _ = best_of(lambda a: hashlib.sha256(a.data).digest(), img, repeat)
            for codec, (enc, dec) in CODECS.items():
                if codec in SLOW and size > min(sizes):
                    continue
                t_enc, blob = best_of(enc, img, repeat)
                t_dec, back = best_of(dec, blob, repeat)
                t_write, _ = best_of(lambda b: write_durable(scratch / "f", b), blob, repeat)
                if not np.array_equal(back, img):
                    raise SystemExit(f"{codec} is not lossless on {img_name} {size}")
                rows.append({"size": size, "image": img_name, "codec": codec, "encode_ms": t_enc * 1e3,
                             "put_ms": (t_enc + t_write) * 1e3,
                             "decode_ms": t_dec * 1e3, "mb": len(blob) / 1e6, "ratio": len(blob) / img.nbytes,
                             "sha256_ms": t_hash * 1e3})
            print(f"  done {size}² {img_name}", file=sys.stderr)
    return rows


def table(rows) -> str:
    """Per size and codec: median over the images of encode/decode ms and size (MB, % of raw)."""
    lines = ["| size | codec | encode ms | encode + durable write ms | decode ms | MB (photo-like / real median) "
             "| % of raw (median) |", "|---|---|---|---|---|---|---|"]
    for size in sorted({r["size"] for r in rows}):
        for codec in CODECS:
            rs = [r for r in rows if r["size"] == size and r["codec"] == codec]
            if not rs:
                continue
            synth = [r["mb"] for r in rs if r["image"].startswith("photo-like")][0]
            real = statistics.median(r["mb"] for r in rs if not r["image"].startswith("photo-like"))
            lines.append(f"| {size}² | {codec} | {statistics.median(r['encode_ms'] for r in rs):.1f} | "
                         f"{statistics.median(r['put_ms'] for r in rs):.1f} | "
                         f"{statistics.median(r['decode_ms'] for r in rs):.1f} | {synth:.2f} / {real:.2f} | "
                         f"{100 * statistics.median(r['ratio'] for r in rs):.0f} % |")
        sha = statistics.median(r["sha256_ms"] for r in rows if r["size"] == size)
        lines.append(f"| {size}² | sha256 of the pixels | {sha:.1f} | - | - | - | - |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[640, 1024, 2048])
    ap.add_argument("--repeat", type=int, default=3, help="best of N (a shared machine adds noise, never speed)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--disk", type=Path, default=ROOT, help="folder on the disk the durable writes are timed on")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.disk) as tmp:
        rows = measure(args.sizes, args.repeat, Path(tmp))
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
