"""Request and response models of the HTTP API (they make the OpenAPI spec at /openapi.json complete)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from agent.versions import Version
from engine.settings import MAX_CANDIDATES, SEED_MAX
from engine.errors import InstructionTooLongError  # noqa: F401  (re-exported: its old home)

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Name = Annotated[str, Path(pattern=NAME, description="session name: 1-64 of A-Z a-z 0-9 . _ -")]
VersionId = Annotated[str, Path(pattern=r"^v[0-9]{1,9}$", description="v0, v1, ...")]
ImageId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the stored PNG")]
Ref = Annotated[str, Path(pattern=r"^(v[0-9]{1,9}|a[0-9]{1,9}|pending)$",
                          description="a version id (v3), `pending` or an attempt id (a2)")]
AttemptId = Annotated[str, Path(pattern=r"^a[0-9]{1,9}$", description="a1, a2, ... (GET .../attempts)")]
JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instruction: str = Field(min_length=1, max_length=100_000,
                             description="what to change; the server also enforces max_instruction_chars (2000)")
    box: tuple[Finite, Finite, Finite, Finite] | None = Field(None, description="x, y, w, h in image pixels")
    mask_png_base64: str | None = Field(None, description="PNG (white = edit), base64 or a data: URL, image size")
    combine: Literal["override", "union", "subtract"] = "override"
    seed: int | None = Field(None, ge=0, le=SEED_MAX)
    review: bool = Field(False, description="stop before committing; then POST .../accept or .../reject")
    candidates: int | None = Field(None, ge=1, le=MAX_CANDIDATES, description="results per attempt (several: pick one)")
    steps: int | None = Field(None, ge=1, le=200, description="denoise steps (diffusion inpainters)")
    guidance_scale: Finite | None = Field(None, ge=0, le=30)
    conditioning_scale: Finite | None = Field(None, ge=0, le=2, description="BrushNet preservation strength")
    blur_kernel: int | None = Field(None, ge=1, le=255, description="feather of the blend, pixels")


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000, description="what is wrong; the agent re-plans with it")


class SessionList(BaseModel):
    sessions: list[str]


class HistoryVersion(Version):
    is_head: bool


class History(BaseModel):
    session: str
    head: str
    pending: dict | None = Field(None, description="the edit waiting for review (result_id, mask_id, plan)")
    versions: list[HistoryVersion]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
