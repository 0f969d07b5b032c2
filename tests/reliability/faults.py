"""Fault-injection helpers: the CLI as a process, snapshots of everything a user made (history + every
stored image), the one-line-error check, decompression-bomb PNGs, user namespaces for real faults."""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path


from helpers import ROOT, SPOON_BOX

BOX = ",".join(map(str, SPOON_BOX))


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


def assert_one_line_error(r: Run, needle: str | None = None, code: int | None = None) -> str:
    """Non-zero exit, exactly ONE `error:` line, no traceback; returns that line."""
    assert r.code != 0, (r.out, r.err)
    if code is not None:
        assert r.code == code, (r.code, r.err)
    assert "Traceback" not in r.err and "Traceback" not in r.out, r.err
    assert len(r.errors) == 1, r.err
    line = r.errors[0]
    if needle is not None:
        assert needle.lower() in line.lower(), line
    return line


def snapshot(home: Path) -> dict:
    """Every version row and session row, and the bytes (sha256) of every stored image file."""
    images = {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted((home / "images").rglob("*")) if p.is_file()} if (home / "images").is_dir() else {}
    db = home / "versions.sqlite"
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        rows = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("sessions", "versions")}
        con.close()
    except sqlite3.Error:  # a damaged file: its bytes must not change either
        rows = {"bytes": hashlib.sha256(db.read_bytes()).hexdigest() if db.is_file() else None}
    return {"rows": rows, "images": images}


def assert_unchanged(before: dict, home: Path, new_images_ok: bool = False) -> None:
    after = snapshot(home)
    assert after["rows"] == before["rows"], "history changed"
    if new_images_ok:  # e.g. an edit that failed after storing its result: orphans for gc, nothing lost
        assert all(after["images"].get(k) == v for k, v in before["images"].items()), "a stored image changed"
        assert not [k for k in after["images"] if k.endswith(".tmp")], "a half-written file was left"
    else:
        assert after["images"] == before["images"], "stored images changed"


def proc_env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRUSHEDIT_")}
    env.update({"BRUSHEDIT_HOME": str(home), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_proc(home: Path, *args, prefix: list[str] = (), timeout: float = 120, **env) -> Run:
    """The CLI as its own process, as a user runs it (optionally wrapped, e.g. in `unshare`)."""
    cmd = [*prefix, sys.executable, "-m", "app.cli", *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=proc_env(home, **env), cwd=home.parent,
                         timeout=timeout)
    return Run(out.returncode, out.stdout, out.stderr)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(path: Path, width: int, height: int) -> Path:
    """A real grey PNG of width x height zeros, compressed ~1000:1 (a decompression bomb)."""
    comp = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + pixels
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
                     + _png_chunk(b"IEND", b""))
    return path


def userns_ok() -> bool:
    """Whether `unshare --user --map-root-user --mount` works here (a private tmpfs / read-only bind)."""
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True).returncode == 0



_NS = ["unshare", "--user", "--map-root-user", "--mount"]
_RO = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
_TMPFS = """set -u
M=$0; SRC=$1; FREE=$2; AFTER=$3; shift 3
mount -t tmpfs -o size=8m tmpfs "$M" || exit 90
cp -a "$SRC/." "$M"/
avail=$(df -k --output=avail "$M" | tail -1)
[ "$avail" -gt "$FREE" ] && fallocate -l $(( (avail - FREE) * 1024 )) "$M/.filler"
"$@"; rc=$?
rm -f "$M/.filler"; cp -a "$M/." "$AFTER"/
exit $rc
"""


def _injected(home: Path, fault: str, target: Path, *args, **env) -> Run:
    """The CLI in a process whose writes under `target` fail with `fault` (EROFS or ENOSPC), injected at
    the OS-call level (for machines where neither a user namespace nor a non-root chmod can make the fault)."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import inject; "
            f"inject.{fault}({str(target)!r}); from app.cli import main; sys.exit(main(sys.argv[1:]))")
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                         env=proc_env(home, **env), cwd=home.parent, timeout=120)
    return Run(out.returncode, out.stdout, out.stderr)


def run_read_only(home: Path, target: Path, *args, **env) -> tuple[Run, str]:
    """The CLI with directory `target` read-only, the most real way this machine allows; (run, how)."""
    if userns_ok():
        return run_proc(home, *args, prefix=[*_NS, "sh", "-c", _RO, str(target)], **env), "read-only bind mount"
    if os.geteuid() != 0:  # chmod binds a non-root user
        dirs = [target, *[p for p in target.rglob("*") if p.is_dir()]]
        for d in dirs:
            d.chmod(0o555)
        try:
            return run_proc(home, *args, **env), "chmod a-w"
        finally:
            for d in dirs:
                d.chmod(0o755)
    return _injected(home, "read_only", target, *args, **env), "injected EROFS"


def run_disk_full(home: Path, free_kb: int, *args, **env) -> tuple[Run, Path, str]:
    """The CLI on a full disk: a copy of `home` on a small tmpfs with `free_kb` KiB left; (run, the data dir
    as the run left it, how). Without user namespaces, ENOSPC is injected into the image store's writes."""
    after = home.parent / "after"
    after.mkdir()
    if userns_ok():
        mount = home.parent / "mnt"
        mount.mkdir()
        r = run_proc(mount, *args, prefix=[*_NS, "sh", "-c", _TMPFS, str(mount), str(home), str(free_kb), str(after)],
                     **env)
        return r, after, "tmpfs"
    shutil.copytree(home, after, dirs_exist_ok=True)
    return _injected(after, "disk_full", after, *args, **env), after, "injected ENOSPC"
