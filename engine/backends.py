"""Build backends by name. Heavy modules are imported here, lazily, only for the chosen backend."""
from __future__ import annotations

from engine.errors import ModelNotAvailableError
from engine.protocols import Detector, Inpainter, Planner, Segmenter
from engine.settings import Settings


def _missing(what: str, exc: ImportError) -> ModelNotAvailableError:
    return ModelNotAvailableError(
        f"The {what} backend needs a package that is not installed ({exc.name}).",
        fix="pip install 'brushedit-agent[models,openai]' (torch first: pip install torch).",
    )


def make_planner(settings: Settings) -> Planner:
    kind = settings.backend("planner")
    try:
        if kind == "rules":
            from engine.planners.rules import RulesPlanner

            return RulesPlanner()
        if kind == "openai":
            from engine.planners.openai_compat import OpenAIPlanner

            return OpenAIPlanner.from_settings(settings)
        from engine.planners.transformers_vlm import TransformersPlanner

        return TransformersPlanner.from_settings(settings)
    except ImportError as exc:
        raise _missing(f"'{kind}' planner", exc) from exc


def make_detector(settings: Settings) -> Detector | None:
    kind = settings.backend("detector")
    if kind == "none":
        return None
    try:
        from engine.vision.grounding_dino import GroundingDinoDetector

        return GroundingDinoDetector.from_settings(settings)
    except ImportError as exc:
        raise _missing("GroundingDINO detector", exc) from exc


def make_segmenter(settings: Settings) -> Segmenter:
    kind = settings.backend("segmenter")
    if kind == "box":
        from engine.vision.box import BoxSegmenter

        return BoxSegmenter()
    try:
        from engine.vision.sam import SamSegmenter

        return SamSegmenter.from_settings(settings)
    except ImportError as exc:
        raise _missing("SAM segmenter", exc) from exc


def make_inpainter(settings: Settings) -> Inpainter:
    kind = settings.backend("inpainter")
    if kind == "classical":
        from engine.diffusion.classical import ClassicalInpainter

        return ClassicalInpainter()
    try:
        from engine.diffusion.loaders import BrushNetInpainter, SDInpainter

        cls = BrushNetInpainter if kind == "brushnet" else SDInpainter
        return cls.from_settings(settings)
    except ImportError as exc:
        raise _missing(f"'{kind}' inpainter", exc) from exc
