"""Durable writes and the process-wide memory of the image store.

- `write_durable`: temp file in the target's folder, fsync, atomic rename, fsync of the folder
  (and of its parent when the folder is new): after it returns the file survives a power cut, and
  no reader ever sees a half-written file under its final name (a kill leaves only `.*.tmp`).
- `background`: ONE writer thread per process; encoders and fsync release the GIL, so a write
  overlaps with the caller's next stage.
- `ArrayCache`: decoded arrays shared by every `ImageStore` of the process (keyed by store root
  and id), bounded in bytes; arrays whose write is in flight are pinned until it lands.
- `STATS`: cumulative seconds per store operation, for benchmarks/agent_overhead.py.
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where pixels are touched: model-free commands start without it
    import numpy as np

CACHE_BYTES = 384 * 2**20  # ~30 images of 2048² (or 120 of 1024²) across all sessions of a process


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durable(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically and durably (mode 0600)."""
    parent = target.parent
    new_dir = not parent.is_dir()
    if new_dir:
        parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # disk full / read-only: typed, with the bytes it needed (nothing half-written)
            from engine.errors import os_error

            raise os_error(exc, target, len(data)) from exc
        raise
    _fsync_dir(parent)
    if new_dir:
        _fsync_dir(parent.parent)


_writer: ThreadPoolExecutor | None = None
_writer_pid = 0
_writer_lock = threading.Lock()


def background(fn, *args) -> Future:
    """Run fn(*args) on the store's writer thread (joined at interpreter exit, so a normal exit
    finishes every queued write; a kill loses only writes nobody waited for)."""
    global _writer, _writer_pid
    with _writer_lock:
        if _writer is None or _writer_pid != os.getpid():  # a forked child has no writer thread
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="image-store-writer")
            _writer_pid = os.getpid()
        return _writer.submit(fn, *args)


def frozen(array: np.ndarray) -> bool:
    """True when nobody can change `array`'s pixels any more (read-only down to an immutable base)."""
    import numpy as np

    if not array.flags.c_contiguous:
        return False
    base = array
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return False
        base = base.base
    return base is None or isinstance(base, bytes)



@dataclass
class Entry:
    array: np.ndarray  # read-only
    kind: str  # "image" | "mask"
    scratch: bool = False  # put(durable=False): in memory only until flushed
    pins: int = 0  # writes in flight: never evicted while > 0


class ArrayCache:
    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self.lock = threading.RLock()
        self._entries: OrderedDict[tuple[str, str], Entry] = OrderedDict()
        self._bytes = 0
        self.lost: deque = deque(maxlen=4096)  # memory-only entries dropped (for a clear error later)

    def get(self, key) -> Entry | None:
        with self.lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, array: np.ndarray, kind: str, *, scratch: bool = False, pin: bool = False) -> Entry:
        with self.lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.array.nbytes
            entry = Entry(array, kind, scratch=scratch and (old is None or old.scratch),
                          pins=(old.pins if old else 0) + int(pin))
            self._entries[key] = entry
            self._bytes += array.nbytes
            self._evict()
            return entry

    def unpin(self, key, *, durable: bool) -> None:
        with self.lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.pins = max(0, entry.pins - 1)
                entry.scratch = entry.scratch and not durable
                self._evict()

    def pop(self, key) -> None:
        with self.lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._drop(key, entry)

    def _drop(self, key, entry: Entry) -> None:
        self._bytes -= entry.array.nbytes
        if entry.scratch:
            self.lost.append(key)

    def _evict(self) -> None:
        for key in list(self._entries):
            if self._bytes <= self.max_bytes:
                return
            entry = self._entries[key]
            if entry.pins == 0:
                del self._entries[key]
                self._drop(key, entry)


@dataclass
class StoreStats:
    """Seconds spent, summed over calls (encode/write also count when they run in the background)."""
    hash_s: float = 0.0
    encode_s: float = 0.0
    write_s: float = 0.0  # write + fsync + rename
    read_s: float = 0.0  # file read
    decode_s: float = 0.0  # decode + verification hash
    flush_wait_s: float = 0.0  # callers waiting for background writes
    copy_s: float = 0.0  # the one defensive copy per put
    counts: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + seconds)
            self.counts[name] = self.counts.get(name, 0) + 1

    def snapshot(self) -> dict[str, float]:
        with self.lock:
            return {k: getattr(self, k) for k in ("hash_s", "encode_s", "write_s", "read_s", "decode_s",
                                                  "flush_wait_s", "copy_s")}


STATS = StoreStats()
PENDING: dict[str, Future] = {}  # target path -> its write, until a waiter sees it land (or fail)
PENDING_LOCK = threading.RLock()
CACHE = ArrayCache()


def _after_fork_in_child() -> None:
    """A forked child inherits none of the parent's writes in flight: forget them (the parent finishes them)."""
    global _writer
    for lock in (_writer_lock, PENDING_LOCK, CACHE.lock, STATS.lock):  # another thread may have held them
        if hasattr(lock, "_at_fork_reinit"):
            lock._at_fork_reinit()
    _writer = None
    PENDING.clear()
    for entry in CACHE._entries.values():
        entry.pins = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
