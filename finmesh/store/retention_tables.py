"""Retention in the SQL stores: read the payloads due for archiving, then prune them in
one transaction with the audit entry that records the archive (queries
``sql/retention_queries.sql``; a mixin over ``_write`` / ``_conn``, see trust_tables.py).

Only payloads of messages their receiver acknowledged are pruned: nothing that may
still be delivered, held or returned loses its bytes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from finmesh.store import queries
from finmesh.store.policy_tables import append_audit
from finmesh.store.port import ArchivedPayload, AuditNote

Q = queries.load("retention_queries.sql")


class RetentionTables:
    """Mixin: archive candidates and pruning."""

    _conn: Callable[[], Any]
    _write: Callable[[], AbstractContextManager[Any]]

    def prunable(self, acked_before_ms: int, limit: int) -> list[ArchivedPayload]:
        rows = self._conn().execute(Q["prunable"], (acked_before_ms, limit)).fetchall()
        return [
            ArchivedPayload(
                message_id=int(r[0]),
                sender=str(r[1]),
                receiver=str(r[2]),
                biz_msg_id=str(r[3]),
                payload_sha256=str(r[4]),
                payload=bytes(r[5]),
                signature=bytes(r[6]),
                received_ms=int(r[7]),
                acked_ms=int(r[8]),
                translation=None if r[9] is None else bytes(r[9]),
            )
            for r in rows
        ]

    def prune_payloads(
        self, archived: Sequence[ArchivedPayload], note: AuditNote, now_ms: int
    ) -> int:
        """Empty the payloads just archived (matched by id and hash), with ``note`` in
        the audit trail, in one transaction; the number pruned."""
        pruned = 0
        with self._write() as db:
            for a in archived:
                done = db.execute(Q["prune_payload"], (b"", a.message_id, a.payload_sha256))
                pruned += done.rowcount
                db.execute(Q["prune_translation"], (a.message_id,))
            append_audit(db, note, now_ms)
        return pruned

    def pruned_count(self) -> int:
        return int(self._conn().execute(Q["pruned_count"], ()).fetchone()[0])
