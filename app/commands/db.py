"""`brushedit db init [--store URL]`: create or migrate every table the store needs (safe to re-run).

SQLite: the version store file in the data dir. PostgreSQL: the version store, the jobs tables,
LangGraph's checkpoint tables (PostgresSaver.setup) and procrastinate's queue schema, each
recorded in `brushedit_schema`, all under one advisory lock so several machines may run it at once.
"""
from __future__ import annotations

import typer

from app.options import ConfigFile, DataDir, StoreOpt, load_settings
from engine.errors import BrushEditError

db_app = typer.Typer(no_args_is_help=True, help="Create or migrate the store's schema.")


def init_store(store: str, data_dir=None) -> list[str]:
    """Bring every component up to date; returns one line per component saying what was done."""
    from agent.db import VERSION_MIGRATIONS, migrate, open_database

    if store == "sqlite":
        path = data_dir / "versions.sqlite"
        applied = migrate(open_database(path), "versions", VERSION_MIGRATIONS)
        return [_line("versions", applied, VERSION_MIGRATIONS) + f" ({path})"]
    from agent.stores import setup_checkpoints
    from app.jobs_pg import JOB_MIGRATIONS, init_jobs

    db = open_database(store)
    lines = [_line("versions", migrate(db, "versions", VERSION_MIGRATIONS), VERSION_MIGRATIONS),
             _line("jobs", init_jobs(store), JOB_MIGRATIONS)]
    try:
        setup_checkpoints(store)
    except BrushEditError:
        raise
    except Exception as exc:
        raise db.unavailable(exc) from exc
    lines.append("checkpoints: LangGraph PostgresSaver tables ready")
    lines.append(_init_queue(db))
    return lines


def _line(component: str, applied: list[int], migrations) -> str:
    latest = max(m[0] for m in migrations)
    done = f"applied migration(s) {', '.join(map(str, applied))}" if applied else "up to date"
    return f"{component}: {done} (schema v{latest})"


def _init_queue(db) -> str:
    """procrastinate's schema, created once; the procrastinate version that created it is recorded."""
    from importlib.metadata import version

    from procrastinate.schema import SchemaManager

    have = version("procrastinate")
    with db.tx() as tx:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (0x62727368,))
        exists = tx.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is not None
        row = tx.execute("SELECT name FROM brushedit_schema WHERE component='procrastinate'").fetchone()
        if not exists:
            tx.connection.execute(SchemaManager.get_schema())
            tx.execute("DELETE FROM brushedit_schema WHERE component='procrastinate'")
            tx.execute("INSERT INTO brushedit_schema VALUES ('procrastinate', 1, ?, EXTRACT(EPOCH FROM now()))",
                       (f"procrastinate {have}",))
            return f"queue: procrastinate {have} schema created"
    made = row[0] if row else "procrastinate (unknown version)"
    if made != f"procrastinate {have}":
        return (f"queue: schema made by {made}, installed procrastinate {have}: apply its migrations "
                "(https://procrastinate.readthedocs.io/en/stable/howto/production/migrations.html)")
    return f"queue: up to date ({made})"


def init_command(store: StoreOpt = None, data_dir: DataDir = None, config: ConfigFile = None):
    """Create or migrate the schema of the store (SQLite file or PostgreSQL database); safe to re-run."""
    settings = load_settings(data_dir, config, store=store)
    for line in init_store(settings.store, settings.data_dir):
        typer.echo(line)


def register(command) -> None:
    """Called by app/cli.py with its error-handling `command` decorator."""
    command("init", on=db_app)(init_command)

