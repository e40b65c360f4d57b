"""Versioned schema migrations on SQLite and PostgreSQL: a new database gets every
step, an older one is upgraded in one transaction, and a newer or foreign one is
refused with a coded error before anything is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh.store import migrations
from finmesh.store.migrations import IncompatibleStore, Migration
from finmesh.store.postgres import PostgresStore
from finmesh.store.sql_store import SqlStore
from tests import pgutil
from tests.integration.stores import A, B, StoreMaker, msg, seed
from tests.netutil import run_cli

PROBE = (
    "CREATE TABLE probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\n"
    "INSERT INTO probe (id, note) VALUES (1, 'added by a later step');\n"
)


def shipped(store: SqlStore) -> tuple[Migration, ...]:
    return migrations.packaged(store.dialect)


def version(store: SqlStore) -> int:
    return store.schema_version()


def test_a_new_database_gets_every_step(stores: StoreMaker) -> None:
    store = stores.open()
    assert version(store) == len(shipped(store)) >= 1


def test_an_older_schema_is_upgraded_and_keeps_its_data(stores: StoreMaker) -> None:
    store = seed(stores.open())
    store.store_batch([msg(A, B, "kept")])
    steps = shipped(store)
    later = (*steps, Migration(len(steps) + 1, "probe", PROBE))
    upgraded = stores.open(later)
    assert version(upgraded) == len(steps) + 1
    assert upgraded._conn().execute("SELECT note FROM probe").fetchall() == [
        ("added by a later step",)
    ]
    assert [d.biz_msg_id for d in upgraded.fetch_deliveries(B, None, 10, 2_000)] == ["kept"]
    stores.open(later)  # nothing left to do: opens as it is


def test_a_newer_schema_is_refused(stores: StoreMaker) -> None:
    store = stores.open()
    steps = shipped(store)
    stores.open((*steps, Migration(len(steps) + 1, "probe", PROBE)))
    with pytest.raises(IncompatibleStore) as refused:
        stores.open()
    assert refused.value.code == "schema_too_new"
    assert f"newer than this finmesh knows ({len(steps)})" in str(refused.value)


def test_a_failing_step_changes_nothing(stores: StoreMaker) -> None:
    store = stores.open()
    steps = shipped(store)
    bad_sql = "CREATE TABLE half (x INTEGER);\nSELECT nonsense(;\n"
    broken = Migration(len(steps) + 1, "broken", bad_sql)
    with pytest.raises(Exception, match=r"(?i)syntax|incomplete"):
        stores.open((*steps, broken))
    assert version(stores.open()) == len(steps)
    missing = store._conn()
    with pytest.raises(Exception, match=r"(?i)half"):
        missing.execute("SELECT count(*) FROM half")


def test_a_database_of_someone_else_is_refused(tmp_path: Path) -> None:
    pgutil.require_pg()
    name = pgutil.create_database("foreign")
    try:
        pgutil.execute(name, "CREATE TABLE accounts (id INTEGER)")
        with pytest.raises(IncompatibleStore) as refused:
            PostgresStore(pgutil.url_for(name)).close()
        assert refused.value.code == "schema_unknown"
    finally:
        pgutil.drop_database(name)


def test_steps_are_numbered_without_gaps_and_dialect_files_win(tmp_path: Path) -> None:
    (tmp_path / "sqlite").mkdir()
    (tmp_path / "0001_base.sql").write_text("-- portable\n")
    (tmp_path / "0002_mixed.sql").write_text("-- portable\n")
    (tmp_path / "sqlite" / "0002_mixed.sql").write_text("-- sqlite only\n")
    (tmp_path / "notes.txt").write_text("not a step")
    steps = migrations.packaged("sqlite", tmp_path)
    assert [(s.version, s.name, s.sql) for s in steps] == [
        (1, "base", "-- portable\n"),
        (2, "mixed", "-- sqlite only\n"),
    ]
    (tmp_path / "0004_gap.sql").write_text("-- after a gap\n")
    with pytest.raises(ValueError, match="0003 is missing"):
        migrations.packaged("sqlite", tmp_path)


def test_serve_refuses_a_schema_it_does_not_know(network: Path) -> None:
    import sqlite3

    db = sqlite3.connect(network / "finmesh.db")
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    result = run_cli("serve", network, "--port", "1")
    assert result.returncode == 1
    assert "schema_too_new" in result.stderr and "999" in result.stderr
