"""Payment tracking, gpi-style: who may see a payment's history, what its status is, and
the network's time-to-credit statistics. Pure: events come in as values.

A payment is the set of messages carrying one UETR (finmesh.domain.iso20022.tracking
reads each message's step). The institutions in its chain are the senders and
receivers of those messages; they and the network's operators see the history, nobody
else (to anyone else the payment does not exist).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

UETR_FORMAT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
CREDIT_TARGET_MS = 5 * 60 * 1000
"""The gpi yardstick: about half of gpi payments are credited within 5 minutes."""
CREDITED = "ACCC"


def chain(hops: Iterable[tuple[str, str]]) -> list[str]:
    """The institutions (BIC11) of (sender, receiver) hops, in order of appearance."""
    seen: dict[str, None] = {}
    for sender, receiver in hops:
        seen.setdefault(sender, None)
        seen.setdefault(receiver, None)
    return list(seen)


def visible_to(viewer_bic11: str, hops: Iterable[tuple[str, str]]) -> bool:
    return viewer_bic11 in chain(hops)


def current_status(statuses: Sequence[str]) -> str | None:
    """The status of the latest step; once credited (ACCC) a payment stays credited
    unless a later return or recall undoes it."""
    latest: str | None = None
    for status in statuses:
        if latest == CREDITED and status not in ("returned", "recalled"):
            continue
        latest = status
    return latest


@dataclass(frozen=True)
class CreditStatistics:
    payments: int
    """Payments with a payment, cover or status event in the window."""
    credited: int
    """Of those, the ones with an ACCC status report."""
    median_ms: int | None
    p90_ms: int | None
    within_target: int
    """Credited within CREDIT_TARGET_MS of their first payment message."""

    @property
    def share_within_target(self) -> float | None:
        return None if not self.payments else self.within_target / self.payments


def credit_statistics(times: Iterable[tuple[int, int | None]]) -> CreditStatistics:
    """(first payment message ms, first ACCC ms or None) per payment -> the figures."""
    payments = 0
    durations: list[int] = []
    for started, credited in times:
        payments += 1
        if credited is not None:
            durations.append(max(0, credited - started))
    durations.sort()
    within = sum(1 for d in durations if d <= CREDIT_TARGET_MS)
    return CreditStatistics(
        payments=payments,
        credited=len(durations),
        median_ms=_quantile(durations, 0.5),
        p90_ms=_quantile(durations, 0.9),
        within_target=within,
    )


def _quantile(ordered: Sequence[int], q: float) -> int | None:
    """Nearest-rank quantile of sorted values."""
    if not ordered:
        return None
    rank = max(1, -(-int(q * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]
