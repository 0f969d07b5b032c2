"""All settings in one typed object: defaults < config file (TOML) < BRUSHEDIT_* env vars < flags.

Profiles pick backends: `lite` (offline, CPU, no weights: rules planner, user box/mask,
classical inpainting) and `full` (VLM planner, GroundingDINO + SAM, BrushNet on SD1.5).
An explicit setting always wins over the profile's choice.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.errors import BrushEditError, ConfigError, EmptyInstructionError, InstructionTooLongError, LimitError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROFILES: dict[str, dict[str, str]] = {
    "lite": {"planner": "rules", "detector": "none", "segmenter": "classical", "inpainter": "classical"},
    "full": {"planner": "transformers", "detector": "grounding-dino", "segmenter": "sam", "inpainter": "brushnet"},
}


SEED_MAX = 2**32 - 1
MAX_CANDIDATES = 8  # results per attempt
# settings that were renamed: each limit is defined once (an old name still sets it)
RENAMED = {"api_max_pixels": "max_image_pixels", "api_max_instruction_chars": "max_instruction_chars"}
COMBINE = ("override", "union", "subtract")  # how a user mask meets the mask that grounding finds
# judges of engine.verification, combinable in order: `verify = "preservation,quality"`
JUDGES: tuple[str, ...] = ("preservation", "quality", "detector", "vlm", "scripted")


def default_home() -> Path:
    return Path(os.environ.get("BRUSHEDIT_HOME") or Path.home() / ".brushedit")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    data_dir: Path = Field(default_factory=default_home)
    profile: Literal["lite", "full"] = "lite"

    # planning (VLM)
    planner: Literal["rules", "openai", "transformers"] | None = None
    planning_mode: Literal["single-call", "tool-calling"] = "single-call"
    vlm_model: str = "Qwen/Qwen2-VL-7B-Instruct"
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    vlm_max_image_side: int = Field(1024, ge=64, le=8192)
    vlm_max_new_tokens: int = Field(512, ge=16, le=32768)
    plan_retries: int = Field(2, ge=0, le=10)
    http_retries: int = Field(3, ge=0, le=10)
    http_timeout_s: float = Field(120.0, gt=0, le=3600)
    tool_step_budget: int = Field(12, ge=1, le=200)

    # grounding
    detector: Literal["grounding-dino", "none"] | None = None
    detector_model: str = "IDEA-Research/grounding-dino-base"
    detector_checkpoint: Path | None = None  # original groundingdino_swint_ogc.pth
    box_threshold: float = Field(0.3, ge=0, le=1)
    text_threshold: float = Field(0.25, ge=0, le=1)
    segmenter: Literal["sam", "classical", "box"] | None = None  # box = the old name of classical (GrabCut)
    sam_model: str = "facebook/sam-vit-huge"
    sam_checkpoint: Path | None = None  # original sam_vit_{b,l,h}_*.pth
    mask_dilate: int = Field(20, ge=0, le=1024)  # working pixels; also at most the working image's long side

    # inpainting
    inpainter: Literal["classical", "brushnet", "sd-inpaint"] | None = None
    base_model: str = "TencentARC/BrushEdit:base_model/realisticVisionV60B1_v51VAE"
    brushnet_model: str = "TencentARC/BrushEdit:brushnetX"
    sd_inpaint_model: str = "stable-diffusion-v1-5/stable-diffusion-inpainting"
    steps: int = Field(50, ge=1, le=1000)
    guidance_scale: float = Field(7.5, ge=0)
    conditioning_scale: float = Field(1.0, ge=0)
    blur_kernel: int = Field(21, ge=1, le=1025)  # image pixels; also at most the image's long side
    working_short_side: int = Field(640, ge=64, le=2048)  # the long side is capped at 3x this
    negative_prompt: str = "ugly, low quality, blurry, deformed, watermark, text"
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    cpu_offload: bool = False
    # BrushNet denoise-step speed-ups on CUDA (benchmarks/inpaint_gpu.py): replay each step as a CUDA
    # graph (2.3x at batch 1 on an H200, same pixels), optionally torch.compile it too (a further 1.36x
    # after a one-off compile of about a minute per image size)
    speedups: Literal["none", "cuda-graph", "compile"] = "cuda-graph"

    # agent loop
    retry_budget: int = Field(2, ge=0, le=10)
    verify: str = "none"  # "none" or judges in order, comma-separated (JUDGES); see engine.verification
    candidates: int = Field(1, ge=1, le=MAX_CANDIDATES)  # results per attempt (one batched call on BrushNet / SD)
    budget_exhausted: Literal["review", "commit"] = "review"  # no attempt passed the judges: offer the best
    tool_error_budget: int = Field(4, ge=0, le=50)  # failed tool calls sent back to the model per edit
    seed: int = Field(0, ge=0, le=SEED_MAX)

    # limits on what comes in (engine.images.ImageLimits; checked from the header before decoding)
    max_image_pixels: int = Field(40_000_000, ge=1, le=1_000_000_000)
    max_image_side: int = Field(20_000, ge=8, le=100_000)
    min_image_side: int = Field(8, ge=1, le=4096)
    max_image_aspect: float = Field(10.0, ge=1, le=1000)
    max_instruction_chars: int = Field(2000, ge=1, le=100_000)

    @field_validator("data_dir")
    @classmethod
    def _data_dir_is_a_dir(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"'{value}' is a file, not a directory")
        return value

    @property
    def image_limits(self):
        """engine.images.ImageLimits from these settings (imported lazily: settings load without PIL)."""
        from engine.images import ImageLimits

        return ImageLimits(self.max_image_pixels, self.max_image_side, self.min_image_side, self.max_image_aspect)

    def check_instruction(self, text: str | None) -> str:
        """The instruction, stripped; EmptyInstructionError / LimitError when empty or too long."""
        if not text or not text.strip():
            raise EmptyInstructionError("The instruction is empty.", fix='Say what to change, e.g. "remove the cat".')
        if len(text) > self.max_instruction_chars:
            raise InstructionTooLongError(f"The instruction is {len(text)} characters; the limit is {self.max_instruction_chars} "
                             "(setting max_instruction_chars, env BRUSHEDIT_MAX_INSTRUCTION_CHARS).",
                             fix="Say the edit in a sentence or two.")
        return text.strip()

    @staticmethod
    def check_seed(seed) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX):
            raise LimitError(f"--seed {seed!r} is out of range; a seed is an integer from 0 to {SEED_MAX} (2**32-1).",
                             fix="Pick a smaller seed, e.g. --seed 42.")

    def check_edit(self, text: str | None, seed=None, combine: str = "override") -> str:
        """The instruction (stripped) of an edit whose inputs are within their limits; else a typed error."""
        text = self.check_instruction(text)
        self.check_seed(seed)
        if combine not in COMBINE:
            raise LimitError(f"--combine must be one of {', '.join(COMBINE)}, got {combine!r}.",
                             fix="override: your mask as is; union / subtract: with the mask that is found.")
        return text

    def check_size(self, size: tuple[int, int]) -> None:
        """Mask dilation and feathering fit the image (W, H) they apply to."""
        from engine.images import working_size

        work = max(working_size(*size, short_side=self.working_short_side))
        for name, value, limit, unit in (("mask_dilate", self.mask_dilate, work, "working"),
                                         ("blur_kernel", self.blur_kernel, max(size), "source")):
            if value > limit:
                raise LimitError(f"Setting {name}={value} px is larger than this image ({limit} px on the long "
                                 f"side of the {unit} image).",
                                 fix=f"Use a smaller {name} (env BRUSHEDIT_{name.upper()}).")

    # image store: also write each raw (unblended) generation to disk, for a judge or an eval that
    # reopens it later; off = kept in memory for the turn only (`ImageStore.put(durable=False)`)
    store_raw_generations: bool = False

    # HTTP API and web UI (`brushedit serve`; app/security.py)
    api_token: str | None = None  # bearer token; required to serve on a non-loopback host
    api_hosts: list[str] = Field(default_factory=list)  # Host names accepted besides loopback ("*" = any)
    api_max_upload_bytes: int = Field(25_000_000, ge=1024)  # bytes of one upload; its pixels: max_image_pixels

    @field_validator("verify")
    @classmethod
    def _judges(cls, v: str) -> str:
        names = [n.strip().lower() for n in str(v).split(",") if n.strip()]
        if names in ([], ["none"]):
            return "none"
        bad = [n for n in names if n not in JUDGES]
        if bad:
            raise ValueError(f"unknown judge {bad[0]!r}; use 'none' or a comma-separated list of {', '.join(JUDGES)}")
        return ",".join(dict.fromkeys(names))

    @property
    def judges(self) -> tuple[str, ...]:
        """The judges of `verify`, in order (empty for 'none')."""
        return () if self.verify == "none" else tuple(self.verify.split(","))

    # storage (docs/scale_out.md): "sqlite" = files in data_dir, one machine; "postgresql://user@host/db" =
    # sessions, checkpoints and the edit queue in PostgreSQL, edits run by `brushedit worker` processes
    store: str = "sqlite"
    # the image store: content-addressed PNGs; with PostgreSQL, a directory every process mounts
    images_dir: Path | None = None  # default: data_dir / "images" (resolved when the settings are built)

    @field_validator("store")
    @classmethod
    def _check_store(cls, value: str) -> str:
        if value != "sqlite" and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError('use "sqlite" or a URL "postgresql://user[:password]@host[:port]/database"')
        return value

    @model_validator(mode="after")
    def _resolve_images_dir(self) -> "Settings":
        if self.images_dir is None:
            self.__dict__["images_dir"] = self.data_dir / "images"
        return self

    @property
    def uses_postgres(self) -> bool:
        return self.store != "sqlite"

    def backend(self, kind: str) -> str:
        """The chosen backend for planner/detector/segmenter/inpainter (explicit > profile)."""
        return getattr(self, kind) or PROFILES[self.profile][kind]

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    @classmethod
    def load(cls, config_file: str | Path | None = None, env: dict | None = None, **overrides: Any) -> "Settings":
        env = dict(os.environ if env is None else env)
        home = Path(overrides.get("data_dir") or env.get("BRUSHEDIT_HOME") or Path.home() / ".brushedit")
        if home.exists() and not home.is_dir():
            raise ConfigError(f"The data dir '{home}' is a file, not a directory.",
                              fix="Point --data-dir / BRUSHEDIT_HOME at a directory (it is created when missing).")
        named = config_file or env.get("BRUSHEDIT_CONFIG") or None
        path = Path(named).expanduser() if named else home / "config.toml"
        if named and not path.is_file():
            raise ConfigError(f"Config file not found: '{path}'.", fix="Check --config / BRUSHEDIT_CONFIG.")
        values: dict[str, Any] = _read_config(path) if path.is_file() else {}
        for old, name in RENAMED.items():  # the old per-API copies of the limits set the one limit
            if env.get(f"BRUSHEDIT_{old.upper()}") and not env.get(f"BRUSHEDIT_{name.upper()}"):
                values[name] = env[f"BRUSHEDIT_{old.upper()}"]
        for name in cls.model_fields:
            key = f"BRUSHEDIT_{name.upper()}"
            if key in env and env[key] != "":
                values[name] = env[key]
        if isinstance(values.get("api_hosts"), str):  # BRUSHEDIT_API_HOSTS=a.example,b.example
            values["api_hosts"] = [h.strip() for h in values["api_hosts"].split(",") if h.strip()]
        for std, name in (("OPENAI_BASE_URL", "openai_base_url"), ("OPENAI_API_KEY", "openai_api_key")):
            if env.get(std) and name not in values:
                values[name] = env[std]
        if env.get("BRUSHEDIT_HOME"):
            values.setdefault("data_dir", env["BRUSHEDIT_HOME"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        for old, name in RENAMED.items():
            if old in values:
                values.setdefault(name, values.pop(old))
        try:
            return cls(**values)
        except ValidationError as exc:
            raise _bad_setting(exc, path) from exc


def _read_config(path: Path) -> dict[str, Any]:
    """The [brushedit] table of a TOML file, as a dict; ConfigError naming what is wrong."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Config file '{path}' is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start}).", fix="Save it as UTF-8.") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read config file '{path}': {exc.strerror or exc}.",
                          fix="Check the file's permissions.") from exc
    try:
        table = tomllib.loads(text).get("brushedit", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file '{path}' is not valid TOML: {exc}.") from exc
    if not isinstance(table, dict):
        raise ConfigError(f"In '{path}', `brushedit` must be a table, got a {type(table).__name__}.",
                          fix="Write a [brushedit] header line followed by `key = value` lines.")
    return table


def _bad_setting(exc: ValidationError, path: Path) -> BrushEditError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    value = repr(first.get("input"))
    value = value if len(value) <= 60 else value[:57] + "..."
    msg = str(first["msg"]).removeprefix("Value error, ")
    env, flag = ("BRUSHEDIT_HOME", "--data-dir") if field == "data_dir" else (f"BRUSHEDIT_{field.upper()}",
                                                                               "the matching flag")
    where = f"{path}, " if path.is_file() else ""
    return ConfigError(f"Bad setting `{field}`={value}: {msg}.", fix=f"Fix it in {where}the {env} env var or {flag}.")
