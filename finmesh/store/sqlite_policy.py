"""Reading a SQLite network's audit trail offline, and the names older code imported
from here (the policy tables now live in finmesh.store.policy_tables, shared by the
SQLite and PostgreSQL stores)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from finmesh.domain.audit import AuditEntry
from finmesh.domain.errors import FinmeshError, NotFound
from finmesh.store import queries
from finmesh.store.policy_tables import (
    POLICY_VERSION,
    USAGE_VERSION,
    PolicyTables,
    append_audit,
    audit_entry,
    bump_usage,
    bump_version,
    check_guard,
    next_seq,
    notice,
    policy_version,
    take_appended,
    traffic_record,
)

__all__ = [
    "POLICY_VERSION",
    "USAGE_VERSION",
    "PolicyTables",
    "append_audit",
    "bump_usage",
    "bump_version",
    "check_guard",
    "next_seq",
    "notice",
    "policy_version",
    "read_audit",
    "take_appended",
    "traffic_record",
]

Q = queries.load("queries.sql")


def read_audit(database: Path) -> list[AuditEntry]:
    """The audit entries of a database opened read-only (no schema, no writes)."""
    if not database.is_file():
        raise NotFound(f"no database at {database}")
    db = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [audit_entry(r) for r in db.execute(Q["audit_entries"]).fetchall()]
    except sqlite3.Error as exc:
        raise FinmeshError(f"cannot read the audit trail of {database}: {exc}") from exc
    finally:
        db.close()
