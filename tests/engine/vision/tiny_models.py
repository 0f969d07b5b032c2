"""Tiny random GroundingDINO and SAM built from real configs shrunk; saved like hub models.

The shapes match tests/engine/vision/data/*_tiny_original_keys.txt, which were dumped from the
ORIGINAL IDEA-Research / segment-anything code built at the same tiny size.
"""
from __future__ import annotations

from pathlib import Path

import torch

WORDS = ("a the cup red cat dog coffee table person sky car tree on of and with in blue green white black "
         "mug plate background man woman bird flower house window chair book bottle ,").split()


def tiny_vocab() -> dict[str, int]:
    """A BERT WordPiece vocab whose special ids equal bert-base-uncased's ([CLS]=101, '.'=1012 ...):
    transformers' GroundingDINO hard-codes those ids to split phrases."""
    vocab = [f"[unused{i}]" for i in range(1030)]
    for i, tok in {0: "[PAD]", 100: "[UNK]", 101: "[CLS]", 102: "[SEP]", 103: "[MASK]", 1012: ".", 1029: "?"}.items():
        vocab[i] = tok
    for i, word in enumerate(WORDS):
        vocab[1 + i] = word
    return {tok: i for i, tok in enumerate(vocab)}


def tiny_grounding_dino_config():
    from transformers import BertConfig, GroundingDinoConfig, SwinConfig

    swin = SwinConfig(embed_dim=32, depths=[1, 1, 2, 1], num_heads=[1, 2, 2, 4], window_size=7, image_size=224,
                      out_indices=[2, 3, 4])
    bert = BertConfig(vocab_size=1030, hidden_size=48, num_hidden_layers=1, num_attention_heads=12,
                      intermediate_size=37, max_position_embeddings=64)
    return GroundingDinoConfig(backbone_config=swin, text_config=bert, d_model=32, encoder_layers=1, decoder_layers=2,
                               encoder_ffn_dim=64, decoder_ffn_dim=64, encoder_attention_heads=8,
                               decoder_attention_heads=8, num_queries=10, max_text_len=256)


def tiny_grounding_dino_processor():
    from transformers import BertTokenizer, GroundingDinoImageProcessorPil, GroundingDinoProcessor

    tokenizer = BertTokenizer(vocab=tiny_vocab(), do_lower_case=True)
    images = GroundingDinoImageProcessorPil(size={"shortest_edge": 64, "longest_edge": 96})
    return GroundingDinoProcessor(image_processor=images, tokenizer=tokenizer)


def save_tiny_grounding_dino(folder: Path, seed: int = 0):
    """Random tiny model + processor saved with save_pretrained; returns the model (eval)."""
    from transformers import GroundingDinoForObjectDetection

    torch.manual_seed(seed)
    model = GroundingDinoForObjectDetection(tiny_grounding_dino_config()).eval()
    model.save_pretrained(folder)
    tiny_grounding_dino_processor().save_pretrained(folder)
    return model


def tiny_sam_config():
    from transformers import SamConfig, SamMaskDecoderConfig, SamPromptEncoderConfig, SamVisionConfig

    vision = SamVisionConfig(hidden_size=32, output_channels=32, num_hidden_layers=2, num_attention_heads=2,
                             image_size=64, patch_size=8, window_size=4, global_attn_indexes=[1], num_pos_feats=16)
    prompt = SamPromptEncoderConfig(hidden_size=32, image_size=64, patch_size=8, mask_input_channels=4)
    decoder = SamMaskDecoderConfig(hidden_size=32, mlp_dim=64, num_attention_heads=8, iou_head_hidden_dim=32)
    return SamConfig(vision_config=vision, prompt_encoder_config=prompt, mask_decoder_config=decoder)


def save_tiny_sam(folder: Path, seed: int = 0):
    from transformers import SamModel

    from engine.vision.loading import sam_processor_for

    torch.manual_seed(seed)
    model = SamModel(tiny_sam_config()).eval()
    model.save_pretrained(folder)
    sam_processor_for(64).save_pretrained(folder)
    return model
