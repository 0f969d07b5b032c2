"""Content-addressed image store: `<root>/<id[:2]>/<id>.<ext>`, ids = sha256 of the pixels.

Ids (engine/image_codecs.py) name pixels, not files: 64 lowercase hex characters, validated
before any path is built, so no path ever comes from user input. Images are stored as QOI,
masks as 8-bit PNG; stores written before hold `<id>.png` files named by the sha256 of their
bytes, and they keep loading (that meaning is checked for `.png` files).

    store.put(array)                     # durable on return: fsynced file + folder, atomic rename
    store.put(array, wait=False)         # returns after hashing; written by a background thread
    store.flush([ids])                   # wait until those ids are durable (writes memory-only ones)
    store.put(array, durable=False)      # memory only (e.g. a raw generation nobody will reopen)
    store.get_image(id) / get_mask(id)   # read-only arrays; every file read is verified

A disk read that does not match its id raises StoreCorruptError naming the file. put() -> get()
never decodes (process-wide cache, engine/store_io.py). Storing pixels that already exist refreshes
the file's timestamp, so `gc` (it spares young files) cannot delete a file an edit just stored again.
"""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from engine import image_codecs as codecs
from engine.errors import StoreCorruptError, StoreIntegrityError
from engine.store_io import CACHE, PENDING, PENDING_LOCK, STATS, background, frozen, write_durable

if TYPE_CHECKING:  # numpy is imported where pixels are touched: model-free commands start without it
    import numpy as np

_ID = re.compile(r"^[0-9a-f]{64}$")
_FILE = re.compile(r"^([0-9a-f]{64})(\.qoi|\.png)$")
_EXTS = (codecs.IMAGE_EXT, codecs.MASK_EXT)  # lookup order; .png also covers legacy files


def validate_id(image_id: str) -> str:
    if not isinstance(image_id, str) or not _ID.match(image_id):
        raise StoreIntegrityError(
            f"'{image_id}' is not an image id (64 lowercase hex characters).",
            fix="Use an id returned by the store (see `brushedit history`).",
        )
    return image_id


class ImageStore:
    """Stores uint8 RGB [H, W, 3] images and bool [H, W] masks; returns their ids."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._key = str(self.root.resolve())
        self.stats = STATS

    # --- paths ------------------------------------------------------------------------------
    def _file(self, image_id: str, ext: str) -> Path:
        return self.root / image_id[:2] / f"{image_id}{ext}"

    def _find(self, image_id: str) -> Path | None:
        for ext in _EXTS:
            path = self._file(image_id, ext)
            if path.is_file():
                return path
        return None

    def path(self, image_id: str) -> Path:
        """The file holding `image_id` (QOI image, PNG mask or legacy PNG); if it is not stored yet,
        where a legacy PNG would be. Read pixels with get_image/get_mask, PNG bytes with png_bytes."""
        image_id = validate_id(image_id)
        return self._find(image_id) or self._file(image_id, codecs.LEGACY_EXT)

    # --- writing ----------------------------------------------------------------------------
    def put(self, array: np.ndarray, *, durable: bool = True, wait: bool = True, copy: bool = True) -> str:
        """Store an image or mask; returns its id.

        durable=True, wait=True (default): the file is on disk (fsynced, atomic) when put returns.
        wait=False: returns once hashed; the write runs in the background: call flush([id]) before
        anything that outlives the process refers to the id (a committed version, a pending review).
        durable=False: kept in memory only (this process, evictable), written only if flush([id]) asks.
        copy=False: the caller hands `array` over (it will not write to it again): an array that owns
        its C-ordered data is made read-only in place instead of copied; anything else is copied.
        """
        import numpy as np

        try:
            kind = codecs.kind_of(array)
        except (ValueError, AttributeError) as exc:
            raise StoreIntegrityError(f"Cannot store this array: {exc}.",
                                      fix="Pass uint8 [H, W, 3] RGB or a bool [H, W] mask.") from exc
        if not copy and array.base is None and array.flags.c_contiguous:
            array.setflags(write=False)  # handed over: frozen in place, no copy
        if not frozen(array):
            t0 = time.perf_counter()
            array = np.array(array, copy=True, order="C")  # the caller may change its array later
            array.setflags(write=False)
            STATS.add("copy_s", time.perf_counter() - t0)
        encoding = background(self._encode, array, kind) if durable else None  # runs while we hash
        t1 = time.perf_counter()
        image_id = codecs.pixel_hasher(array, kind).hexdigest()
        STATS.add("hash_s", time.perf_counter() - t1)
        key = (self._key, image_id)
        if not durable:  # memory only: no file to look for (a read finds one on disk anyway)
            CACHE.put(key, array, kind, scratch=True)
            return image_id
        existing = self._find(image_id)
        if existing is not None:
            if encoding is not None:
                encoding.cancel()  # (when already running, its bytes are simply dropped)
            self._touch(existing)
            CACHE.put(key, array, kind)
        else:
            self._write(image_id, array, kind, wait, encoding)
        return image_id

    @staticmethod
    def _touch(path: Path) -> None:
        try:  # gc keeps files younger than its grace period: this one is in use again
            os.utime(path)
        except FileNotFoundError:  # not there (or removed meanwhile): the next read says so
            pass

    @staticmethod
    def _encode(array: np.ndarray, kind: str) -> bytes:
        t0 = time.perf_counter()
        data, _ = codecs.encode(array, kind)
        STATS.add("encode_s", time.perf_counter() - t0)
        return data

    def _write_file(self, target: Path, encoding: Future | None, array: np.ndarray, kind: str) -> None:
        # one writer thread runs jobs in order, so `encoding` (submitted first) is done by now
        data = encoding.result() if encoding is not None else self._encode(array, kind)
        t0 = time.perf_counter()
        write_durable(target, data)
        STATS.add("write_s", time.perf_counter() - t0)

    def _write(self, image_id: str, array: np.ndarray, kind: str, wait: bool, encoding: Future | None = None):
        target = self._file(image_id, codecs.IMAGE_EXT if kind == "image" else codecs.MASK_EXT)
        key = (self._key, image_id)
        with PENDING_LOCK:
            future = PENDING.get(str(target))
            if future is None:
                CACHE.put(key, array, kind, pin=True)
                future = background(self._write_file, target, encoding, array, kind)
                PENDING[str(target)] = future
                future.add_done_callback(lambda f: self._landed(str(target), key, f))
            elif encoding is not None:
                encoding.cancel()  # the same pixels are being written already
        if wait:
            self._wait(str(target), future)

    @staticmethod
    def _landed(target: str, key, future: Future) -> None:
        ok = future.exception() is None
        if ok:  # a failed write stays listed until a flush() reports its error
            with PENDING_LOCK:
                if PENDING.get(target) is future:
                    del PENDING[target]
        CACHE.unpin(key, durable=ok)

    @staticmethod
    def _wait(target: str, future: Future) -> None:
        t0 = time.perf_counter()
        try:
            future.result()  # re-raises the write's error (disk full, read-only folder ...)
        finally:
            STATS.add("flush_wait_s", time.perf_counter() - t0)
            with PENDING_LOCK:
                if future.done() and PENDING.get(target) is future:
                    del PENDING[target]

    def flush(self, ids=None) -> None:
        """Return once every id in `ids` (default: every write in flight under this root) is durably
        on disk; memory-only ids are written now. Re-raises a background write's error."""
        if ids is None:
            with PENDING_LOCK:
                ids = [Path(t).name.split(".")[0] for t in PENDING if Path(t).parent.parent == self.root]
        for image_id in ids:
            if image_id is not None and not self._wait_pending(validate_id(image_id)):
                self._persist(image_id)

    def _wait_pending(self, image_id: str) -> bool:
        with PENDING_LOCK:
            found = [(str(p), PENDING[str(p)]) for p in (self._file(image_id, e) for e in _EXTS) if str(p) in PENDING]
        for target, future in found:
            self._wait(target, future)
        return bool(found)

    sync = flush

    def _persist(self, image_id: str) -> None:
        if self._find(image_id) is not None:
            return
        entry = CACHE.get((self._key, image_id))
        if entry is None:
            raise StoreIntegrityError(
                f"Image '{image_id}' is neither on disk in {self.root} nor in this process's memory.",
                fix="Store it with put() (durable) before referring to it.")
        self._write(image_id, entry.array, entry.kind, wait=True)

    def touch(self, image_id: str) -> None:
        """Refresh a stored file's timestamp (keeps `gc`'s grace period from running out on it)."""
        self._touch(self.path(image_id))

    # --- listing and removal ----------------------------------------------------------------
    def ids(self):
        """Every id with a file on disk (temp files of unfinished writes are never listed)."""
        for path in self.root.glob("??/*"):
            m = _FILE.match(path.name)
            if m and path.parent.name == m.group(1)[:2]:
                yield m.group(1)

    def temp_files(self) -> list[Path]:
        """Leftovers of writes a kill interrupted (`.<id>.<ext>.*.tmp`); never listed under an id."""
        return sorted(self.root.glob("??/.*.tmp"))

    def remove(self, image_id: str) -> int:
        """Delete one stored image; returns the bytes freed (0 if it was not there)."""
        image_id = validate_id(image_id)
        freed = 0
        for ext in _EXTS:
            path = self._file(image_id, ext)
            try:
                freed += path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                pass
        CACHE.pop((self._key, image_id))
        return freed

    def exists(self, image_id: str) -> bool:
        """On disk, or its write is in flight (memory-only ids do not count)."""
        image_id = validate_id(image_id)
        if self._find(image_id) is not None:
            return True
        with PENDING_LOCK:
            return any(str(self._file(image_id, ext)) in PENDING for ext in _EXTS)

    # --- reading ----------------------------------------------------------------------------
    def _read(self, image_id: str) -> tuple[np.ndarray, str, bytes]:
        path = self._find(image_id)
        if path is None:
            lost = " (it was kept in memory only, durable=False, and has been evicted)" \
                if (self._key, image_id) in CACHE.lost else ""
            raise StoreIntegrityError(f"Image '{image_id}' is not in the store at {self.root}{lost}.",
                                      fix="Check the id (`brushedit history` lists every version's images).")
        t0 = time.perf_counter()
        data = path.read_bytes()
        t1 = time.perf_counter()
        try:
            array, kind = codecs.read_verified(image_id, data, path.suffix)
        except ValueError as exc:
            raise StoreCorruptError(
                f"Stored file {path} is corrupt: {exc} (damaged, truncated or replaced after it was written).",
                fix="Restore that file from a backup, or check out a version that does not use it.",
            ) from exc
        STATS.add("read_s", t1 - t0)
        STATS.add("decode_s", time.perf_counter() - t1)
        array.setflags(write=False)
        return array, kind, data

    def _get(self, kind: str, image_id: str, verify: bool) -> np.ndarray:
        image_id = validate_id(image_id)
        key = (self._key, image_id)
        entry = None if verify else CACHE.get(key)
        if entry is None:
            if verify:
                self._wait_pending(image_id)  # a write in flight: check the file once it has landed
            array, stored, _ = self._read(image_id)
            entry = CACHE.put(key, array, stored)
        if entry.kind == kind:
            return entry.array
        converted = codecs.convert(entry.array, entry.kind, kind)
        converted.setflags(write=False)  # (a converted array is not cached: cross-kind reads are rare)
        return converted

    def get_image(self, image_id: str, verify: bool = False) -> np.ndarray:
        """uint8 RGB [H, W, 3], read-only (copy it to modify). A file read from disk is always checked
        against its id; verify=True also skips the memory cache, so the file itself is checked."""
        return self._get("image", image_id, verify)

    def get_mask(self, image_id: str, verify: bool = False) -> np.ndarray:
        """bool [H, W], read-only (copy it to modify); verify as in get_image."""
        return self._get("mask", image_id, verify)

    def png_bytes(self, image_id: str) -> bytes:
        """A PNG of the stored pixels, verified (for export and HTTP); a stored PNG is handed out as it is."""
        self._wait_pending(validate_id(image_id))
        array, _, data = self._read(image_id)
        if self.path(image_id).suffix == ".png" and data[:8] == b"\x89PNG\r\n\x1a\n":
            return data
        from engine.images import to_png_bytes

        return to_png_bytes(array)

    def export_png(self, image_id: str, dest: str | Path) -> Path:
        """Write the verified PNG of `image_id` to `dest` (atomic, durable); returns dest."""
        dest = Path(dest)
        write_durable(dest, self.png_bytes(image_id))
        return dest
