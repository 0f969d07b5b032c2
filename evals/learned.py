"""Learned metrics: CLIP (text–image and image–image), DINO, LPIPS. Loaded once, never downloaded.

Each model is read from a local directory or the Hugging Face cache (`local_files_only`), or for
LPIPS from torchvision's SqueezeNet-1.1 checkpoint file; when it is not there the metric's value
is the string MISSING ("model not present") and `EvalModels.status()` says why and how to get it.
No number is ever made up.

Conventions (the references the paper numbers were computed with):
- PIE-Bench CLIP similarity (cure-lab/PnPInversion `calculate_clip_similarity`, torchmetrics
  CLIPScore with openai/clip-vit-large-patch14): 100 · max(cos(image, text), 0); the edited part is
  the uint8 image multiplied by the edit mask. torchmetrics 1.9 cannot call transformers 5's CLIP
  (`get_image_features` returns an output object), so the same formula is computed here.
- PIE-Bench LPIPS: torchmetrics LearnedPerceptualImagePatchSimilarity(net_type='squeeze') on the
  masked [0,1] images scaled to [-1, 1]. torchmetrics' LPIPS builds its backbone with torchvision
  (not a dependency here): we build the same SqueezeNet-1.1 `features` (torchvision's module layout,
  so its checkpoint loads unchanged) and hand it to torchmetrics' own LPIPS module and linear heads.
- MagicBrush (OSU-NLP-Group/MagicBrush evaluation/image_eval.py): CLIP-I = cosine of CLIP ViT-B/32
  image features, CLIP-T = cosine of image and caption features (no ×100), DINO = cosine of the CLS
  token of dino_vits16 after Resize(256, bicubic) + CenterCrop(224) + ImageNet normalisation.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

MISSING = "model not present"
DEFAULTS = {"clip": "openai/clip-vit-large-patch14", "clip_i": "openai/clip-vit-base-patch32",
            "dino": "facebook/dino-vits16", "lpips": "squeezenet1_1-b8a52dc0.pth"}
_IMAGENET = (np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225]))


def _features(out):
    """transformers 5 returns an output object from get_*_features; older versions a tensor."""
    return out if hasattr(out, "norm") else out.pooler_output


def clip_embed_image(clip, image: np.ndarray):
    model, processor = clip
    import torch

    with torch.no_grad():
        px = processor(images=[image], return_tensors="pt")["pixel_values"].to(model.device)
        return _features(model.get_image_features(pixel_values=px))[0].double().cpu().numpy()


def clip_embed_text(clip, text: str):
    model, processor = clip
    import torch

    n = model.config.text_config.max_position_embeddings
    with torch.no_grad():
        tok = processor(text=[text], return_tensors="pt", padding=True, truncation=True, max_length=n)
        out = model.get_text_features(input_ids=tok["input_ids"].to(model.device),
                                      attention_mask=tok["attention_mask"].to(model.device))
        return _features(out)[0].double().cpu().numpy()


def clip_score(clip, image: np.ndarray, text: str, mask: np.ndarray | None = None) -> float:
    """PIE-Bench's CLIP similarity: 100 · max(cos, 0); with `mask`, of uint8(image * mask)."""
    from evals.metrics import cosine

    if mask is not None:
        image = (image * mask.astype(bool)[..., None]).astype(np.uint8)
    return max(100.0 * cosine(clip_embed_image(clip, image), clip_embed_text(clip, text)), 0.0)


def clip_image_similarity(clip, a: np.ndarray, b: np.ndarray) -> float:
    """MagicBrush CLIP-I: cosine of the CLIP image features of a and b."""
    from evals.metrics import cosine

    return cosine(clip_embed_image(clip, a), clip_embed_image(clip, b))


def clip_text_similarity(clip, image: np.ndarray, text: str) -> float:
    """MagicBrush CLIP-T: cosine of the image's and the caption's CLIP features."""
    from evals.metrics import cosine

    return cosine(clip_embed_image(clip, image), clip_embed_text(clip, text))


def dino_embed(dino, image: np.ndarray) -> np.ndarray:
    """CLS token of a DINO ViT after Resize(crop·256/224, bicubic) + CenterCrop(crop) + ImageNet norm."""
    import torch
    from PIL import Image

    crop = int(dino.config.image_size)
    short = round(crop * 256 / 224)
    h, w = image.shape[:2]
    size = (short, int(short * h / w)) if w <= h else (int(short * w / h), short)  # torchvision Resize
    pil = Image.fromarray(image).resize(size, Image.BICUBIC)
    left, top = int(round((size[0] - crop) / 2.0)), int(round((size[1] - crop) / 2.0))
    x = np.asarray(pil.crop((left, top, left + crop, top + crop)), np.float64) / 255.0
    x = (x - _IMAGENET[0]) / _IMAGENET[1]
    px = torch.tensor(x.transpose(2, 0, 1)[None], dtype=torch.float32, device=dino.device)
    with torch.no_grad():
        return dino(pixel_values=px).last_hidden_state[0, 0].double().cpu().numpy()


def dino_similarity(dino, a: np.ndarray, b: np.ndarray) -> float:
    from evals.metrics import cosine

    return cosine(dino_embed(dino, a), dino_embed(dino, b))


def lpips(net, a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> float:
    """PIE-Bench LPIPS: both [0,1] images multiplied by `keep`, scaled to [-1, 1], squeeze backbone."""
    import torch

    def tensor(img):
        x = img.astype(np.float32) / 255.0
        if keep is not None:
            x = x * keep[..., None].astype(np.float32)
        return torch.from_numpy(x.transpose(2, 0, 1)[None] * 2 - 1).to(next(net.parameters()).device)

    with torch.no_grad():
        return float(net(tensor(a), tensor(b)).squeeze())


def squeezenet_features():
    """torchvision's squeezenet1_1().features, same module names (its checkpoint loads unchanged)."""
    from torch import cat, nn

    class Fire(nn.Module):
        def __init__(self, inplanes: int, squeeze: int, e1: int, e3: int):
            super().__init__()
            self.squeeze, self.squeeze_activation = nn.Conv2d(inplanes, squeeze, 1), nn.ReLU(inplace=True)
            self.expand1x1, self.expand1x1_activation = nn.Conv2d(squeeze, e1, 1), nn.ReLU(inplace=True)
            self.expand3x3 = nn.Conv2d(squeeze, e3, 3, padding=1)
            self.expand3x3_activation = nn.ReLU(inplace=True)

        def forward(self, x):
            x = self.squeeze_activation(self.squeeze(x))
            return cat([self.expand1x1_activation(self.expand1x1(x)), self.expand3x3_activation(self.expand3x3(x))], 1)

    def pool():
        return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)

    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=3, stride=2), nn.ReLU(inplace=True), pool(),
        Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), pool(), Fire(128, 32, 128, 128), Fire(256, 32, 128, 128),
        pool(), Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))


def load_lpips(weights: Path, device: str = "cpu"):
    """torchmetrics' LPIPS (squeeze) with the SqueezeNet-1.1 backbone read from torchvision's checkpoint."""
    from unittest import mock

    import torch
    from torchmetrics.functional.image import lpips as tm_lpips

    state = torch.load(weights, map_location="cpu", weights_only=True)
    features = squeezenet_features()
    features.load_state_dict({k[len("features."):]: v for k, v in state.items() if k.startswith("features.")})
    # the only torchvision call in torchmetrics' LPIPS builds this backbone; hand it ours instead
    with mock.patch.object(tm_lpips, "_get_tv_model_features", lambda net, pretrained=False: features):
        net = tm_lpips._NoTrainLpips(net="squeeze", pnet_rand=True)
    return net.to(device).eval()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
