"""Tiny random SD1.5-shaped components, built in-process (no weights, no network)."""
from __future__ import annotations

import json
from pathlib import Path

import torch

CROSS_DIM = 32


def tiny_unet(seed: int = 0, in_channels: int = 4):
    from diffusers import UNet2DConditionModel

    torch.manual_seed(seed)
    return UNet2DConditionModel(
        sample_size=8, in_channels=in_channels, out_channels=4, block_out_channels=(32, 64), layers_per_block=2,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=CROSS_DIM, attention_head_dim=8, norm_num_groups=32,
    ).eval()


def tiny_vae(seed: int = 0):
    from diffusers import AutoencoderKL

    torch.manual_seed(seed)
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 8, 8, 8), layers_per_block=1,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4, norm_num_groups=4,
        sample_size=64,
    ).eval()


def tiny_tokenizer(directory: Path):
    """A CLIP BPE tokenizer over printable ASCII characters (no merges)."""
    from transformers import CLIPTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    chars = [chr(c) for c in range(33, 127)]
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab))
    (directory / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(directory / "vocab.json"), str(directory / "merges.txt"), model_max_length=77)


def tiny_text_encoder(seed: int = 0):
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    config = CLIPTextConfig(vocab_size=200, hidden_size=CROSS_DIM, intermediate_size=37, num_attention_heads=4,
                            num_hidden_layers=2, max_position_embeddings=77, bos_token_id=188, eos_token_id=189,
                            pad_token_id=189)
    return CLIPTextModel(config).eval()


def randomize_zero_convs(brushnet, seed: int = 1, std: float = 0.05) -> None:
    """Give the zero-initialised 1x1 convs random weights, so the branch actually does something."""
    gen = torch.Generator().manual_seed(seed)
    convs = [*brushnet.brushnet_down_blocks, brushnet.brushnet_mid_block, *brushnet.brushnet_up_blocks]
    with torch.no_grad():
        for conv in convs:
            for p in conv.parameters():
                p.copy_(torch.randn(p.shape, generator=gen) * std)


def save_tiny_base(root: Path, seed: int = 0) -> Path:
    """An SD1.5-layout base model dir: vae/, text_encoder/, tokenizer/, unet/, scheduler/."""
    from diffusers import DDIMScheduler

    tiny_vae(seed).save_pretrained(root / "vae")
    tiny_text_encoder(seed).save_pretrained(root / "text_encoder")
    tiny_tokenizer(root / "tokenizer_src").save_pretrained(root / "tokenizer")
    tiny_unet(seed).save_pretrained(root / "unet")
    DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, steps_offset=1,
                  clip_sample=False, set_alpha_to_one=False).save_pretrained(root / "scheduler")
    return root


def save_tiny_brushnet(root: Path, seed: int = 0, std: float = 0.1) -> tuple[Path, Path]:
    """(base dir, BrushNet dir): a tiny SD1.5-layout base and a BrushNet built from its UNet whose
    zero convs got random weights, both saved like hub models."""
    from engine.diffusion.brushnet import BrushNetModel

    base = save_tiny_base(root / "base", seed)
    brushnet = BrushNetModel.from_unet(tiny_unet(seed))
    randomize_zero_convs(brushnet, std=std)
    brushnet.save_pretrained(root / "brushnet")
    return base, root / "brushnet"


class CountingPipe:
    """Wraps a pipeline and records each call's number of generators (a batched call has N)."""

    def __init__(self, pipe):
        self.pipe, self.calls = pipe, []

    def __call__(self, *args, **kw):
        gens = kw.get("generator")
        self.calls.append(len(gens) if isinstance(gens, list) else 1)
        return self.pipe(*args, **kw)
