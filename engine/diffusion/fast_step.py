"""The denoise step of BrushNetInpaintPipeline, with opt-in speed-ups (`pipe.enable_fast_step(...)`).

One step = branch (once per step when it is text-free, shared by both CFG halves) -> UNet with the
residuals -> guidance. Options, each measured in benchmarks/inpaint_gpu.py:
- channels_last: UNet, branch and VAE weights in NHWC (cuDNN's preferred conv layout in fp16);
- compile: `torch.compile` of the whole step, with the hook-free UNet forward (SD1.5-type UNets);
- cuda_graph: the step captured once per (shape, scale, guidance) and replayed (CUDA only).
"""
from __future__ import annotations

import torch

from engine.diffusion.cuda_graph import CudaGraphed
from engine.diffusion.unet_forward import brushnet_unet_forward, check_plain_forward, supports_plain_forward
from engine.diffusion.unet_injection import residual_counts, unet_with_residuals


def _twice(down, mid, up):
    return [torch.cat([r, r]) for r in down], torch.cat([mid, mid]), [torch.cat([r, r]) for r in up]


class DenoiseStep:
    """Noise prediction for one step (CFG-combined); eager with hooks unless compile / cuda_graph."""

    def __init__(self, unet, brushnet, *, share_branch: bool, compile: bool = False, cuda_graph: bool = False):
        self.unet, self.brushnet, self.share = unet, brushnet, share_branch
        self.plain = compile and supports_plain_forward(unet)
        if self.plain:
            check_plain_forward(unet, *residual_counts(unet))
        self.cuda_graph = cuda_graph
        self._fn = torch.compile(self._step, dynamic=False) if compile else self._step
        self._graphs: dict[tuple, CudaGraphed] = {}

    def _step(self, model_in, t, embeds, cond, scale: float, guidance: float):
        cfg = guidance > 1.0
        half = len(model_in) // 2 if cfg else len(model_in)
        if cfg and self.share:
            down, mid, up = _twice(*self.brushnet(model_in[:half], t, embeds[half:], cond, conditioning_scale=scale,
                                                  return_dict=False))
        else:
            branch_cond = torch.cat([cond, cond]) if cfg else cond
            down, mid, up = self.brushnet(model_in, t, embeds, branch_cond, conditioning_scale=scale,
                                          return_dict=False)
        if self.plain:
            noise = brushnet_unet_forward(self.unet, model_in, t, embeds, down, mid, up, check=False)
        else:
            noise = unet_with_residuals(self.unet, model_in, t, embeds, down, mid, up)
        if cfg:
            uncond, text = noise.chunk(2)
            noise = uncond + guidance * (text - uncond)
        return noise

    def __call__(self, model_in, t, embeds, cond, scale: float, guidance: float) -> torch.Tensor:
        if not self.cuda_graph or not model_in.is_cuda:
            return self._fn(model_in, t, embeds, cond, scale, guidance)
        t = torch.as_tensor(t, device=model_in.device)
        key = (tuple(model_in.shape), tuple(embeds.shape), model_in.dtype, float(scale), float(guidance))
        graph = self._graphs.get(key)
        if graph is None:
            graph = CudaGraphed(lambda x, tt, e, c: self._fn(x, tt, e, c, scale, guidance), model_in, t, embeds, cond)
            self._graphs[key] = graph
        return graph(model_in, t, embeds, cond)
