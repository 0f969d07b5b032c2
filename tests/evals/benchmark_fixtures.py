"""Tiny PIE-Bench and MagicBrush folders in exactly their released layouts, built from synthetic
removals (so the lite profile can really edit some cases) and scikit-image photos."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from engine.masks import dilate
from evals.synthetic import photo, removal_cases


def rle_encode(mask: np.ndarray) -> list[int]:
    """PIE-Bench's run-length pairs [start, length, ...] over the row-major flattened mask."""
    flat = np.concatenate([[0], mask.ravel().astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(flat))
    starts, ends = edges[0::2], edges[1::2]
    return [int(v) for pair in zip(starts, ends - starts) for v in pair]


def _square(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).resize((512, 512), Image.BICUBIC))


def make_pie_bench(root: Path) -> Path:
    """PIE-Bench_v1/{mapping_file.json, annotation_images/<type folder>/<id>.jpg}: three entries."""
    syn = removal_cases(1)[0]  # astronaut, 512x512, an oval pasted on the suit
    entries = {
        "300000000000": ("3_delete_object_80/1_artificial/1_animal/300000000000.jpg", syn.image,
                         dilate(syn.mask, 3), "3", "remove the oval", "a woman in a [orange] space suit",
                         "a woman in a space suit"),
        "100000000001": ("1_change_object_80/1_artificial/1_animal/100000000001.jpg", _square(photo("chelsea")),
                         None, "1", "change the cat to a dog", "a [cat] lying down", "a [dog] lying down"),
        "900000000002": ("9_change_style_80/1_artificial/1_animal/900000000002.jpg", _square(photo("coffee")),
                         np.ones((512, 512), bool), "9", "make it a watercolor painting", "a cup of coffee",
                         "[a watercolor painting of] a cup of coffee"),
    }
    mapping = {}
    for key, (rel, image, mask, type_id, instruction, original, edited) in entries.items():
        if mask is None:
            mask = np.zeros((512, 512), bool)
            mask[120:400, 100:420] = True
        path = root / "annotation_images" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(path, quality=95)
        mapping[key] = {"image_path": rel, "original_prompt": original, "editing_prompt": edited,
                        "editing_instruction": instruction, "editing_type_id": type_id,
                        "blended_word": "cat dog" if type_id == "1" else "", "mask": rle_encode(mask)}
    (root / "mapping_file.json").write_text(json.dumps(mapping))
    return root


def _painted(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A MagicBrush-style mask image: the input photo with the region painted white."""
    out = image.copy()
    out[mask] = 255
    return out


def make_magicbrush(root: Path) -> Path:
    """test/{edit_sessions.json, global_descriptions.json, images/<id>/...}: a 2-turn and a 1-turn session."""
    syn = removal_cases(11)
    a, b = syn[0], syn[10]  # two objects on the astronaut photo
    both = b.image.copy()
    both[a.mask] = a.image[a.mask]
    s1 = root / "images" / "101"
    s1.mkdir(parents=True)
    files = {"101-input.png": both, "101-mask1.png": _painted(both, dilate(a.mask, 4)), "101-output1.png": b.image,
             "101-mask2.png": _painted(b.image, dilate(b.mask, 4)), "101-output2.png": a.clean}
    for name, img in files.items():
        Image.fromarray(img).save(s1 / name)
    cat = _square(photo("chelsea"))
    s2 = root / "images" / "202"
    s2.mkdir(parents=True)
    region = np.zeros((512, 512), bool)
    region[100:300, 150:350] = True
    for name, img in {"202-input.png": cat, "202-mask1.png": _painted(cat, region), "202-output1.png": cat}.items():
        Image.fromarray(img).save(s2 / name)
    sessions = {
        "101": [{"input": "101-input.png", "mask": "101-mask1.png", "instruction": "remove the oval",
                 "output": "101-output1.png"},
                {"input": "101-output1.png", "mask": "101-mask2.png", "instruction": "get rid of the blob",
                 "output": "101-output2.png"}],
        "202": [{"input": "202-input.png", "mask": "202-mask1.png", "instruction": "make the cat's fur red",
                 "output": "202-output1.png"}],
    }
    (root / "edit_sessions.json").write_text(json.dumps(sessions))
    captions = {"101": {"101-input.png": "an astronaut", "101-output1.png": "an astronaut with a blob",
                        "101-output2.png": "an astronaut"}, "202": {"202-output1.png": "a red cat"}}
    (root / "global_descriptions.json").write_text(json.dumps(captions))
    return root, {"a": a, "b": b}
