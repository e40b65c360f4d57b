"""The embedded default store: one SQLite file in WAL mode, synchronous=FULL.

A commit returns only after the WAL is fsynced, so an ACK given after ``store_batch``
returns survives a kill -9 or a power cut. Each thread gets its own connection;
writers serialise on SQLite's lock (BEGIN IMMEDIATE, so no deadlocking upgrades).
The store logic itself is shared with PostgreSQL (finmesh.store.sql_store).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from finmesh import config
from finmesh.store import migrations, queries
from finmesh.store.audit_head import head_path
from finmesh.store.handle import Handle
from finmesh.store.migrations import IncompatibleStore
from finmesh.store.port import StoreUnavailable
from finmesh.store.sql_store import SqlStore

__all__ = ["IncompatibleStore", "SqliteStore"]

BUSY_TIMEOUT_MS = 30_000
Q = queries.load("queries.sql")


UNAVAILABLE_ERRORS = frozenset(
    {"SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED",
     "SQLITE_READONLY", "SQLITE_PROTOCOL"}
)
"""SQLite result codes (primary, extended codes reduce to them) that say the database
cannot be used now (a full disk, an I/O error, a lock held too long), not that the
request or the schema is wrong: answered as StoreUnavailable (HTTP 503, Retry-After).
The transaction was rolled back, so nothing was done and a retry is safe."""


def _primary(name: str | None) -> str:
    """SQLITE_IOERR_WRITE -> SQLITE_IOERR."""
    return "_".join((name or "").split("_")[:2])


@contextmanager
def unavailable_on_io_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        if _primary(getattr(exc, "sqlite_errorname", None)) not in UNAVAILABLE_ERRORS:
            raise
        raise StoreUnavailable(f"the database cannot be used now ({exc}); retry later") from exc


class WriterTurn:
    """Writers of one database file take turns here before BEGIN IMMEDIATE: threads of
    a process on a lock, processes (``serve --workers N``, the CLI) on an flock of a
    file beside the database. SQLite's own busy handler sleeps 1, 2, 5, 10 ... ms
    between tries; under two workers that added tens of ms to requests (measured p99
    submit->ACK at 200 msgs/s: 136 ms without, 27 ms with). The kernel wakes the next
    writer as soon as the turn is given back. SQLite's lock still guards correctness."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + "-writers.lock")
        self._lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class SqliteStore(SqlStore):
    """Store implementation over one SQLite database file."""

    dialect = "sqlite"

    def __init__(self, path: Path, steps: Sequence[migrations.Migration] | None = None) -> None:
        super().__init__(anchor=head_path(path))
        self.path = path
        self._storing_cache_kib = int(config.sqlite_cache_mb() * 1024)  # refused at open
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._turn = WriterTurn(path)
        try:
            with unavailable_on_io_errors():
                self._migrate(steps)
        except BaseException:
            self.close()
            raise

    def _migrate(self, steps: Sequence[migrations.Migration] | None) -> None:
        db = self._conn()
        migrate(db, migrations.packaged("sqlite") if steps is None else steps, str(self.path))
        for name in self.extra_schemas:
            db.executescript(queries.schema(name))  # idempotent; commits by itself

    # connections and transactions

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with unavailable_on_io_errors():
            db = self._conn()
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._turn(), unavailable_on_io_errors():
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                # a full disk may already have rolled it back (or failed the COMMIT)
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def _storing_messages(self, db: Handle) -> None:
        # Only connections that store messages (each worker's intake thread) get the
        # large page cache: they walk the message indexes, which outgrow SQLite's 2 MiB
        # once the store holds millions. Every other connection keeps the default:
        # SQLite empties a connection's cache whenever another has written, and that
        # costs more the more pages the connection has held.
        if getattr(self._local, "storing", None) is not db:
            db.execute(f"PRAGMA cache_size = -{self._storing_cache_kib}")
            self._local.storing = db

    def schema_version(self) -> int:
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
        self._turn.close()

    # authentication

    def remember_nonce(self, subject: str, nonce: str, expires_ms: int, now_ms: int) -> bool:
        # Own connection with synchronous=NORMAL: a nonce survives a process crash (the
        # WAL is in the OS) but not a power cut, so every request does not cost an fsync.
        # After a power cut a replay is possible only within the clock-skew window.
        with self._turn(), unavailable_on_io_errors():
            db = self._nonce_conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(Q["purge_nonces"], (now_ms,))
                fresh = db.execute(Q["insert_nonce"], (subject, nonce, expires_ms)).rowcount == 1
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return fresh

    def _nonce_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "nonce_conn", None)
        if conn is None:
            conn = self._open()
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.nonce_conn = conn
        return conn


def migrate(db: sqlite3.Connection, steps: Sequence[migrations.Migration], where: str) -> None:
    """Bring the file to the newest step, in one transaction (``user_version`` records
    the step reached; files made before migrations existed are at step 1)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        current = int(db.execute("PRAGMA user_version").fetchone()[0])
        has_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        for step in migrations.pending(current, has_tables, steps, where):
            for statement in statements(step.sql):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {int(step.version)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one by one (``executescript`` would commit)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    leftover = "\n".join(
        x for x in pending.splitlines() if x.strip() and not x.strip().startswith("--")
    )
    if leftover:
        raise ValueError(f"incomplete SQL statement at the end of a migration: {leftover[:80]}")
