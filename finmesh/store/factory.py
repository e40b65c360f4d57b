"""Which store a network uses: SQLite in its folder, or the PostgreSQL database its
config (or FINMESH_DATABASE_URL) names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmesh.domain.audit import AuditEntry, AuditHead
from finmesh.domain.errors import BadRequest
from finmesh.store.audit_head import HEAD_FILE, read_anchor
from finmesh.store.sql_store import SqlStore

if TYPE_CHECKING:
    from finmesh.config import NetworkConfig

URL_SCHEMES = ("postgresql://", "postgres://")


class BadDatabaseUrl(BadRequest):
    """A database URL finmesh cannot use."""


def check_url(url: str) -> str:
    if not url.startswith(URL_SCHEMES):
        raise BadDatabaseUrl(
            f"unsupported database URL {url!r}: give postgresql://[user@]host[:port]/dbname "
            "(without one, the network uses SQLite in its folder)"
        )
    return url


def open_store(config: NetworkConfig) -> SqlStore:
    """The network's store, migrated to this finmesh's schema (or IncompatibleStore)."""
    url = config.database_url
    if url is None:
        from finmesh.store.sqlite import SqliteStore

        return SqliteStore(config.database)
    from finmesh.store.postgres import PostgresStore

    return PostgresStore(check_url(url), anchor=config.root / HEAD_FILE)


def prepare_database(config: NetworkConfig) -> None:
    """Create the PostgreSQL database a new network names, if it does not exist yet."""
    if config.database_url is not None:
        from finmesh.store.postgres import ensure_database

        ensure_database(check_url(config.database_url))


def read_audit_trail(config: NetworkConfig) -> tuple[list[AuditEntry], AuditHead | None]:
    """The audit entries and the anchored head, read without writing anything. The head
    is read first: entries appended meanwhile are fine."""
    head = read_anchor(config.root / HEAD_FILE)
    if config.database_url is None:
        from finmesh.store.sqlite_policy import read_audit

        return read_audit(config.database), head
    from finmesh.store.postgres import read_audit_pg

    return read_audit_pg(check_url(config.database_url)), head
