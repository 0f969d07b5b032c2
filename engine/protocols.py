"""Interfaces the tools call. Each backend (offline, tiny test model, full model) implements one.

Images are uint8 RGB [H, W, 3]; masks are bool [H, W] (True = edit); boxes passed to
detectors/segmenters are (x0, y0, x1, y1) float pixel corners of the image given.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, Sequence, runtime_checkable

from engine.plan import PlanResult, Turn

if TYPE_CHECKING:  # annotations only: model-free commands need not load numpy
    import numpy as np


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
    score: float
    label: str


@dataclass(frozen=True)
class PlanRequest:
    instruction: str
    image: np.ndarray | None = None  # current image, full resolution
    history: Sequence[Turn] = ()  # earlier turns of this session along the head's lineage, oldest first
    feedback: str | None = None  # why the previous attempt was rejected


@runtime_checkable
class Planner(Protocol):
    name: str

    def plan(self, request: PlanRequest) -> PlanResult: ...


@runtime_checkable
class Detector(Protocol):
    name: str

    def detect(
        self, image: np.ndarray, text: str, box_threshold: float = 0.3, text_threshold: float = 0.25
    ) -> list[Detection]: ...


@runtime_checkable
class Segmenter(Protocol):
    name: str

    def segment(self, image: np.ndarray, boxes: Sequence[tuple[float, float, float, float]]) -> list[np.ndarray]:
        """One bool [H, W] mask per box (x0, y0, x1, y1)."""
        ...


@dataclass(frozen=True)
class InpaintRequest:
    image: np.ndarray  # uint8 RGB, full resolution
    mask: np.ndarray  # bool, True = generate
    prompt: str
    negative_prompt: str = ""
    category: str = "local"
    seed: int = 0
    steps: int = 50
    guidance_scale: float = 7.5
    conditioning_scale: float = 1.0
    method: str | None = None  # one of the inpainter's `methods` (None = its first, the default)
    extra: dict = field(default_factory=dict)
    seeds: tuple[int, ...] = ()  # candidates: one result per seed (then `seed` is unused); () = just `seed`

    @property
    def candidate_seeds(self) -> tuple[int, ...]:
        return tuple(self.seeds) or (self.seed,)


@runtime_checkable
class Inpainter(Protocol):
    name: str
    methods: tuple[str, ...]  # the fills/samplers it can use, default first (the re-plan policy varies them)

    def supports(self, category: str) -> bool: ...

    def inpaint(self, request: InpaintRequest) -> np.ndarray:
        """Returns uint8 RGB of the same size as request.image (NOT yet blended)."""
        ...


@runtime_checkable
class BatchInpainter(Inpainter, Protocol):
    """An inpainter that makes all of `request.candidate_seeds` in ONE call (batched denoise loop)."""

    def inpaint_batch(self, request: InpaintRequest) -> list[np.ndarray]:
        """One uint8 RGB result per seed, in the order of `request.candidate_seeds` (NOT blended)."""
        ...
