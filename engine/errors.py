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


# --- data dir, config and limits (typed faults of the machine or the setup) ---------------------
class ConfigError(BrushEditError):
    """A config file, setting or data dir that cannot be used as given."""


class LimitError(BrushEditError):
    """A value over a limit (instruction length, seed, dilation ...); names the value, the limit and the setting."""


class InstructionTooLongError(LimitError):
    """An instruction over `max_instruction_chars` (HTTP 422)."""


class DataDirError(BrushEditError):
    """The data dir cannot be used: not a directory, read-only, full, or a file in it is damaged."""


class ReadOnlyError(DataDirError):
    """A write into a read-only data dir (reads still work)."""


class DiskFullError(DataDirError):
    """A write that did not fit on the disk; nothing was half-written."""


class DatabaseCorruptError(DataDirError, StoreIntegrityError):
    """A damaged SQLite file, or a row in it that no longer parses."""


class StoreBusyError(BrushEditError):
    """The database stayed locked by another process past the bounded wait."""


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{max(1, round(n / 1024))} KiB"


def os_error(exc: OSError, path=None, needed: int | None = None) -> BrushEditError:
    """A typed error for an OSError met while reading or writing the data dir (or a file the user named)."""
    import errno
    import shutil
    from pathlib import Path

    where = path or exc.filename or "the data dir"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = None
        for probe in (Path(where), *Path(where).parents):
            try:
                free = shutil.disk_usage(probe).free
                break
            except OSError:
                continue
        need = f"needs {_size(needed)}" if needed else "needs more space"
        has = f", {_size(free)} free" if free is not None else ""
        return DiskFullError(f"disk full: writing {where} {need}{has}; nothing was half-written.",
                             fix="Free some space (`brushedit gc` drops unreferenced images) and run it again.")
    if exc.errno == errno.EROFS or (exc.errno in (errno.EACCES, errno.EPERM) and _exists(where)):
        return ReadOnlyError(f"read-only: cannot write {where} ({exc.strerror}); reading still works.",
                             fix="Make the data dir writable, or point --data-dir / BRUSHEDIT_HOME at a writable copy.")
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return DataDirError(f"{where} is in the way: a file stands where a directory must be.",
                            fix="Move that file away; the directory is created again.")
    if exc.errno is None:  # a decoder's error (e.g. PIL): the bytes of a file are damaged
        return DataDirError(f"A file cannot be read: {exc}.", fix="`brushedit doctor` finds which one.")
    return DataDirError(f"Cannot use {where}: {exc.strerror or exc}.",
                        fix="Check that the path exists and is a directory you can write.")


def _exists(path) -> bool:
    from pathlib import Path

    try:
        return Path(path).exists() or Path(path).parent.exists()
    except OSError:
        return False


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
