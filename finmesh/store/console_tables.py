"""The store's reads for the operator console: a message's life, traffic per minute,
queue depths, directory search. A mixin over ``self._conn()`` (reads only), like the
other table mixins; the one write is the nonce that ends a console session, in the
nonces table request authentication already uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from finmesh.store import queries

C = queries.load("console_queries.sql")
LOOKUP_LIMIT = 50


@dataclass(frozen=True)
class MessageRow:
    """A stored message's header facts (the payload is read apart)."""

    id: int
    sender: str
    receiver: str
    biz_msg_id: str
    msg_def_id: str
    uetr: str | None
    amount: str | None
    currency: str | None
    priority: str
    received_ms: int
    measure_id: str | None
    licence_id: str | None


@dataclass(frozen=True)
class QueueRow:
    receiver: str
    seq: int
    state: str
    osn: int | None
    delivered_count: int
    first_sent_ms: int | None
    acked_ms: int | None
    warned_ms: int | None
    obsolete_ms: int


@dataclass(frozen=True)
class NoticeRow:
    owner: str
    seq: int
    kind: str
    reason: str | None
    detail: str | None
    measure_id: str | None
    created_ms: int


@dataclass(frozen=True)
class MessageLife:
    """Everything stored about one message, in the order it happened."""

    message: MessageRow
    queue: QueueRow | None
    notices: tuple[NoticeRow, ...]
    hold_id: int | None


def _message(row: Sequence[Any]) -> MessageRow:
    return MessageRow(
        id=int(row[0]),
        sender=row[1],
        receiver=row[2],
        biz_msg_id=row[3],
        msg_def_id=row[4],
        uetr=row[5],
        amount=row[6],
        currency=row[7],
        priority=row[8],
        received_ms=int(row[9]),
        measure_id=row[10],
        licence_id=row[11],
    )


class ConsoleTables:
    """Mixin: the console's reads over ``_conn`` (see the module docstring)."""

    _conn: Callable[[], Any]

    def nonce_seen(self, subject: str, nonce: str) -> bool:
        return self._conn().execute(C["nonce_seen"], (subject, nonce)).fetchone() is not None

    def find_messages(self, field: str, value: str) -> list[MessageRow]:
        """Messages whose ``field`` ("uetr", "biz_msg_id" or "osn") is ``value``."""
        if field not in ("uetr", "biz_msg_id", "osn"):
            raise ValueError(f"unknown lookup field {field!r}")
        param: object = int(value) if field == "osn" else value
        rows = self._conn().execute(C[f"messages_by_{field}"], (param,)).fetchall()
        return [_message(r) for r in rows]

    def message_by_id(self, message_id: int) -> MessageRow | None:
        row = self._conn().execute(C["message_by_id"], (message_id,)).fetchone()
        return None if row is None else _message(row)

    def message_by_sender(self, sender: str, biz_msg_id: str) -> MessageRow | None:
        row = self._conn().execute(C["message_by_sender_biz"], (sender, biz_msg_id)).fetchone()
        return None if row is None else _message(row)

    def message_payload(self, message_id: int) -> tuple[bytes, bytes | None] | None:
        """The bytes as signed and, for a FIN message, its ISO 20022 translation."""
        row = self._conn().execute(C["message_payload"], (message_id,)).fetchone()
        if row is None:
            return None
        return bytes(row[0]), None if row[1] is None else bytes(row[1])

    def message_life(self, message_id: int) -> MessageLife | None:
        db = self._conn()
        row = db.execute(C["message_by_id"], (message_id,)).fetchone()
        if row is None:
            return None
        queue = db.execute(C["message_queue_row"], (message_id,)).fetchone()
        notices = db.execute(C["message_notices"], (message_id,)).fetchall()
        hold = db.execute(C["message_hold"], (message_id,)).fetchone()
        return MessageLife(
            _message(row),
            None if queue is None else QueueRow(*queue),
            tuple(NoticeRow(*n) for n in notices),
            None if hold is None else int(hold[0]),
        )

    def traffic_per_minute(self, since_ms: int) -> dict[str, dict[int, int]]:
        """Counts per minute (unix ms // 60000) since ``since_ms``: received, delivered
        (first handed out), acked, and the returned / rejected / non-delivery notices."""
        db = self._conn()
        series: dict[str, dict[int, int]] = {}
        for name in ("received", "delivered", "acked"):
            rows = db.execute(C[f"{name}_per_minute"], (since_ms,)).fetchall()
            series[name] = {int(m): int(n) for m, n in rows}
        for kind, minute, count in db.execute(C["notices_per_minute"], (since_ms,)).fetchall():
            series.setdefault(str(kind), {})[int(minute)] = int(count)
        return series

    def queue_depths(self, limit: int) -> list[tuple[str, int]]:
        rows = self._conn().execute(C["queue_depths"], (limit,)).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def oldest_undelivered(self) -> tuple[int, str, str, str, int] | None:
        row = self._conn().execute(C["oldest_undelivered"], ()).fetchone()
        return None if row is None else (int(row[0]), row[1], row[2], row[3], int(row[4]))

    def last_activity(self) -> dict[str, int]:
        """Per receiver BIC11: the last instant it was handed or acked a message."""
        found: dict[str, int] = {}
        for receiver, sent, acked in self._conn().execute(C["last_activity"], ()).fetchall():
            latest = max(int(sent or 0), int(acked or 0))
            if latest:
                found[str(receiver)] = latest
        return found

    def search_institutions(
        self, text: str, country: str, limit: int
    ) -> list[tuple[str, str, str, str | None]]:
        pattern = f"%{text}%"
        rows = self._conn().execute(
            C["search_institutions"],
            (pattern.upper(), pattern.lower(), country, country, limit),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def recent_traffic(self, bic8: str, limit: int) -> list[MessageRow]:
        pattern = f"{bic8}%"
        rows = self._conn().execute(C["recent_traffic"], (pattern, pattern, limit)).fetchall()
        return [_message(r) for r in rows]
