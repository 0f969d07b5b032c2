"""A throw-away PostgreSQL server for tests and benchmarks (Debian's postgresql binaries).

    server = PgServer.start()            # initdb into a temp dir, own port, socket in the temp dir
    url = server.create_database()       # a fresh database (copied from the template)
    server.stop()                        # the temp dir is removed

initdb and postgres refuse to run as root: as root they run as the unprivileged `postgres` user
(created by Debian's package) through `runuser`. Authentication is `trust` on loopback only.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field

TEMPLATE = "brushedit_template"  # tests: a database `brushedit db init` prepared, copied per test
INSTALL_HINT = ("PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/initdb and initdb on PATH). "
                "Install them: sudo apt-get install -y postgresql  (or run .ci/run, which does).")


def find_bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    on_path = shutil.which("initdb")
    if on_path:
        return os.path.dirname(on_path)
    raise RuntimeError(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise RuntimeError("Running as root needs `runuser` (util-linux) to start PostgreSQL as the postgres user.")
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PgServer:
    root: str
    port: int
    bindir: str
    templates: list[str] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, fast: bool = True) -> "PgServer":
        """initdb + pg_ctl start. `fast` turns fsync off (tests: durability across an OS crash is not tested)."""
        bindir = find_bindir()
        root = tempfile.mkdtemp(prefix="brushedit-pg-")
        user = _as_user()
        if user:
            shutil.chown(root, "postgres", "postgres")
        data = os.path.join(root, "data")
        run = lambda *a: subprocess.run([*user, *a], check=True, capture_output=True, text=True)  # noqa: E731
        try:
            run(f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
            port = _free_port()
            opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
            if fast:
                opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            run(f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-o", opts, "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as exc:
            log = os.path.join(root, "log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc.stdout}\n{tail}") from exc
        return cls(root=root, port=port, bindir=bindir)

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([*_as_user(), f"{self.bindir}/pg_ctl", "-D", os.path.join(self.root, "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(predicate, timeout: float = 30.0, every: float = 0.05, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value; raise TimeoutError naming `what`."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)
