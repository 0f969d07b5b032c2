"""The whole editing stack on one GPU with real-size random weights, loaded through the `full`
profile's own loaders from local dirs: GroundingDINO (Swin-T + BERT-base), SAM ViT-H, and BrushNet on an
SD1.5 base (UNet, VAE, CLIP ViT-L text encoder), fp16 on CUDA.

One edit of the bundled photo at BrushEdit's working size (short side 640): detect -> segment (box
prompt) -> inpaint (UniPC, CFG 7.5) -> blend. Prints seconds per stage, first (cold, includes loading)
and second (warm) call, and the peak GPU memory with every model resident — the number to hold against
BrushEdit's 24-32 GB. Random weights do the same arithmetic as released ones; the pixels mean nothing.

    python benchmarks/full_stack_gpu.py [--steps 50] [--speedups cuda-graph]     # on a CUDA machine
    python benchmarks/full_stack_gpu.py --tiny                                   # CPU smoke run
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine" / "vision"), str(ROOT / "tests" / "engine" / "diffusion")]

SAM_H = dict(hidden_size=1280, num_hidden_layers=32, num_attention_heads=16, global_attn_indexes=[7, 15, 23, 31])


def _random(model, dtype):
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)
    return model.to(dtype).eval()


def save_vision(root: Path, tiny: bool, device, dtype) -> tuple[Path, Path]:
    from tiny_models import save_tiny_grounding_dino, save_tiny_sam, tiny_vocab
    from transformers import (BertTokenizer, GroundingDinoConfig, GroundingDinoForObjectDetection,
                              GroundingDinoImageProcessorPil, GroundingDinoProcessor, SamConfig, SamModel,
                              SamVisionConfig)
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # older transformers
        from contextlib import nullcontext as no_init_weights

    from engine.vision.loading import sam_processor_for

    if tiny:
        save_tiny_grounding_dino(root / "gd")
        save_tiny_sam(root / "sam")
        return root / "gd", root / "sam"
    with no_init_weights(), torch.device(device):
        gd = GroundingDinoForObjectDetection(GroundingDinoConfig())
        sam = SamModel(SamConfig(vision_config=SamVisionConfig(**SAM_H)))
    _random(gd, torch.float32).save_pretrained(root / "gd")
    GroundingDinoProcessor(image_processor=GroundingDinoImageProcessorPil(),
                           tokenizer=BertTokenizer(vocab=tiny_vocab(), do_lower_case=True)).save_pretrained(root / "gd")
    _random(sam, torch.float32).save_pretrained(root / "sam")
    sam_processor_for(1024).save_pretrained(root / "sam")
    return root / "gd", root / "sam"


def save_diffusion(root: Path, tiny: bool, device, dtype) -> tuple[Path, Path]:
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from diffusion_tiny import save_tiny_brushnet, tiny_tokenizer
    from transformers import CLIPTextConfig, CLIPTextModel

    from engine.diffusion.brushnet import BrushNetModel

    if tiny:
        return save_tiny_brushnet(root)
    base = root / "base"
    with torch.device(device):
        unet = UNet2DConditionModel(cross_attention_dim=768, sample_size=64)  # SD1.5 layout
        brushnet = BrushNetModel.from_unet(unet)
        vae = AutoencoderKL(down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                            block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4)
        text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072,
                                            num_hidden_layers=12, num_attention_heads=12,
                                            max_position_embeddings=77))
    for model, sub in ((unet, "unet"), (brushnet, None), (vae, "vae"), (text, "text_encoder")):
        _random(model, dtype).save_pretrained(root / "brushnet" if sub is None else base / sub)
    tiny_tokenizer(root / "tok").save_pretrained(base / "tokenizer")
    DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, steps_offset=1,
                  clip_sample=False, set_alpha_to_one=False).save_pretrained(base / "scheduler")
    return base, root / "brushnet"


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run_edit(stack, image, box, settings, device, target: str) -> dict:
    from engine.blending import blend
    from engine.grounding import ground_at_working_size
    from engine.images import resize_image, working_size
    from engine.plan import EditPlan
    from engine.protocols import InpaintRequest

    detector, segmenter, inpainter = stack
    times = {}
    plan = EditPlan(category="local", target=target, caption="a blue ceramic bowl")
    small = resize_image(image, working_size(image.shape[1], image.shape[0], settings.working_short_side))
    for name, fn in (
        ("detect", lambda: detector.detect(small, plan.target, settings.box_threshold, settings.text_threshold)),
        ("segment", lambda: ground_at_working_size(plan, image, short_side=settings.working_short_side,
                                                   detector=None, segmenter=segmenter, user_box=box)),
    ):
        sync(device)
        t0 = time.perf_counter()
        out = fn()
        sync(device)
        times[name] = time.perf_counter() - t0
    mask = out.mask
    t0 = time.perf_counter()
    gen = inpainter.inpaint(InpaintRequest(image=image, mask=mask, prompt=plan.caption, category="local",
                                           steps=settings.steps, seed=0))
    sync(device)
    times["inpaint"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    blend(image, gen, mask, settings.blur_kernel)
    times["blend"] = time.perf_counter() - t0
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--speedups", default="cuda-graph", choices=["none", "cuda-graph", "compile"])
    ap.add_argument("--compare", default=None, choices=["none", "cuda-graph", "compile"],
                    help="also time a warm inpaint with these speedups (after the memory reading)")
    args = ap.parse_args()
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # random GroundingDINO weights break its tied box heads: noisy, harmless
    from engine.backends import make_detector, make_inpainter, make_segmenter
    from engine.images import load_image
    from engine.settings import Settings

    device = torch.device("cuda" if torch.cuda.is_available() and not args.tiny else "cpu")
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        gd, sam = save_vision(root, args.tiny, device, dtype)
        base, bn = save_diffusion(root, args.tiny, device, dtype)
        built = time.perf_counter() - t0
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        settings = Settings.load(env={}, data_dir=root / "home", profile="full", detector_model=str(gd),
                                 sam_model=str(sam), base_model=str(base), brushnet_model=str(bn),
                                 device=device.type, steps=2 if args.tiny else args.steps,
                                 working_short_side=64 if args.tiny else 640, speedups=args.speedups)
        stack = (make_detector(settings), make_segmenter(settings), make_inpainter(settings))
        image = load_image(ROOT / "app" / "assets" / "coffee.png")
        cold = run_edit(stack, image, (170, 20, 240, 260), settings, device, "cup")
        warm = run_edit(stack, image, (170, 20, 240, 260), settings, device, "coffee mug")
        peak = (torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()) if device.type == "cuda" else None
        other = None
        if args.compare:
            alt = (stack[0], stack[1], make_inpainter(settings.model_copy(update={"speedups": args.compare})))
            run_edit(alt, image, (170, 20, 240, 260), settings, device, "cup")
            other = run_edit(alt, image, (170, 20, 240, 260), settings, device, "plate")["inpaint"]
    name = torch.cuda.get_device_name() if device.type == "cuda" else "CPU"
    print(f"device: {name}; torch {torch.__version__}; dtype {dtype}; steps {settings.steps}; "
          f"working short side {settings.working_short_side}; speedups {args.speedups}")
    print(f"random real-size models built and saved in {built:.1f} s" if not args.tiny else "tiny models")
    print("cold = first edit (loads every model); warm = a second edit of the same image with another "
          "target (SAM reuses its image embedding)")
    print(f"{'stage':<8} {'cold s':>8} {'warm s':>8}")
    for k in cold:
        print(f"{k:<8} {cold[k]:8.3f} {warm[k]:8.3f}")
    print(f"{'total':<8} {sum(cold.values()):8.3f} {sum(warm.values()):8.3f}")
    if peak:
        print(f"peak GPU memory, all models resident: {peak[0] / 2**30:.2f} GiB (reserved {peak[1] / 2**30:.2f} GiB)")
    if other is not None:
        print(f"warm inpaint with speedups={args.compare}: {other:.3f} s (vs {warm['inpaint']:.3f} s with "
              f"{args.speedups})")


if __name__ == "__main__":
    main()
