"""Typed tools, one per file. Each is `fn(Input, ToolContext) -> Result`; `all_tools(ctx)` wraps
them as langchain-core structured tools for the tool-calling planning mode."""
from __future__ import annotations


def all_tools(ctx) -> list:
    from tools._base import as_tool
    from tools.adjust import AdjustInput, adjust
    from tools.blend import BlendInput, blend
    from tools.classify_edit import ClassifyEditInput, classify_edit
    from tools.detect_target import DetectTargetInput, detect_target
    from tools.ground import GroundEditInput, ground_edit
    from tools.inpaint import InpaintInput, inpaint
    from tools.mask_ops import EditMaskInput, edit_mask
    from tools.segment import SegmentInput, segment
    from tools.write_caption import WriteCaptionInput, write_caption

    pairs = [
        (classify_edit, ClassifyEditInput), (detect_target, DetectTargetInput), (segment, SegmentInput),
        (ground_edit, GroundEditInput), (edit_mask, EditMaskInput), (write_caption, WriteCaptionInput),
        (inpaint, InpaintInput), (blend, BlendInput), (adjust, AdjustInput),
    ]
    return [as_tool(fn, model, ctx) for fn, model in pairs]
