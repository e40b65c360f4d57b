"""What only the SQLite store does: files made before migrations existed, the audit
head anchored in a file beside the database, and the read-only audit reader. The
behaviour of the Store port itself is in test_store_conformance.py (both stores)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from finmesh.config import BadSetting
from finmesh.domain.errors import NotFound
from finmesh.domain.policy import measures as ms
from finmesh.domain.policy.measures import Measure
from finmesh.store import migrations
from finmesh.store.audit_head import read_head
from finmesh.store.port import AuditNote, Stored
from finmesh.store.sql_delivery import DIALECT_Q
from finmesh.store.sqlite import IncompatibleStore, SqliteStore, statements
from finmesh.store.sqlite_policy import read_audit
from tests.integration.stores import A, B, msg, seed


def test_a_file_from_before_migrations_opens_as_step_one(tmp_path: Path) -> None:
    """Files of earlier releases have the 0001 schema and user_version 1."""
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(migrations.packaged("sqlite")[0].sql)
    old.execute("PRAGMA user_version = 1")
    old.close()
    store = seed(SqliteStore(path))
    try:
        assert store.schema_version() == len(migrations.packaged("sqlite"))
        assert store.store_batch([msg(A, B, "1")]) == [Stored(1)]
    finally:
        store.close()


def test_a_file_with_tables_but_no_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE accounts (id INTEGER)")
    other.close()
    with pytest.raises(IncompatibleStore) as refused:
        SqliteStore(path)
    assert refused.value.code == "schema_unknown"


def test_the_audit_head_is_anchored_beside_the_database(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    try:
        store.save_measure(_measure(), AuditNote("alice", "measure.propose", "M-1", {}), 1_000)
        [entry] = store.audit_entries()
        head = read_head(tmp_path / "t.db")
        assert head is not None and (head.seq, head.hash) == (entry.seq, entry.hash)
        assert (tmp_path / "audit.head").is_file()
    finally:
        store.close()
    before = (tmp_path / "t.db").read_bytes()
    assert read_audit(tmp_path / "t.db") == [entry]
    assert (tmp_path / "t.db").read_bytes() == before  # read-only: nothing written


def test_reading_the_audit_of_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_audit(tmp_path / "missing.db")


def test_migration_scripts_split_into_statements() -> None:
    script = (
        "-- a comment\nCREATE TABLE a (x TEXT DEFAULT ';');\n\n"
        "CREATE INDEX i ON a (x);\n-- end\n"
    )
    assert [s.strip().splitlines()[-1] for s in statements(script)] == [
        "CREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE INDEX i ON a (x);",
    ]
    with pytest.raises(ValueError, match="incomplete"):
        list(statements("CREATE TABLE b (x TEXT)\n"))


def _measure() -> Measure:
    return ms.propose_measure(
        id="M-1",
        kind="disconnect",
        bic8=B[:8],
        name=None,
        with_subsidiaries=False,
        action="reject",
        reference="test",
        effective_ms=1_000,
        officer="alice",
        now_ms=1_000,
    )


def test_a_page_of_never_delivered_messages_is_read_from_the_partial_index(
    tmp_path: Path,
) -> None:
    # O(page), never O(backlog): the planner must not sort the receiver's whole backlog
    store = SqliteStore(tmp_path / "finmesh.db")
    try:
        query = DIALECT_Q["sqlite"]["unassigned_deliveries"]
        with sqlite3.connect(tmp_path / "finmesh.db") as db:
            plan = " / ".join(str(r[3]) for r in db.execute("EXPLAIN QUERY PLAN " + query, (A, 10)))
        assert "queue_unassigned" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        store.close()


def test_the_connection_that_stores_messages_gets_the_page_cache_the_setting_asks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FINMESH_SQLITE_CACHE_MB sizes the page cache of a connection once it has stored
    messages (SQLite's unit for a negative cache_size is KiB); other connections keep
    SQLite's default; a value that is no size is refused by name when the store opens."""
    monkeypatch.setenv("FINMESH_SQLITE_CACHE_MB", "16")
    store = seed(SqliteStore(tmp_path / "a.db"))
    try:
        default = store._conn().execute("PRAGMA cache_size").fetchone()[0]
        assert default == -2000  # SQLite's own: about 2 MiB
        store.store_batch([msg(A, B, "m1")])
        assert store._conn().execute("PRAGMA cache_size").fetchone()[0] == -16 * 1024
        monkeypatch.setenv("FINMESH_SQLITE_CACHE_MB", "lots")
        with pytest.raises(BadSetting, match="FINMESH_SQLITE_CACHE_MB"):
            SqliteStore(tmp_path / "b.db")  # at open, not at the first message
    finally:
        store.close()
