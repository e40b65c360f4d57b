"""The store's schema registry table: official XSDs registered by the network's operator
(migration ``0004_schemas.sql``, queries ``sql/schema_queries.sql``). A mixin over
``self._write()`` and ``self._conn()`` (see trust_tables.py).

Registering is one transaction with its audit entry. A definition keeps the schema it
was first registered with: the same bytes again change nothing, other bytes are
refused (its official XSD does not change, and messages already accepted were
validated against the first)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from finmesh.store import queries
from finmesh.store.policy_tables import append_audit
from finmesh.store.port import AuditNote, RegisteredSchema, SchemaConflict

Q = queries.load("schema_queries.sql")


class SchemaTables:
    """Mixin: the registered schemas over ``_write`` / ``_conn``."""

    _conn: Callable[[], Any]
    _write: Callable[[], AbstractContextManager[Any]]

    def schema_xsd(self, definition: str) -> tuple[str, bytes] | None:
        """(sha256, XSD bytes) of the schema registered for ``definition``, if any."""
        row = self._conn().execute(Q["get_schema"], (definition,)).fetchone()
        return None if row is None else (str(row[1]), str(row[2]).encode("utf-8"))

    def schemas(self) -> list[RegisteredSchema]:
        rows = self._conn().execute(Q["all_schemas"], ()).fetchall()
        return [
            RegisteredSchema(str(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4])) for r in rows
        ]

    def schema_add(
        self, definition: str, sha256: str, xsd: bytes, actor: str, now_ms: int
    ) -> bool:
        """Register ``xsd`` for ``definition``; True if added, False if the same bytes
        were registered already. SchemaConflict if other bytes were."""
        text = xsd.decode("utf-8")
        with self._write() as db:
            row = db.execute(Q["get_schema"], (definition,)).fetchone()
            if row is not None:
                if str(row[1]) == sha256:
                    return False
                raise SchemaConflict(
                    f"{definition} is registered already with another schema "
                    f"(sha256 {str(row[1])[:16]}...); a definition keeps its first schema"
                )
            db.execute(Q["insert_schema"], (definition, sha256, text, now_ms, actor))
            details = {"sha256": sha256, "bytes": len(xsd)}
            append_audit(db, AuditNote(actor, "schema.add", definition, details), now_ms)
        return True
