"""`brushedit mask IMAGE (--target TEXT | --box x,y,w,h) --out MASK.png`: BrushEdit's stage 3 alone.

The mask is computed at the working resolution (short side `working_short_side`, multiple of 8)
like every edit, then mapped back to the image's own size; white = edit.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from app.options import (BoxOpt, ConfigFile, DataDir, DetectorOpt, MaskOpt, Profile, SegmenterOpt, load_settings,
                         parse_box, printable)
from engine.errors import BadBoxError, BrushEditError

if TYPE_CHECKING:  # numpy and OpenCV load only when the command runs (other commands start faster)
    import numpy as np

TargetOpt = Annotated[Optional[str], typer.Option("--target", help="Object to find (GroundingDINO + SAM).")]
CategoryOpt = Annotated[str, typer.Option("--category", help="remove | local | addition | background | global")]
OutOpt = Annotated[Path, typer.Option("--out", help="Mask PNG to write (white = edit).")]
OverlayOpt = Annotated[Optional[Path], typer.Option("--overlay", help="Also write the image with the mask tinted red.")]


def _plan(category: str, target: str | None, box, size: tuple[int, int]):
    from engine.plan import CATEGORIES, Box, EditPlan

    if category not in CATEGORIES:
        raise BrushEditError(f"--category must be one of {', '.join(CATEGORIES)}, got '{category}'.")
    if target is not None and box is not None:
        raise BadBoxError("Give either --target or --box, not both.", fix="--target finds the object; --box places it.")
    if category in ("remove", "local", "addition") and target is None and box is None:
        raise BadBoxError(f"A {category} mask needs --target TEXT or --box x,y,w,h.")
    if box is not None:
        from engine.masks import clip_box

        clip_box(box, *size)  # BadBoxError when the box misses the image
    plan_box = Box(x=box[0], y=box[1], w=box[2], h=box[3]) if box and category == "addition" else None
    return EditPlan(category=category, target=target or "", caption="", box=plan_box)


def _compute(image: np.ndarray, settings, plan, box, user_mask_path, combine, dilate, erode, invert, shape):
    from engine.backends import make_detector, make_segmenter
    from engine.grounding import ground_at_working_size, needs_detector
    from engine.images import load_mask

    h, w = image.shape[:2]
    _check_pixels(settings, (w, h), dilate=dilate, erode=erode)
    user_mask = load_mask(user_mask_path, (w, h), settings.image_limits) if user_mask_path else None
    search = needs_detector(plan.category, box, user_mask is not None, combine)
    result = ground_at_working_size(
        plan, image, short_side=settings.working_short_side,
        detector=make_detector(settings) if search else None, segmenter=make_segmenter(settings),
        user_mask=user_mask, user_box=None if plan.category == "addition" else box, combine=combine,
        dilate_px=settings.mask_dilate if dilate is None else dilate, box_threshold=settings.box_threshold,
        text_threshold=settings.text_threshold, addition_shape=shape, erode_px=erode, invert=invert,
        exact_dilate=dilate is not None,
    )
    return result.mask, result


def mask_command(
    image: Annotated[Path, typer.Argument(help="Image file (PNG, JPEG, WebP ...).")],
    out: OutOpt,
    target: TargetOpt = None,
    box: BoxOpt = None,
    category: CategoryOpt = "remove",
    dilate: Annotated[Optional[int], typer.Option("--dilate", min=0, help="Grow by N px (default: settings, 20; "
                                                                    "a classical mask from --box grows by 2).")] = None,
    erode: Annotated[int, typer.Option("--erode", min=0, help="Shrink the final mask by N px.")] = 0,
    invert: Annotated[bool, typer.Option("--invert", help="Invert the final mask.")] = False,
    overlay: OverlayOpt = None,
    mask: MaskOpt = None,
    combine: Annotated[str, typer.Option("--combine", help="override | union | subtract (with --mask)")] = "override",
    shape: Annotated[str, typer.Option("--shape", help="ellipse | box (addition masks)")] = "ellipse",
    profile: Profile = None,
    detector: DetectorOpt = None,
    segmenter: SegmenterOpt = None,
    detector_model: Annotated[Optional[str], typer.Option("--detector-model", help="Hub id or dir.")] = None,
    detector_checkpoint: Annotated[Optional[Path], typer.Option("--detector-checkpoint",
                                                                help="Original groundingdino_*.pth.")] = None,
    sam_model: Annotated[Optional[str], typer.Option("--sam-model", help="Hub id or dir.")] = None,
    sam_checkpoint: Annotated[Optional[Path], typer.Option("--sam-checkpoint", help="Original sam_vit_*.pth.")] = None,
    box_threshold: Annotated[Optional[float], typer.Option("--box-threshold", min=0, max=1,
                                                           help="GroundingDINO box score threshold (0.3).")] = None,
    text_threshold: Annotated[Optional[float], typer.Option("--text-threshold", min=0, max=1,
                                                            help="GroundingDINO text score threshold (0.25).")] = None,
    device: Annotated[Optional[str], typer.Option("--device", help="auto | cpu | cuda | mps")] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Write the edit mask of IMAGE for a target (--target) or a box (--box), per edit category."""
    try:
        if combine not in ("override", "union", "subtract") or shape not in ("ellipse", "box"):
            raise BadBoxError(f"--combine must be override|union|subtract and --shape ellipse|box, got "
                              f"'{combine}', '{shape}'.")
        settings = load_settings(data_dir, config, profile=profile, detector=detector, segmenter=segmenter,
                                 detector_model=detector_model, detector_checkpoint=detector_checkpoint,
                                 sam_model=sam_model, sam_checkpoint=sam_checkpoint, device=device,
                                 box_threshold=box_threshold, text_threshold=text_threshold)
        parsed_box = parse_box(box)
        from engine.images import load_image

        picture = load_image(image, settings.image_limits)
        plan = _plan(category, target, parsed_box, (picture.shape[1], picture.shape[0]))
        final, result = _compute(picture, settings, plan, parsed_box, mask, combine, dilate, erode, invert, shape)
        from engine.masks import overlay as mask_overlay

        _write(out, final, overlay, mask_overlay(picture, final) if overlay else None)
    except (BrushEditError, OSError) as exc:
        from engine.errors import os_error

        typed = os_error(exc, out) if isinstance(exc, OSError) else exc
        typer.echo(f"error: {printable(str(typed))}", err=True)
        raise typer.Exit(1) from None
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"mask: {out} ({final.shape[1]}x{final.shape[0]}, {result.summary})")


def _check_pixels(settings, size: tuple[int, int], **values) -> None:
    """--dilate / --erode (working pixels) bounded by the working image's long side."""
    from engine.errors import LimitError
    from engine.images import working_size

    limit = max(working_size(*size, short_side=settings.working_short_side))
    for flag, value in values.items():
        if value is not None and value > limit:
            raise LimitError(f"--{flag} {value} is larger than the image ({limit} px on the long side of the working "
                             f"image, short side {settings.working_short_side}).",
                             fix=f"Use --{flag} between 0 and {limit}.")
    settings.check_size(size)


def _write(out: Path, mask: np.ndarray, overlay_path: Path | None, overlay: np.ndarray | None) -> None:
    from engine.images import to_png_bytes

    payloads = [(out, to_png_bytes(mask))] + ([(overlay_path, to_png_bytes(overlay))] if overlay_path else [])
    for path, data in payloads:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
