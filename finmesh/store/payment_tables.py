"""The store's payment tracking table (migration ``0006_payment_events.sql``, queries
``sql/payment_queries.sql``): one event per stored message that is a step of a
payment's flow, written inside the batch transaction that stores the message, so a
payment's history never misses a message the network ACKed. A mixin over
``self._conn()`` (see trust_tables.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from finmesh.store import queries
from finmesh.store.port import AlreadyStored, NewMessage, PaymentEvent, StoreOutcome

Q = queries.load("payment_queries.sql")


class PaymentTables:
    """Mixin: reading payment histories."""

    _conn: Callable[[], Any]

    def payment_events(self, uetr: str) -> list[PaymentEvent]:
        rows = self._conn().execute(Q["events_of"], (uetr,)).fetchall()
        return [_event(r) for r in rows]

    def credit_times(self, since_ms: int) -> list[tuple[str, int, int | None]]:
        """(UETR, first payment event ms, first ACCC ms or None) of each payment whose
        events since ``since_ms`` include a payment, cover or status report."""
        rows = self._conn().execute(Q["credit_times"], (since_ms,)).fetchall()
        return [(str(r[0]), int(r[1]), None if r[2] is None else int(r[2])) for r in rows]


def store_events(
    db: Any, messages: Sequence[NewMessage], outcomes: Sequence[StoreOutcome]
) -> None:
    """Inside the batch's write transaction: the tracking event of each message stored
    now (a repeat of a stored message adds none)."""
    rows = [
        (m.uetr, m.received_ms, m.sender, m.receiver, m.msg_def_id, m.biz_msg_id,
         m.tracking.step, m.tracking.status, m.tracking.reason, m.amount, m.currency,
         m.tracking.references_json)
        for m, outcome in zip(messages, outcomes, strict=True)
        if m.tracking is not None and m.uetr and not isinstance(outcome, AlreadyStored)
    ]  # fmt: skip
    if rows:
        db.executemany(Q["insert_event"], rows)


def _event(r: Sequence[Any]) -> PaymentEvent:
    return PaymentEvent(
        uetr=str(r[0]),
        at_ms=int(r[1]),
        sender=str(r[2]),
        receiver=str(r[3]),
        msg_def_id=str(r[4]),
        biz_msg_id=str(r[5]),
        step=str(r[6]),
        status=str(r[7]),
        reason=None if r[8] is None else str(r[8]),
        amount=None if r[9] is None else str(r[9]),
        currency=None if r[10] is None else str(r[10]),
        references=tuple((str(k), str(v)) for k, v in json.loads(str(r[11]))),
    )
