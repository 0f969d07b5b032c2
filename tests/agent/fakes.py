"""Backends for the agent tests: an inpainter whose output shows its seed and method, a detector
that finds named objects at fixed places of the 600x400 coffee photo, a scripted chat model."""
from __future__ import annotations

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.outputs import ChatGeneration, ChatResult

from engine.protocols import Detection


class SeededInpainter:
    """Fills the mask with a colour made from the seed and the method; records every request."""

    name = "seeded-fake"
    methods = ("fill-a", "fill-b")
    seeded = True

    def __init__(self):
        self.requests = []

    def supports(self, category):
        return True

    def inpaint(self, request):
        self.requests.append(request)
        out = request.image.copy()
        m = self.methods.index(request.method or self.methods[0])
        out[request.mask] = ((37 * request.seed) % 200 + 20, 60 + 90 * m, request.steps % 250)
        return out


class PlacesDetector:
    """Finds each label at its boxes (x0, y0, x1, y1 in pixels of the 600x400 photo, scaled)."""

    name = "places-detector"

    def __init__(self, places: dict[str, list[tuple[float, float, float, float]]]):
        self.places, self.calls = places, []

    def detect(self, image, text, box_threshold=0.3, text_threshold=0.25):
        self.calls.append(text)
        sx, sy = image.shape[1] / 600, image.shape[0] / 400
        boxes = next((b for label, b in self.places.items() if label in text), [])
        return [Detection((x0 * sx, y0 * sy, x1 * sx, y1 * sy), 0.9 - 0.1 * i, text)
                for i, (x0, y0, x1, y1) in enumerate(boxes)]


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


class ScriptedChat(BaseChatModel):
    """Answers with script(messages) -> AIMessage; records the tools it was bound to."""

    script: object
    bound: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kw):
        self.bound = [t.name for t in tools]
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kw):
        return ChatResult(generations=[ChatGeneration(message=self.script(messages))])
