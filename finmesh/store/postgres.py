"""The PostgreSQL store: several stateless nodes over one database.

Each thread has its own connection (autocommit; transactions are explicit). Every write
transaction first takes one advisory lock (WRITER_LOCK), the counterpart of SQLite's
BEGIN IMMEDIATE: writers of all nodes queue on it, so OSNs stay gapless, the audit
chain linear and the policy guard exact. A write transaction that changed rows sends
a NOTIFY on commit; every node LISTENs (finmesh.store.pg_listen) and wakes its long
polls. A lost connection is replaced on the next use; while the database cannot be
reached every operation raises StoreUnavailable (HTTP 503 with Retry-After).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo, sql

from finmesh.domain.audit import AuditEntry
from finmesh.store import migrations, queries
from finmesh.store.handle import Handle, Rows
from finmesh.store.pg_connect import Conn, connect, unavailable
from finmesh.store.pg_listen import NOTIFY, ChangeListener
from finmesh.store.policy_tables import audit_entry
from finmesh.store.port import NewMessage, Stored, StoreOutcome, StoreUnavailable
from finmesh.store.sql_store import SqlStore, already_stored, message_columns

WRITER_LOCK = 0x66_69_6E_6D
"""Advisory lock key of the database-wide writer lock ("finm")."""
MIGRATION_LOCK = WRITER_LOCK + 1
NONCE_PURGE_INTERVAL_MS = 10_000
"""How often one node deletes expired nonces (they are refused by the clock window
anyway; the purge only keeps the table small)."""

Q = queries.load("queries.sql")
PG = queries.load("queries_postgres.sql")
SCHEMA_VERSION = "SELECT coalesce(max(version), 0) FROM schema_migrations"
OTHER_TABLES = (
    "SELECT count(*) FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'"
)
_WRITES = ("INSERT", "UPDATE", "DELETE")


@lru_cache(maxsize=1024)
def _pg(text: str) -> str:
    """``?`` placeholders to psycopg's ``%s`` (a literal % doubled)."""
    return text.replace("%", "%%").replace("?", "%s")


@lru_cache(maxsize=1024)
def _writes(text: str) -> bool:
    return text.lstrip().upper().startswith(_WRITES)


class PgHandle:
    """A connection inside one transaction, with the Handle interface: ``?``
    placeholders, and a record of whether any statement changed rows."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.changed = False

    def execute(self, text: str, parameters: Sequence[Any] = ()) -> Rows:
        if parameters:
            cur = self.conn.execute(_pg(text), tuple(parameters))
        else:  # no parameters: sent as is (scripts of several statements too)
            cur = self.conn.execute(text)
        if cur.rowcount > 0 and _writes(text):
            self.changed = True
        return cur

    def executemany(self, text: str, parameters: Any) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(_pg(text), [tuple(p) for p in parameters])
        self.changed = True


class _Reads:
    """``_conn()``: single statements in autocommit, each on a live connection. A
    connection found dead is replaced and the statement sent once more (it never ran)."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def execute(self, text: str, parameters: Sequence[Any] = ()) -> Rows:
        for attempt in range(2):
            conn = self.store._connection()
            try:
                return PgHandle(conn).execute(text, parameters)
            except psycopg.OperationalError as exc:
                self.store._drop(conn)
                if attempt or not conn.broken:
                    raise unavailable(exc) from exc
        raise AssertionError("unreachable")

    def executemany(self, text: str, parameters: Any) -> None:
        with self.store._tx("BEGIN", lock=True, notify=True) as db:
            db.executemany(text, parameters)


class PostgresStore(SqlStore):
    """Store implementation over one PostgreSQL database, shared by any number of nodes."""

    dialect = "postgres"

    def __init__(
        self,
        url: str,
        anchor: Path | None = None,
        steps: Sequence[migrations.Migration] | None = None,
    ) -> None:
        super().__init__(anchor)
        self.url = url
        self._local = threading.local()
        self._all: dict[threading.Thread, Conn] = {}
        self._lock = threading.Lock()
        self._purged_ms = 0
        try:
            self._migrate(migrations.packaged("postgres") if steps is None else steps)
        except BaseException:
            self.close()
            raise

    # connections

    def _connection(self) -> Conn:
        conn: Conn | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = connect(self.url)
            self._local.conn = conn
            self._register(conn)
        return conn

    def _register(self, conn: Conn) -> None:
        """Keep every connection to close it; those of finished threads go now (a
        thread pool replaces its threads over time)."""
        with self._lock:
            for thread in [t for t in self._all if not t.is_alive()]:
                self._all.pop(thread).close()
            old = self._all.get(threading.current_thread())
            if old is not None and old is not conn:
                old.close()
            self._all[threading.current_thread()] = conn

    def _drop(self, conn: Conn) -> None:
        conn.close()
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None

    def close(self) -> None:
        with self._lock:
            for conn in self._all.values():
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # transactions

    def _conn(self) -> _Reads:
        return _Reads(self)

    @contextmanager
    def _read(self) -> Iterator[PgHandle]:
        with self._tx("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", False, False) as db:
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[PgHandle]:
        with self._tx("BEGIN", lock=True, notify=True) as db:
            yield db

    @contextmanager
    def _tx(self, begin: str, lock: bool, notify: bool) -> Iterator[PgHandle]:
        conn = self._begin(begin)
        db = PgHandle(conn)
        try:
            if lock:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
            yield db
        except BaseException as exc:
            self._rollback(conn)
            if isinstance(exc, psycopg.OperationalError):
                raise unavailable(exc) from exc
            raise
        try:
            if notify and db.changed:
                conn.execute(NOTIFY)
            conn.execute("COMMIT")
        except psycopg.OperationalError as exc:
            # the commit may or may not have happened: the client resubmits (idempotent)
            self._rollback(conn)
            raise unavailable(exc) from exc

    def _begin(self, begin: str) -> Conn:
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.execute(begin)
                return conn
            except psycopg.OperationalError as exc:
                self._drop(conn)
                if attempt or not conn.broken:
                    raise unavailable(exc) from exc
        raise AssertionError("unreachable")

    def _rollback(self, conn: Conn) -> None:
        if conn.broken or conn.closed:
            self._drop(conn)
            return
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            self._drop(conn)

    # schema

    def _migrate(self, steps: Sequence[migrations.Migration]) -> None:
        with self._tx("BEGIN", lock=False, notify=False) as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            current = int(db.execute(SCHEMA_VERSION).fetchone()[0])
            others = int(db.execute(OTHER_TABLES).fetchone()[0])
            where = f"database {conninfo.conninfo_to_dict(self.url).get('dbname', self.url)}"
            for step in migrations.pending(current, others > 0, steps, where):
                db.execute(step.sql)
                db.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    (step.version, step.name),
                )
            for name in self.extra_schemas:
                db.execute(queries.schema(name))

    def schema_version(self) -> int:
        return int(self._conn().execute(SCHEMA_VERSION).fetchone()[0])

    # intake

    def _store_messages(self, db: Handle, messages: Sequence[NewMessage]) -> list[StoreOutcome]:
        """Plain messages (neither held nor licensed) go in one pipeline: one statement
        each, the batch in about one round trip. Others take the shared path."""
        if not isinstance(db, PgHandle) or any(
            m.held_by or m.licence_ids or m.translation for m in messages
        ):
            return super()._store_messages(db, messages)
        with db.conn.pipeline():
            sent = [
                db.conn.cursor().execute(_pg(PG["store_plain_message"]), _plain(m))
                for m in messages
            ]
        db.changed = True
        outcomes: list[StoreOutcome] = []
        for m, cur in zip(messages, sent, strict=True):
            row = cur.fetchone()
            if row is not None:
                outcomes.append(Stored(queue_seq=int(row[0])))
            else:  # stored before, or earlier in this batch
                found = db.execute(Q["find_message"], (m.sender, m.biz_msg_id)).fetchone()
                outcomes.append(already_stored(found))
        return outcomes

    # authentication

    def remember_nonce(self, subject: str, nonce: str, expires_ms: int, now_ms: int) -> bool:
        # Not under the writer lock (the primary key decides), and committed without
        # waiting for the WAL flush: a nonce survives a node crash but maybe not a
        # database crash, after which a replay is possible only within the clock window.
        if now_ms - self._purged_ms > NONCE_PURGE_INTERVAL_MS:
            self._purged_ms = now_ms
            self._conn().execute(Q["purge_nonces"], (now_ms,))
        with self._tx("BEGIN", lock=False, notify=False) as db:
            db.execute("SET LOCAL synchronous_commit = off")
            return int(db.execute(Q["insert_nonce"], (subject, nonce, expires_ms)).rowcount) == 1

    # change notifications

    def listen(self, on_change: Callable[[], None]) -> ChangeListener:
        """Call ``on_change`` (from another thread) after any node commits a change."""
        listener = ChangeListener(self.url, on_change)
        listener.start()
        return listener


def _plain(m: NewMessage) -> tuple[Any, ...]:
    return (*message_columns(m), m.obsolete_ms)


def ensure_database(url: str) -> None:
    """Create the database ``url`` names if the server does not have it yet."""
    name = conninfo.conninfo_to_dict(url).get("dbname")
    if not name:
        return
    with connect(conninfo.make_conninfo(url, dbname="postgres")) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))


def read_audit_pg(url: str) -> list[AuditEntry]:
    """The audit entries, read in one read-only transaction (no schema, no writes)."""
    with connect(url, autocommit=False) as conn:
        conn.read_only = True
        try:
            rows = conn.execute(Q["audit_entries"]).fetchall()
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot read the audit trail: {exc}") from exc
    return [audit_entry(r) for r in rows]
