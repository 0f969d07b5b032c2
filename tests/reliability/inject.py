"""Fault injection at the OS-call level for subprocess tests (imported by `python -c` before the CLI).

Only for machines where the real fault cannot be made (no user namespaces and running as root):
`read_only(dir)` makes every write under `dir` fail with EROFS and os.access report it unwritable;
`disk_full(dir)` makes image files written under `dir` go to /dev/full (ENOSPC on write).
"""
from __future__ import annotations

import builtins
import errno
import os
import tempfile


def _under(path, root: str) -> bool:
    try:
        return os.path.abspath(os.fspath(path)).startswith(os.path.abspath(root))
    except TypeError:
        return False


def read_only(root: str) -> None:
    real_open, real_os_open, real_access, real_mkstemp = builtins.open, os.open, os.access, tempfile.mkstemp
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def deny(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    def open_(file, mode="r", *a, **kw):
        if _under(file, root) and any(c in mode for c in "wax+"):
            deny(file)
        return real_open(file, mode, *a, **kw)

    def os_open(path, flags, *a, **kw):
        if _under(path, root) and flags & writes:
            deny(path)
        return real_os_open(path, flags, *a, **kw)

    def access(path, mode, *a, **kw):
        return False if _under(path, root) and mode & os.W_OK else real_access(path, mode, *a, **kw)

    def mkstemp(*a, dir=None, **kw):
        if dir is not None and _under(dir, root):
            deny(dir)
        return real_mkstemp(*a, dir=dir, **kw)

    builtins.open, os.open, os.access, tempfile.mkstemp = open_, os_open, access, mkstemp


def disk_full(root: str) -> None:
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*a, dir=None, **kw):
        fd, path = real_mkstemp(*a, dir=dir, **kw)
        if dir is not None and _under(dir, root):
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return fd, path

    tempfile.mkstemp = mkstemp
