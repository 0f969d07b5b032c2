"""Typed errors. Each names what was wrong and how to fix it.

Two channels (STYLE.md §6): a `RecoverableToolError` goes back to the planning
model as a tool message so it can correct itself; every other `BrushEditError`
stops the run with its message shown to the user.
"""
from __future__ import annotations


class BrushEditError(Exception):
    """Base class. `fix` is a one-line suggestion shown after the message."""

    def __init__(self, message: str, *, fix: str | None = None):
        self.message = message
        self.fix = fix
        super().__init__(f"{message} {fix}" if fix else message)


class RecoverableToolError(BrushEditError):
    """An error the planner can fix by calling the tool differently."""


# --- input errors (the user's or the planner's) -------------------------------------------
class BadImageError(BrushEditError):
    """An image path or file that cannot be read as an image."""


class BadMaskError(RecoverableToolError):
    """A mask of the wrong size/format or a mask operation with bad arguments."""


class BadBoxError(RecoverableToolError):
    """A box that is malformed, empty or outside the image."""


class EmptyMaskError(RecoverableToolError):
    """Grounding produced no pixels to edit."""


class BadAdjustmentError(RecoverableToolError):
    """A photo adjustment with an unknown name or a strength out of range (engine/adjust.py)."""


class ImageTooLargeError(BadImageError):
    """An image (or mask) over the pixel / side / aspect limits, refused before decoding."""


class EmptyInstructionError(BrushEditError):
    """An instruction that is empty or only whitespace."""


class UnsupportedEditError(BrushEditError):
    """The active backends cannot perform this kind of edit (e.g. `local` without diffusion)."""


# --- model / backend errors ------------------------------------------------------------------
class ModelNotAvailableError(BrushEditError):
    """Weights or an optional dependency are missing; `fix` says how to get them."""


class PlanParseError(BrushEditError):
    """The planning model's answer could not be turned into a valid plan."""

    def __init__(self, message: str, *, raw: str = "", fix: str | None = None):
        self.raw = raw
        super().__init__(f"{message}\n--- model answer ---\n{raw[:2000]}" if raw else message, fix=fix)


class NotUnderstoodError(BrushEditError):
    """The planner found no edit in the instruction (gibberish, a question, a request that is not an edit)."""


class PlannerBackendError(BrushEditError):
    """The planning backend (HTTP endpoint or local model) failed after retries."""


class StepBudgetError(BrushEditError):
    """A tool-calling loop exceeded its step budget."""


# --- session errors ----------------------------------------------------------------------------
class SessionNotFoundError(BrushEditError):
    """No session of that name in the data dir."""


class VersionNotFoundError(BrushEditError):
    """No version with that id in the session."""


class NothingToUndoError(BrushEditError):
    """Undo at the root or redo with an empty redo stack."""


class StoreIntegrityError(BrushEditError):
    """An image id that is malformed or whose file does not match its hash."""


class StoreCorruptError(StoreIntegrityError):
    """A stored file whose content does not match its id (tampered, truncated or swapped)."""


class SessionBusyError(BrushEditError):
    """Another edit holds the session (one edit at a time per session)."""


class CheckpointConversionError(ModelNotAvailableError):
    """An original-format checkpoint whose keys or shapes do not match the model it should fill."""

    def __init__(self, message: str, *, missing: list[str] = (), unexpected: list[str] = (), fix: str | None = None):
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        detail = ""
        if self.missing:
            detail += f" Missing ({len(self.missing)}): {', '.join(self.missing[:8])}{' …' if len(self.missing) > 8 else ''}."
        if self.unexpected:
            detail += (f" Unexpected ({len(self.unexpected)}): {', '.join(self.unexpected[:8])}"
                       f"{' …' if len(self.unexpected) > 8 else ''}.")
        super().__init__(message + detail, fix=fix)


class StoreUnavailableError(BrushEditError):
    """The configured store (PostgreSQL) cannot be reached, or has no schema yet / an older one."""
