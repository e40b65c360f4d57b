"""Copies of a network's database taken while its node runs, and their restoration.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
snapshot page by page while writers go on (each step holds the read lock only briefly);
the copy is checked with ``PRAGMA integrity_check``. PostgreSQL: ``pg_dump`` in its
custom format (one consistent snapshot of the database), restored with ``pg_restore``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from finmesh.domain.errors import FinmeshError
from finmesh.store.pg_connect import CONNECT_TIMEOUT_SECONDS

SQLITE_FILE = "finmesh.db"
PG_DUMP_FILE = "finmesh.pgdump"
PAGES_PER_STEP = 1024
"""Pages copied per backup step (4 MB at 4 KB pages): writers wait at most one step."""
PG_TOOL_SECONDS_MAX = 3600


class BackupFailed(FinmeshError):
    """The database could not be copied or restored."""

    code = "backup_failed"


def backup_sqlite(database: Path, target: Path) -> Path:
    out = target / SQLITE_FILE
    src = sqlite3.connect(database)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst, pages=PAGES_PER_STEP)
        found = dst.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupFailed(f"cannot back up {database}: {exc}") from exc
    finally:
        dst.close()
        src.close()
    if found != "ok":
        raise BackupFailed(f"the copy of {database} fails its integrity check: {found}")
    return out


def restore_sqlite(source: Path, database: Path) -> None:
    for leftover in (database.with_name(database.name + s) for s in ("-wal", "-shm")):
        leftover.unlink(missing_ok=True)  # stale WAL pages must not replay over the copy
    shutil.copyfile(source / SQLITE_FILE, database)


def backup_postgres(url: str, target: Path) -> Path:
    out = target / PG_DUMP_FILE
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={out}", f"--dbname={url}"])
    return out


def restore_postgres(source: Path, url: str) -> None:
    from finmesh.store.postgres import ensure_database

    ensure_database(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          f"--dbname={url}", str(source / PG_DUMP_FILE)])


def _run(command: list[str]) -> None:
    env_timeout = {"PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS)}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PG_TOOL_SECONDS_MAX,
            env={**os.environ, **env_timeout}, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupFailed(f"{command[0]} could not run: {exc}") from exc
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no output"])[0]
        raise BackupFailed(f"{command[0]} failed (exit {done.returncode}): {first}")
