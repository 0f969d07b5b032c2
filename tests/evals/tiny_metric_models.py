"""Tiny random CLIP, DINO-ViT and SqueezeNet checkpoints built in-process, saved in the released
formats (transformers directories, torchvision's state-dict file), so the real loading code runs."""
from __future__ import annotations

import json
from pathlib import Path

WORDS = ["a", "photo", "of", "cat", "dog", "the", "on", "grass", "red", "car", "without", "bird"]


def _clip_tokenizer(folder: Path):
    from transformers import CLIPTokenizer

    vocab: dict[str, int] = {}
    for c in sorted(set("".join(WORDS))):
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    for w in WORDS:
        vocab.setdefault(w + "</w>", len(vocab))
    for special in ("<|startoftext|>", "<|endoftext|>"):
        vocab[special] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt")), vocab


def save_tiny_clip(folder: Path, seed: int = 0) -> Path:
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    folder.mkdir(parents=True, exist_ok=True)
    tok, vocab = _clip_tokenizer(folder)
    ids = dict(bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
               pad_token_id=vocab["<|endoftext|>"])
    cfg = CLIPConfig(text_config=dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                                      num_attention_heads=4, max_position_embeddings=77, **ids),
                     vision_config=dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                                        num_attention_heads=4, image_size=32, patch_size=8), projection_dim=16)
    torch.manual_seed(seed)
    CLIPModel(cfg).eval().save_pretrained(folder / "model")
    processor = CLIPProcessor(image_processor=CLIPImageProcessor(size={"shortest_edge": 32},
                                                                 crop_size={"height": 32, "width": 32}), tokenizer=tok)
    processor.save_pretrained(folder / "model")
    return folder / "model"


def save_tiny_dino(folder: Path, seed: int = 0) -> Path:
    import torch
    from transformers import ViTConfig, ViTModel

    torch.manual_seed(seed)
    cfg = ViTConfig(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4, image_size=32,
                    patch_size=8)
    ViTModel(cfg, add_pooling_layer=False).eval().save_pretrained(folder)
    return folder


def save_tiny_squeezenet(path: Path, seed: int = 0) -> Path:
    """A random SqueezeNet-1.1 in torchvision's checkpoint layout (features.* and classifier.1.*)."""
    import torch

    from evals.learned import squeezenet_features

    torch.manual_seed(seed)
    state = {f"features.{k}": v for k, v in squeezenet_features().state_dict().items()}
    state["classifier.1.weight"] = torch.zeros(1000, 512, 1, 1)
    state["classifier.1.bias"] = torch.zeros(1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return path
