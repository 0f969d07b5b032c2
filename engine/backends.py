"""Build backends by name. Heavy modules are imported here, lazily, only for the chosen backend."""
from __future__ import annotations

from engine.errors import ModelNotAvailableError, UnsupportedEditError
from engine.protocols import Detector, Inpainter, Planner, Segmenter
from engine.settings import Settings

_MODEL_BACKENDS = {"planner": ("transformers",), "detector": ("grounding-dino",), "segmenter": ("sam",),
                   "inpainter": ("brushnet", "sd-inpaint")}


def _missing(what: str, exc: ImportError) -> ModelNotAvailableError:
    if (exc.name or "").split(".")[0] in ("engine", "agent", "tools", "prompts"):
        raise exc  # our own code is broken: do not disguise it as a missing package
    return ModelNotAvailableError(
        f"The {what} backend needs a package that is not installed ({exc.name}).",
        fix="From the checkout: pip install -e '.[models,openai]' (torch first; CPU-only build: "
            "pip install torch --index-url https://download.pytorch.org/whl/cpu).",
    )


def _preflight(settings: Settings, *components: str) -> None:
    """Offline, a missing model fails here at once, every missing one named together (engine.model_check)."""
    if any(settings.backend(c) in _MODEL_BACKENDS[c] for c in components):
        from engine.model_check import preflight

        preflight(settings, components)



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

        _preflight(settings, "planner")
        return TransformersPlanner.from_settings(settings)
    except ImportError as exc:
        raise _missing(f"'{kind}' planner", exc) from exc


def make_detector(settings: Settings) -> Detector | None:
    kind = settings.backend("detector")
    if kind == "none":
        return None
    _preflight(settings, "detector")
    try:
        from engine.vision.grounding_dino import GroundingDinoDetector

        return GroundingDinoDetector.from_settings(settings)
    except ImportError as exc:
        raise _missing("GroundingDINO detector", exc) from exc


def make_segmenter(settings: Settings) -> Segmenter:
    kind = settings.backend("segmenter")
    if kind in ("classical", "box"):  # "box": the name it had before it segmented inside the box
        from engine.vision.classical_segmenter import ClassicalSegmenter

        return ClassicalSegmenter()
    _preflight(settings, "segmenter")
    try:
        from engine.vision.sam import SamSegmenter

        return SamSegmenter.from_settings(settings)
    except ImportError as exc:
        raise _missing("SAM segmenter", exc) from exc


def make_inpainter(settings: Settings) -> Inpainter:
    kind = settings.backend("inpainter")
    if kind == "classical":
        from engine.diffusion.classical import ClassicalInpainter

        return ClassicalInpainter.from_settings(settings)
    _preflight(settings, "inpainter")
    try:
        from engine.diffusion.loaders import BrushNetInpainter, SDInpainter

        cls = BrushNetInpainter if kind == "brushnet" else SDInpainter
        return cls.from_settings(settings)
    except ImportError as exc:
        raise _missing(f"'{kind}' inpainter", exc) from exc


class Backends:
    """Lazily built, cached backends for one Settings. Nothing is constructed until first use."""

    def __init__(self, settings: Settings, **given):
        self.settings = settings
        self._cache: dict[str, object] = dict(given)  # tests inject planner=..., detector=..., etc.
        self._checked = False

    def _get(self, key: str, factory):
        if key not in self._cache:
            if not self._checked:  # before the first model loads: every missing model named at once
                self._checked = True
                _preflight(self.settings, *[c for c in _MODEL_BACKENDS if c not in self._cache])
            self._cache[key] = factory(self.settings)
        return self._cache[key]

    def check_supports(self, category: str) -> None:
        """UnsupportedEditError before any grounding when the inpainter cannot do `category` at all."""
        inpainter = self.inpainter
        if not inpainter.supports(category):
            raise UnsupportedEditError(
                f"The '{inpainter.name}' inpainter cannot do {'an' if category[:1] in 'aeiou' else 'a'} "
                f"'{category}' edit: it needs a diffusion "
                "inpainter (offline classical inpainting can only remove objects).",
                fix="Use --profile full (BrushNet on SD1.5, weights TencentARC/BrushEdit; `brushedit models "
                    "--profile full` lists them) or --inpainter sd-inpaint.")

    @property
    def planner(self) -> Planner:
        return self._get("planner", make_planner)

    @property
    def detector(self) -> Detector | None:
        return self._get("detector", make_detector)

    @property
    def segmenter(self) -> Segmenter:
        return self._get("segmenter", make_segmenter)

    @property
    def inpainter(self) -> Inpainter:
        return self._get("inpainter", make_inpainter)

    @property
    def chat_model(self):
        """A langchain-core chat model for the tool-calling planning mode."""

        def build(settings: Settings):
            from engine.planners.chat_models import make_chat_model

            return make_chat_model(settings)

        return self._get("chat_model", build)

    def names(self) -> dict[str, str]:
        """Backend names of those already built (recorded with each version)."""
        return {k: getattr(v, "name", None) or type(v).__name__ for k, v in self._cache.items()
                if v is not None and k != "chat_model"}
