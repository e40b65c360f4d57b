"""The delivery side of the SQL stores: per-receiver queues, OSNs, acknowledgements,
obsolescence warnings and notices (a mixin of finmesh.store.sql_store.SqlStore)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from finmesh.domain.reasons import Reason
from finmesh.store import queries
from finmesh.store.handle import Handle
from finmesh.store.policy_tables import check_guard, notice
from finmesh.store.port import Cursor, Delivery, Guard, Notice, QueueStat

Q = queries.load("queries.sql")
DIALECT_Q = {d: queries.for_dialect("queries.sql", d) for d in ("sqlite", "postgres")}


class DeliveryTables:
    """Mixin for the SQL stores; relies on their _conn and _write."""

    _conn: Callable[[], Handle]
    _write: Callable[[], AbstractContextManager[Handle]]
    dialect: ClassVar[str]

    def fetch_deliveries(
        self,
        receiver: str,
        after_osn: int | None,
        limit: int,
        now_ms: int,
        guard: Guard | None = None,
        ack_up_to: int | None = None,
    ) -> list[Delivery]:
        """Unacknowledged messages after ``after_osn`` (default: the acked point), then
        queued ones never handed out, which get the next OSNs here, in queue order.
        ``ack_up_to``: first acknowledge up to that OSN, in the same transaction (a
        receiver's ack rides on its next fetch: one request and one commit, not two)."""
        cursor = self.delivery_cursor(receiver)
        after = cursor.acked if after_osn is None else after_osn
        acking = ack_up_to is not None and ack_up_to > cursor.acked
        # a cheap look first: a poll that finds nothing to do takes no writer lock
        if not acking and not self._conn().execute(Q["has_pending"], (receiver, after)).fetchone():
            return []
        with self._write() as db:
            if guard is not None:
                check_guard(db, guard)
            if acking and ack_up_to is not None:
                acked = _acknowledge(db, receiver, ack_up_to, now_ms).acked
                after = acked if after_osn is None else after_osn
            rows = db.execute(Q["pending_deliveries"], (receiver, after, limit)).fetchall()
            if len(rows) < limit:
                rows += _assign_osns(db, receiver, limit - len(rows), DIALECT_Q[self.dialect])
            if rows:
                db.execute(Q["mark_sent"], (now_ms, receiver, rows[0][1], rows[-1][1]))
        return [_delivery(r) for r in rows]

    def delivery_cursor(self, receiver: str) -> Cursor:
        return _cursor(self._conn(), receiver, "osn")

    def queue_stats(self) -> list[QueueStat]:
        rows = self._conn().execute(Q["queue_stats"], ()).fetchall()
        return [QueueStat(str(r[0]), int(r[1]), int(r[2])) for r in rows]

    def acknowledge(self, receiver: str, up_to_osn: int, now_ms: int) -> Cursor:
        with self._write() as db:
            return _acknowledge(db, receiver, up_to_osn, now_ms)

    def warn_obsolete(self, now_ms: int, limit: int) -> int:
        # a cheap look first: most sweeps find nothing and need no writer lock
        if not self._conn().execute(Q["obsolete_unwarned"], (now_ms, 1)).fetchone():
            return 0
        with self._write() as db:
            rows = db.execute(Q["obsolete_unwarned"], (now_ms, limit)).fetchall()
            for receiver, seq, message_id, sender in rows:
                reason = Reason.OBSOLETE
                notice(db, sender, "non-delivery", message_id, reason.code, reason.text, now_ms)
                db.execute(Q["mark_warned"], (now_ms, receiver, seq))
        return len(rows)

    def fetch_notices(self, owner: str, after_seq: int | None, limit: int) -> list[Notice]:
        db = self._conn()
        after = _cursor(db, owner, "notice").acked if after_seq is None else after_seq
        rows = db.execute(Q["notices_after"], (owner, after, limit)).fetchall()
        return [
            Notice(
                seq=r[0],
                kind=r[1],
                biz_msg_id=r[2],
                uetr=r[3],
                receiver=r[4],
                reason=r[5],
                detail=r[6],
                created_ms=r[7],
                measure_id=r[8],
            )
            for r in rows
        ]

    def acknowledge_notices(self, owner: str, up_to_seq: int) -> Cursor:
        with self._write() as db:
            cursor = _cursor(db, owner, "notice")
            upto = min(up_to_seq, cursor.last)
            if upto > cursor.acked:
                db.execute(Q["set_acked"], (upto, owner, "notice"))
                return Cursor(last=cursor.last, acked=upto)
            return cursor


def _acknowledge(db: Handle, receiver: str, up_to_osn: int, now_ms: int) -> Cursor:
    cursor = _cursor(db, receiver, "osn")
    # Only what was actually handed out can be acknowledged.
    upto = int(db.execute(Q["highest_sent"], (receiver, up_to_osn)).fetchone()[0])
    if upto <= cursor.acked:
        return cursor
    notify = db.execute(Q["to_notify_delivered"], (receiver, cursor.acked, upto)).fetchall()
    for message_id, sender in notify:
        notice(db, sender, "delivered", message_id, None, None, now_ms)
    db.execute(Q["mark_acked"], (now_ms, receiver, cursor.acked, upto))
    db.execute(Q["set_acked"], (upto, receiver, "osn"))
    return Cursor(last=cursor.last, acked=upto)


def _assign_osns(db: Handle, receiver: str, limit: int, q: dict[str, str]) -> list[Any]:
    """The next OSNs, in queue order, to queued messages never handed out. Under the
    writer lock nobody else moves the receiver's OSN cursor, so the numbers are taken
    at once and the updates sent together (one pipeline on PostgreSQL)."""
    rows = db.execute(q["unassigned_deliveries"], (receiver, limit)).fetchall()
    if not rows:
        return []
    last = _cursor(db, receiver, "osn").last
    assigned = [(row[0], last + n, *row[2:]) for n, row in enumerate(rows, 1)]
    db.executemany(Q["assign_osn"], [(a[1], receiver, a[0]) for a in assigned])
    db.execute(Q["advance_cursor"], (receiver, "osn", last + len(rows)))
    return assigned


def _cursor(db: Handle, owner: str, kind: str) -> Cursor:
    row = db.execute(Q["cursor"], (owner, kind)).fetchone()
    return Cursor(last=row[0], acked=row[1]) if row else Cursor(last=0, acked=0)


def _delivery(r: Any) -> Delivery:
    return Delivery(
        osn=r[1],
        possible_duplicate=r[2] > 0,
        sender=r[3],
        receiver=r[4],
        msg_def_id=r[5],
        biz_msg_id=r[6],
        uetr=r[7],
        payload=bytes(r[8]),
        signature=bytes(r[9]),
        sender_cert_pem=bytes(r[10]),
        translation=None if r[11] is None else bytes(r[11]),
        received_ms=int(r[12]),
    )
