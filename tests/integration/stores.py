"""Both store implementations for the conformance and migration tests: a SQLite file,
or a fresh PostgreSQL database cloned from one migrated template per test run."""

from __future__ import annotations

import atexit
import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from finmesh.domain.bic import Bic
from finmesh.domain.directory import Institution
from finmesh.store.migrations import Migration
from finmesh.store.port import NewMessage
from finmesh.store.postgres import PostgresStore
from finmesh.store.sql_store import SqlStore
from finmesh.store.sqlite import SqliteStore
from tests import pgutil

KINDS = ("sqlite", "postgres")
A, B, C = "AAAADEFFXXX", "BBBBFRPPXXX", "CCCCNL2AXXX"

_template: list[str] = []


def migrated_template() -> str:
    """A database with the current schema, made once per test process."""
    if not _template:
        name = pgutil.create_database("tpl")
        PostgresStore(pgutil.url_for(name)).close()
        _template.append(name)
        atexit.register(drop_template)  # whichever test module made it
    return _template[0]


def drop_template() -> None:
    while _template:
        pgutil.drop_database(_template.pop())


class StoreMaker:
    """Opens stores of one kind on one database (several = several nodes) and cleans up."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.opened: list[SqlStore] = []
        self.database: str | None = None
        if kind == "postgres":
            pgutil.require_pg()
            self.database = pgutil.create_database("store", template=migrated_template())

    @property
    def url(self) -> str:
        assert self.database is not None
        return pgutil.url_for(self.database)

    def open(self, steps: Sequence[Migration] | None = None) -> SqlStore:
        store: SqlStore
        if self.kind == "sqlite":
            store = SqliteStore(self.tmp_path / "t.db", steps)
        else:
            store = PostgresStore(self.url, self.tmp_path / "audit.head", steps)
        self.opened.append(store)
        return store

    def close(self) -> None:
        for store in self.opened:
            store.close()
        if self.database is not None:
            pgutil.drop_database(self.database)


@contextlib.contextmanager
def maker(kind: str, tmp_path: Path) -> Iterator[StoreMaker]:
    made = StoreMaker(kind, tmp_path)
    try:
        yield made
    finally:
        made.close()


def seed(store: SqlStore) -> SqlStore:
    """Three institutions, all participants."""
    store.load_directory(
        [Institution(Bic.parse(b), f"Bank {b}", b[4:6], None, True) for b in (A, B, C)], []
    )
    for bic in (A, B, C):
        store.add_participant(bic, f"CERT {bic}".encode(), "01", 0)
    return store


def msg(
    sender: str,
    receiver: str,
    ident: str,
    *,
    body: bytes = b"x",
    notify: bool = False,
    now: int = 1_000,
    obsolete: int = 10_000,
    held_by: str | None = None,
) -> NewMessage:
    return NewMessage(
        sender=sender,
        receiver=receiver,
        biz_msg_id=ident,
        payload_sha256=body.hex(),
        payload=body,
        signature=b"sig",
        msg_def_id="pacs.008.001.08",
        uetr=None,
        amount="1.00",
        currency="EUR",
        priority="NORMAL",
        notify_delivery=notify,
        parties_json="[]",
        purposes_json="[]",
        received_ms=now,
        obsolete_ms=obsolete,
        held_by=held_by,
    )
