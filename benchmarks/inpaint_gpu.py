"""BrushNet inpainting speed on GPU: the original pipeline's loop vs ours, random real-size SD1.5 weights.

Random-weight SD1.5 UNet (860M) + BrushNet from it + SD VAE, prompt embeddings passed directly, so no
weights are needed. For each variant: seconds per 512x512 edit (VAE encode + denoise + decode),
peak GPU memory, achieved TFLOP/s (FLOPs counted with torch's FlopCounterMode for one step, times
steps, + VAE). (a) = a plain loop the way the original BrushNet pipeline runs (fp16, CFG batch of
2B, branch on both halves, separate branch and UNet calls); (b) = our BrushNetInpaintPipeline with
the speed-ups of engine.diffusion.fast_step, added one at a time. Also the stock 9-channel SD-inpaint
UNet in the same plain loop, for scale. Prints a markdown table; JSON to $OUT when set.

    python benchmarks/inpaint_gpu.py            # CUDA, real size
    python benchmarks/inpaint_gpu.py --tiny     # CPU, tiny configs, seconds
    python benchmarks/inpaint_gpu.py --steps 50 --batches 1,4 --candidates   # N=4 candidates, one batched call
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.diffusion.brushnet import BrushNetModel  # noqa: E402
from engine.diffusion.pipeline_brushnet import BrushNetInpaintPipeline  # noqa: E402
from engine.diffusion.pipeline_inputs import image_tensors, latent_mask, to_uint8, unipc_scheduler  # noqa: E402
from engine.diffusion.unet_injection import unet_with_residuals  # noqa: E402

SD_SCHEDULER = {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012,
                "num_train_timesteps": 1000, "steps_offset": 1, "prediction_type": "epsilon"}
RESULTS: list[dict] = []


def build(tiny: bool, device, dtype):
    from diffusers import AutoencoderKL, UNet2DConditionModel

    unet_kw = dict(cross_attention_dim=768, sample_size=64) if not tiny else dict(
        block_out_channels=(32, 64), layers_per_block=2, cross_attention_dim=32, attention_head_dim=8, sample_size=8,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"))
    vae_kw = dict(block_out_channels=(128, 256, 512, 512), layers_per_block=2) if not tiny else dict(
        block_out_channels=(8, 8, 8, 8), layers_per_block=1, norm_num_groups=4)
    torch.manual_seed(0)
    with torch.device(device):
        unet = UNet2DConditionModel(**unet_kw)
        brushnet = BrushNetModel.from_unet(unet)
        with torch.no_grad():  # random zero convs so the branch matters
            for conv in [*brushnet.brushnet_down_blocks, brushnet.brushnet_mid_block, *brushnet.brushnet_up_blocks]:
                conv.weight.normal_(0, 0.02)
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4,
                            down_block_types=("DownEncoderBlock2D",) * 4,
                            up_block_types=("UpDecoderBlock2D",) * 4, **vae_kw)
        sd_inpaint = UNet2DConditionModel(in_channels=9, **unet_kw)
    models = [m.to(dtype).eval().requires_grad_(False) for m in (unet, brushnet, vae, sd_inpaint)]
    g = torch.Generator().manual_seed(1)
    dim = unet.config.cross_attention_dim
    embeds = [(torch.randn(1, 77, dim, generator=g) * 0.5).to(device, dtype) for _ in range(2)]
    return (*models, *embeds)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


@torch.no_grad()
def reference_edit(m, image, mask, steps, batch, seed, guidance=7.5):
    """The original pipeline's loop: CFG batch 2B; VAE encodes the doubled batch; branch on both halves."""
    unet, brushnet, vae, pos, neg, device = m["unet"], m["brushnet"], m["vae"], m["pos"], m["neg"], m["device"]
    gen = torch.Generator(device=device).manual_seed(seed)
    sched = unipc_scheduler(SD_SCHEDULER)
    sched.set_timesteps(steps, device=device)
    h, w = image.shape[0] // 8, image.shape[1] // 8
    latents = torch.randn((batch, 4, h, w), generator=gen, device=device, dtype=unet.dtype) * sched.init_noise_sigma
    masked, keep = image_tensors(image, mask, device, vae.dtype)
    post = vae.encode(masked.expand(2 * batch, -1, -1, -1)).latent_dist
    eps = torch.randn(post.mean[:1].shape, generator=gen, device=device, dtype=vae.dtype)  # = our posterior draw
    cond_latent = (post.mean + post.std * eps) * vae.config.scaling_factor
    cond = torch.cat([cond_latent, latent_mask(keep, (h, w)).expand(2 * batch, -1, -1, -1)], dim=1)
    embeds = torch.cat([neg.expand(batch, -1, -1), pos.expand(batch, -1, -1)])
    for t in sched.timesteps:
        x = sched.scale_model_input(torch.cat([latents] * 2), t)
        down, mid, up = brushnet(x, t, embeds, cond, conditioning_scale=1.0, return_dict=False)
        noise = unet_with_residuals(unet, x, t, embeds, down, mid, up)
        uncond, text = noise.chunk(2)
        latents = sched.step(uncond + guidance * (text - uncond), t, latents, return_dict=False)[0]
    return vae.decode(latents / vae.config.scaling_factor, return_dict=False)[0]


@torch.no_grad()
def sd_inpaint_edit(m, image, mask, steps, batch, seed, guidance=7.5):
    """Stock 9-channel SD-inpaint UNet in the same plain CFG loop."""
    unet, vae, device = m["sd_inpaint"], m["vae"], m["device"]
    gen = torch.Generator(device=device).manual_seed(seed)
    sched = unipc_scheduler(SD_SCHEDULER)
    sched.set_timesteps(steps, device=device)
    h, w = image.shape[0] // 8, image.shape[1] // 8
    latents = torch.randn((batch, 4, h, w), generator=gen, device=device, dtype=unet.dtype)
    masked, keep = image_tensors(image, mask, device, vae.dtype)
    masked_latent = vae.encode(masked).latent_dist.mode() * vae.config.scaling_factor
    extra = torch.cat([1 - latent_mask(keep, (h, w)), masked_latent], dim=1).expand(2 * batch, -1, -1, -1)
    embeds = torch.cat([m["neg"].expand(batch, -1, -1), m["pos"].expand(batch, -1, -1)])
    for t in sched.timesteps:
        x = torch.cat([sched.scale_model_input(torch.cat([latents] * 2), t), extra], dim=1)
        uncond, text = unet(x, t, encoder_hidden_states=embeds, return_dict=False)[0].chunk(2)
        latents = sched.step(uncond + guidance * (text - uncond), t, latents, return_dict=False)[0]
    return vae.decode(latents / vae.config.scaling_factor, return_dict=False)[0]


def make_ours(m, **fast):
    pipe = BrushNetInpaintPipeline(vae=m["vae"], text_encoder=None, tokenizer=None, unet=m["unet"],
                                   brushnet=m["brushnet"], scheduler=unipc_scheduler(SD_SCHEDULER))
    pipe.set_progress_bar_config(disable=True)
    if fast:
        pipe.enable_fast_step(**fast)

    def edit(m, image, mask, steps, batch, seed, guidance=7.5):
        gen = torch.Generator(device=m["device"]).manual_seed(seed)
        if m.get("candidates") and batch > 1:  # the agent's --candidates path: one generator per candidate
            gen = [torch.Generator(device=m["device"]).manual_seed(seed + k) for k in range(batch)]
        return pipe(image, mask, prompt_embeds=m["pos"], negative_prompt_embeds=m["neg"], num_inference_steps=steps,
                    guidance_scale=guidance, num_images_per_prompt=batch, generator=gen, output_type="pt")

    return edit


def count_flops(m, image, mask, ours: bool) -> tuple[float, float]:
    """(FLOPs of one denoise step at batch 1, FLOPs of VAE encode + decode) for the reference or ours."""
    from torch.utils.flop_counter import FlopCounterMode

    def measure(fn):
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            fn()
        return counter.get_total_flops()

    unet, brushnet, vae, device = m["unet"], m["brushnet"], m["vae"], m["device"]
    h, w = image.shape[0] // 8, image.shape[1] // 8
    x = torch.randn(2, 4, h, w, device=device, dtype=unet.dtype)
    cond = torch.randn(2, 5, h, w, device=device, dtype=unet.dtype)
    embeds = torch.cat([m["neg"], m["pos"]])
    t = torch.tensor(500, device=device)

    def step():
        branch_in, branch_cond = (x[:1], cond[:1]) if ours else (x, cond)
        down, mid, up = brushnet(branch_in, t, embeds[: len(branch_in)], branch_cond, return_dict=False)
        if ours:
            down, mid, up = [torch.cat([r, r]) for r in down], torch.cat([mid, mid]), [torch.cat([r, r]) for r in up]
        unet_with_residuals(unet, x, t, embeds, down, mid, up)

    pixels = torch.zeros(1 if ours else 2, 3, *image.shape[:2], device=device, dtype=vae.dtype)
    vae_flops = measure(lambda: vae.encode(pixels)) + measure(lambda: vae.decode(x[:1]))
    return measure(step), vae_flops


def timed(name, fn, m, image, mask, steps, batch, flops, repeats):
    device = m["device"]
    fn(m, image, mask, steps, batch, seed=0)  # warm-up (cuDNN plans, compile, graph capture)
    sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for i in range(repeats):
        out = fn(m, image, mask, steps, batch, seed=i)
    sync(device)
    seconds = (time.perf_counter() - start) / repeats
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else float("nan")
    step_flops, vae_flops = flops
    total = batch * (steps * step_flops + vae_flops)
    row = dict(variant=name, steps=steps, batch=batch, s_per_edit=seconds, s_per_image=seconds / batch,
               peak_gib=peak, tflops=total / seconds / 1e12, finite=bool(torch.isfinite(out).all()))
    RESULTS.append(row)
    print(f"  {name:<44} steps={steps:<3} batch={batch}  {seconds:8.3f} s/edit  {peak:6.2f} GiB  "
          f"{row['tflops']:8.3g} TFLOP/s", flush=True)
    return row


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    x, y = to_uint8(a).astype(np.float64), to_uint8(b).astype(np.float64)
    mse = float(np.mean((x - y) ** 2))
    return float("inf") if mse == 0 else 10 * math.log10(255.0**2 / mse)


def dump(out_dir: str | None, extra: dict) -> None:
    if out_dir:
        Path(out_dir, "inpaint_gpu.json").write_text(json.dumps({"results": RESULTS, **extra}, indent=1))


def variants(device) -> list[tuple[str, dict]]:
    out = [("b0: ours, eager (branch once under CFG)", None), ("b1: + channels_last", dict(channels_last=True))]
    if device.type == "cuda":
        out += [("b2: + CUDA graph", dict(channels_last=True, cuda_graph=True)),
                ("b3: + torch.compile + CUDA graph", dict(channels_last=True, compile=True, cuda_graph=True))]
    return out


def ablate(m, image, mask, steps, flops, ref_out, repeats, t0, budget_s):
    """Our speed-ups added one at a time at (steps, batch 1); returns (best variant, PSNR per variant)."""
    best, quality = None, {}
    for name, fast in variants(m["device"]):
        if time.perf_counter() - t0 > budget_s:
            print(f"  {name}: skipped (time budget)", flush=True)
            continue
        try:
            edit = make_ours(m, **(fast or {}))
            row = timed(name, edit, m, image, mask, steps, 1, flops, repeats)
            quality[name] = psnr(edit(m, image, mask, steps, 1, seed=0), ref_out[steps])
            print(f"    PSNR vs reference ({steps} steps, same seed): {quality[name]:.1f} dB", flush=True)
            if best is None or row["s_per_edit"] < best[1]["s_per_edit"]:
                best = (name, row, edit)
        except Exception as exc:  # report and go on: one failing speed-up must not hide the others
            print(f"  {name}: FAILED {type(exc).__name__}: {str(exc).splitlines()[0][:200]}", flush=True)
            quality[name] = f"failed: {type(exc).__name__}"
    return best, quality


def run(args) -> None:
    t0 = time.perf_counter()
    device = torch.device("cuda" if torch.cuda.is_available() and not args.tiny else "cpu")
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    size = 64 if args.tiny else 512
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    mask = np.zeros((size, size), bool)
    mask[size // 4: 3 * size // 4, size // 4: 3 * size // 4] = True
    unet, brushnet, vae, sd_inpaint, pos, neg = build(args.tiny, device, dtype)
    m = dict(unet=unet, brushnet=brushnet, vae=vae, sd_inpaint=sd_inpaint, pos=pos, neg=neg, device=device,
             candidates=args.candidates)
    gpu = torch.cuda.get_device_name() if device.type == "cuda" else "CPU"
    import diffusers

    info = dict(device=gpu, torch=torch.__version__, diffusers=diffusers.__version__, dtype=str(dtype), size=size,
                candidates=bool(args.candidates))
    print(f"# {info}", flush=True)
    fl_ref, fl_ours = count_flops(m, image, mask, ours=False), count_flops(m, image, mask, ours=True)
    info["gflop_per_step_b1"] = dict(reference=fl_ref[0] / 1e9, ours=fl_ours[0] / 1e9, vae_ref=fl_ref[1] / 1e9)
    print(f"# GFLOP per step at batch 1: reference {fl_ref[0] / 1e9:.4g}, ours {fl_ours[0] / 1e9:.4g}; "
          f"VAE encode+decode {fl_ref[1] / 1e9:.4g}", flush=True)
    repeats = lambda batch: 1 if args.tiny else (3 if batch == 1 else 2)  # noqa: E731
    steps_list, batches = args.steps, args.batches
    ref_out, ref_rows = {}, {}
    for steps in steps_list:
        for batch in batches:
            ref_rows[steps, batch] = timed("a: reference loop (original pipeline)", reference_edit, m, image, mask,
                                           steps, batch, fl_ref, repeats(batch))
        ref_out[steps] = reference_edit(m, image, mask, steps, 1, seed=0)
    for steps in steps_list:
        sd_flops = (count_sd_flops(m, image), fl_ref[1] / 2)
        timed("SD-inpaint UNet, plain loop (scale)", sd_inpaint_edit, m, image, mask, steps, 1, sd_flops, repeats(1))
    dump(args.out, {"info": info})
    best, quality = ablate(m, image, mask, steps_list[-1], fl_ours, ref_out, repeats(1), t0, args.budget_s)
    dump(args.out, {"info": info, "psnr_db": quality})
    summary = []
    for steps in steps_list:
        for batch in batches:
            if best is None or time.perf_counter() - t0 > args.budget_s + 60:
                break
            row = timed(f"ours = {best[0]}", best[2], m, image, mask, steps, batch, fl_ours, repeats(batch))
            ref = ref_rows[steps, batch]
            quality_db = psnr(best[2](m, image, mask, steps, 1, seed=0), ref_out[steps]) if batch == 1 else None
            summary.append(dict(steps=steps, batch=batch, ref_s=ref["s_per_edit"], ours_s=row["s_per_edit"],
                                speedup=ref["s_per_edit"] / row["s_per_edit"], ref_gib=ref["peak_gib"],
                                ours_gib=row["peak_gib"], ref_tflops=ref["tflops"], ours_tflops=row["tflops"],
                                psnr_db=quality_db))
    dump(args.out, {"info": info, "psnr_db": quality, "summary": summary})
    print_table(info, summary, time.perf_counter() - t0)


def count_sd_flops(m, image) -> float:
    from torch.utils.flop_counter import FlopCounterMode

    h, w = image.shape[0] // 8, image.shape[1] // 8
    x = torch.randn(2, 9, h, w, device=m["device"], dtype=m["sd_inpaint"].dtype)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        m["sd_inpaint"](x, torch.tensor(500, device=m["device"]), encoder_hidden_states=torch.cat([m["neg"], m["pos"]]))
    return counter.get_total_flops()


def print_table(info, summary, seconds) -> None:
    print(f"\n## {info['device']} | torch {info['torch']} | diffusers {info['diffusers']} | {info['size']}px | "
          f"{info['dtype']} | run {seconds:.0f} s")
    print("| steps | batch | (a) reference s/edit | (b) ours s/edit | speed-up (a)/(b) | peak GiB a / b | "
          "TFLOP/s a / b | PSNR b vs a (dB) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in summary:
        db = "-" if r["psnr_db"] is None else f"{r['psnr_db']:.1f}"
        print(f"| {r['steps']} | {r['batch']} | {r['ref_s']:.3f} | {r['ours_s']:.3f} | {r['speedup']:.2f}x | "
              f"{r['ref_gib']:.2f} / {r['ours_gib']:.2f} | {r['ref_tflops']:.3g} / {r['ours_tflops']:.3g} | {db} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="CPU, tiny configs, 64x64 (a smoke test in seconds)")
    parser.add_argument("--steps", type=lambda s: [int(v) for v in s.split(",")], default=None)
    parser.add_argument("--batches", type=lambda s: [int(v) for v in s.split(",")], default=[1, 4])
    parser.add_argument("--candidates", action="store_true",
                        help="ours at batch > 1 draws each image with its own generator (brushedit edit --candidates N)")
    parser.add_argument("--budget-s", type=float, default=300.0, help="skip optional variants after this long")
    parser.add_argument("--out", default=os.environ.get("OUT"), help="folder for inpaint_gpu.json")
    args = parser.parse_args()
    args.steps = args.steps or ([4, 2] if args.tiny else [50, 25])
    if args.tiny:
        args.batches = [1, 2]
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        import torch._inductor.config as inductor_config

        inductor_config.conv_1x1_as_mm = True
    except ImportError:
        pass
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.set_verbosity_error()
    run(args)


if __name__ == "__main__":
    main()
