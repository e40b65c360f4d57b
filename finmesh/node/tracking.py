"""Payment tracking service: a payment's history for the institutions in its chain and
for operators, and the network's time-to-credit statistics (events are written by
the store with each message, see finmesh.store.payment_tables)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from finmesh.domain import tracking
from finmesh.domain.errors import BadRequest, NotFound
from finmesh.node.clock import Clock
from finmesh.store.port import PaymentEvent, Store

DAY_MS = 86_400_000


class Tracking:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def history(self, uetr: str, viewer: str | None) -> dict[str, Any]:
        """The history of ``uetr`` as ``viewer`` (a BIC11) may see it; ``viewer`` None
        is an operator. NotFound alike for an unknown payment and one outside the
        viewer's chain, so the answer tells nothing about other institutions' payments."""
        if not tracking.UETR_FORMAT.match(uetr):
            raise BadRequest(f"not a UETR (lowercase UUID version 4): {uetr[:60]!r}")
        events = self.store.payment_events(uetr)
        hops = [(e.sender, e.receiver) for e in events]
        if not events or (viewer is not None and not tracking.visible_to(viewer, hops)):
            raise NotFound(f"no payment with UETR {uetr} is visible to {viewer or 'operators'}")
        started = next((e.at_ms for e in events if e.step in ("payment", "cover")), None)
        credited = next((e.at_ms for e in events if e.status == tracking.CREDITED), None)
        return {
            "uetr": uetr,
            "status": tracking.current_status([e.status for e in events]),
            "institutions": tracking.chain(hops),
            "credited_at": None if credited is None else _iso(credited),
            "time_to_credit_ms": (
                None if credited is None or started is None else max(0, credited - started)
            ),
            "events": [_event(e) for e in events],
        }

    def statistics(self, days: float) -> dict[str, Any]:
        """Time to credit of the payments seen in the last ``days`` days."""
        if not 0 < days <= 366:
            raise BadRequest(f"days must be in (0, 366], not {days}")
        since = self.clock() - int(days * DAY_MS)
        times = [(first, accc) for _, first, accc in self.store.credit_times(since)]
        stats = tracking.credit_statistics(times)
        return {
            "since": _iso(since),
            "payments": stats.payments,
            "credited": stats.credited,
            "median_time_to_credit_ms": stats.median_ms,
            "p90_time_to_credit_ms": stats.p90_ms,
            "credited_within_5_minutes": stats.within_target,
            "share_credited_within_5_minutes": stats.share_within_target,
        }


def _event(e: PaymentEvent) -> dict[str, Any]:
    return {
        "at": _iso(e.at_ms),
        "from": e.sender,
        "to": e.receiver,
        "message": e.msg_def_id,
        "biz_msg_id": e.biz_msg_id,
        "step": e.step,
        "status": e.status,
        "reason": e.reason,
        "amount": e.amount,
        "currency": e.currency,
        "references": dict(e.references),
    }


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")
