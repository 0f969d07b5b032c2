"""Tiny random Qwen2-VL, Qwen2.5-VL, LLaVA and LLaVA-Next with locally trained tokenizers.

Saved with save_pretrained like hub checkpoints, so tests load them through the real loading path.
"""
from __future__ import annotations

from pathlib import Path

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
           "<|image_pad|>", "<|video_pad|>", "<image>", "<tool_call>", "</tool_call>"]
CORPUS = ['{"category": "addition", "target": "a red ball", "caption": "a red ball on the grass", '
          '"box": [10, 20, 30, 40], "reason": "a new object"}',
          "system user assistant remove the cup local global background add replace name arguments"]
QWEN_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
LLAVA_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] | upper }}: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] }}{% endif %}{% endfor %}\n{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}")
PINPOINTS = [[32, 32], [32, 64], [64, 32]]


def tiny_tokenizer():
    """A byte-level BPE trained in-process (no downloads) with the Qwen/LLaVA special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 3, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")


def _ids(tok) -> dict:
    ids = {name: tok.convert_tokens_to_ids(t) for name, t in (
        ("image_token_id", "<|image_pad|>"), ("video_token_id", "<|video_pad|>"),
        ("vision_start_token_id", "<|vision_start|>"), ("vision_end_token_id", "<|vision_end|>"))}
    return {**ids, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id,
            "bos_token_id": tok.pad_token_id}


def _qwen_text(tok) -> dict:
    return dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                num_key_value_heads=1, max_position_embeddings=4096, eos_token_id=tok.eos_token_id,
                pad_token_id=tok.pad_token_id, bos_token_id=tok.pad_token_id,
                rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]})


def _qwen(kind: str, tok):
    import transformers as tf

    vision = dict(depth=1, hidden_size=32, num_heads=2, patch_size=14, spatial_merge_size=2, temporal_patch_size=2,
                  in_channels=3)
    if kind == "qwen2_vl":
        vision.update(embed_dim=32, mlp_ratio=2)
        config = tf.Qwen2VLConfig(text_config=_qwen_text(tok), vision_config=vision, **_ids(tok))
        return tf.Qwen2VLForConditionalGeneration(config)
    vision.update(intermediate_size=64, out_hidden_size=32, window_size=28, fullatt_block_indexes=[0])
    config = tf.Qwen2_5_VLConfig(text_config=_qwen_text(tok), vision_config=vision, **_ids(tok))
    return tf.Qwen2_5_VLForConditionalGeneration(config)


def _llava(kind: str, tok):
    import transformers as tf

    vision = tf.CLIPVisionConfig(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=2,
                                 image_size=32, patch_size=8, projection_dim=32)
    text = tf.LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                          num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
                          eos_token_id=tok.eos_token_id, bos_token_id=tok.pad_token_id, pad_token_id=tok.pad_token_id)
    common = dict(vision_config=vision, text_config=text, image_token_id=tok.convert_tokens_to_ids("<image>"),
                  vision_feature_layer=-1, vision_feature_select_strategy="default")
    proc_kw = dict(tokenizer=tok, chat_template=LLAVA_TEMPLATE, patch_size=8, image_token="<image>",
                   vision_feature_select_strategy="default", num_additional_image_tokens=1)
    if kind == "llava":
        images = tf.CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
        model = tf.LlavaForConditionalGeneration(tf.LlavaConfig(**common))
        return model, tf.LlavaProcessor(image_processor=images, **proc_kw)
    images = tf.LlavaNextImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32},
                                           image_grid_pinpoints=PINPOINTS)
    model = tf.LlavaNextForConditionalGeneration(tf.LlavaNextConfig(image_grid_pinpoints=PINPOINTS, **common))
    return model, tf.LlavaNextProcessor(image_processor=images, **proc_kw)


def save_tiny_vlm(kind: str, folder: Path, seed: int = 0) -> Path:
    """Build a random tiny `kind` (qwen2_vl, qwen2_5_vl, llava, llava_next) and save model + processor."""
    import torch
    import transformers as tf

    torch.manual_seed(seed)
    tok = tiny_tokenizer()
    if kind.startswith("qwen"):
        model = _qwen(kind, tok)
        tok.chat_template = QWEN_TEMPLATE
        tok.save_pretrained(folder)
        tf.Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=56 * 56).save_pretrained(folder)
    else:
        model, processor = _llava(kind, tok)
        processor.save_pretrained(folder)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    model.eval().save_pretrained(folder)
    return folder


def save_answering_llava(folder: Path, answer: str, seed: int = 0) -> Path:
    """A tiny LLaVA that always answers `answer` through the real generate(): the answer is one added
    token, every other token is suppressed by the saved generation config, and it is also the eos."""
    from tokenizers import AddedToken

    import torch

    torch.manual_seed(seed)
    tok = tiny_tokenizer()
    tok.add_tokens([AddedToken(answer, special=False, normalized=False)])
    answer_id = tok.convert_tokens_to_ids(answer)
    model, processor = _llava("llava", tok)
    model.generation_config.eos_token_id = answer_id
    model.generation_config.pad_token_id = tok.pad_token_id
    model.generation_config.suppress_tokens = [i for i in range(len(tok)) if i != answer_id]
    processor.save_pretrained(folder)
    model.eval().save_pretrained(folder)
    return folder
