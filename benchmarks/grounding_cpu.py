"""Grounding speed on CPU with real-size, random-weight models: GroundingDINO (Swin-T + BERT-base)
and SAM (ViT-B, optionally ViT-H) on the working-size photo (short side 640).

Random weights run the same arithmetic as released ones, so the seconds are representative; the
boxes are not. Prints seconds per stage and the saving from reusing SAM's image embedding for a
second prompt on the same image (and GroundingDINO's raw outputs down the threshold ladder).

    python benchmarks/grounding_cpu.py [--sam b,h] [--short-side 640] [--repeats 2]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "engine" / "vision"))  # the offline tokenizer of the tiny tests

from engine.images import load_image, resize_image, working_size  # noqa: E402
from engine.vision.grounding_dino import GroundingDinoDetector  # noqa: E402
from engine.vision.loading import sam_processor_for  # noqa: E402
from engine.vision.sam import SamSegmenter  # noqa: E402

SAM_SIZES = {  # the released encoders (segment-anything build_sam.py)
    "b": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, global_attn_indexes=[2, 5, 8, 11]),
    "l": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, global_attn_indexes=[5, 11, 17, 23]),
    "h": dict(hidden_size=1280, num_hidden_layers=32, num_attention_heads=16, global_attn_indexes=[7, 15, 23, 31]),
}


def _randomise(model) -> None:
    """Fast, finite random weights (no denormals: they would slow CPU matmuls)."""
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)


def _build(cls, config):
    from transformers.initialization import no_init_weights

    with no_init_weights():
        model = cls(config)
    _randomise(model)
    return model.eval()


def grounding_dino(short_side: int) -> GroundingDinoDetector:
    from tiny_models import tiny_vocab
    from transformers import (BertTokenizer, GroundingDinoConfig, GroundingDinoForObjectDetection,
                              GroundingDinoImageProcessorPil, GroundingDinoProcessor)

    config = GroundingDinoConfig()  # Swin-T backbone + BERT-base text encoder, 900 queries (groundingdino_swint_ogc)
    processor = GroundingDinoProcessor(
        image_processor=GroundingDinoImageProcessorPil(size={"shortest_edge": short_side, "longest_edge": 1333}),
        tokenizer=BertTokenizer(vocab=tiny_vocab(), do_lower_case=True),
    )
    return GroundingDinoDetector.from_model(_build(GroundingDinoForObjectDetection, config), processor)


def sam(size: str) -> SamSegmenter:
    from transformers import SamConfig, SamModel, SamVisionConfig

    config = SamConfig(vision_config=SamVisionConfig(**SAM_SIZES[size]))
    return SamSegmenter.from_model(_build(SamModel, config), sam_processor_for(1024))


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def bench_detector(image: np.ndarray, short_side: int, repeats: int) -> dict:
    from engine.grounding import detect_with_ladder

    (det, build_s) = timed(grounding_dino, short_side)
    firsts = []
    for i in range(repeats):
        det._raw.clear()
        firsts.append(timed(det.detect, image, f"cup {i}", 0.3, 0.25)[1])
    calls, forwards, detect = [0], det.forward_calls, det.detect

    def counted(*a, **kw):
        calls[0] += 1
        return detect(*a, **kw)

    det.detect = counted
    _, ladder_s = timed(detect_with_ladder, det, image, f"cup {repeats - 1}", 0.99, 0.25)  # prompt already seen
    return {"build_s": build_s, "detect_s": statistics.median(firsts), "ladder_cached_s": ladder_s,
            "ladder_calls": calls[0], "ladder_forwards": det.forward_calls - forwards}


def bench_sam(image: np.ndarray, size: str, repeats: int) -> dict:
    (seg, build_s) = timed(sam, size)
    h, w = image.shape[:2]
    firsts, seconds = [], []
    for i in range(repeats):
        seg.embeddings.clear()
        firsts.append(timed(seg.segment, image, [(w * 0.3, h * 0.2, w * 0.6, h * 0.8)])[1])
        seconds.append(timed(seg.segment, image, [(w * 0.1, h * 0.1, w * 0.4, h * 0.5 + i)])[1])
    first, second = statistics.median(firsts), statistics.median(seconds)
    return {"build_s": build_s, "first_prompt_s": first, "second_prompt_s": second, "embedding_s": first - second}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sam", default="b,h", help="SAM encoders to time: b, l, h (comma separated)")
    ap.add_argument("--short-side", type=int, default=640)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    photo = load_image(ROOT / "app" / "assets" / "coffee.png")
    image = resize_image(photo, working_size(photo.shape[1], photo.shape[0], args.short_side))
    print(f"image {image.shape[1]}x{image.shape[0]}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    d = bench_detector(image, args.short_side, args.repeats)
    print(f"GroundingDINO Swin-T: build {d['build_s']:.1f}s | detect (1 forward) {d['detect_s']:.2f}s | "
          f"threshold ladder from 0.99: {d['ladder_calls']} detect calls, {d['ladder_forwards']} new forward passes, "
          f"{d['ladder_cached_s']:.3f}s")
    for size in [s.strip() for s in args.sam.split(",") if s.strip()]:
        s = bench_sam(image, size, args.repeats)
        saving = s["embedding_s"] / s["first_prompt_s"] if s["first_prompt_s"] else 0.0
        print(f"SAM ViT-{size.upper()}: build {s['build_s']:.1f}s | first prompt (embed + decode) "
              f"{s['first_prompt_s']:.2f}s | second prompt, same image {s['second_prompt_s']:.3f}s | "
              f"saved by reuse {s['embedding_s']:.2f}s ({saving:.0%})")


if __name__ == "__main__":
    main()
