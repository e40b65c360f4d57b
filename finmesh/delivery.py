"""Delivery: per-receiver ordered queues, acknowledgements, notices, obsolescence.

Receivers fetch by OSN, in order; what they fetched and did not acknowledge comes
again (marked possible duplicate) the next time they ask from their acknowledged
point. Long polls wait on a Bell that intake rings after every commit, with a short
re-check interval so writes by other processes on the same store are seen too.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from finmesh.domain import limits
from finmesh.domain.errors import BadRequest
from finmesh.domain.policy.evaluate import PolicySnapshot
from finmesh.pipeline import Clock
from finmesh.store.port import Cursor, Delivery, Guard, Notice, PolicyChanged, Store

T = TypeVar("T")
RECHECK_SECONDS = 0.5
OBSOLETE_SWEEP_ROWS_MAX = 1_000


class Bell:
    """Wakes async waiters when state changes; rung from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def ring(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._ring)

    def _ring(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        event = self._event
        if event is None:
            await asyncio.sleep(timeout)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class DeliveryService:
    """What a receiver and a sender can ask of their queues."""

    def __init__(
        self, store: Store, clock: Clock, bell: Bell, policy: Callable[[], PolicySnapshot]
    ) -> None:
        self.store = store
        self.clock = clock
        self.bell = bell
        self.policy = policy

    def fetch(self, receiver: str, after_osn: int | None, limit: int) -> list[Delivery]:
        """Hand out messages unless the receiver is disconnected at the instant of the
        handing out (the guard makes the check and the handing out one atomic step)."""
        limit = max(1, min(limit, limits.DELIVERY_PAGE_MAX))
        last = self.store.delivery_cursor(receiver).last
        if after_osn is not None and after_osn > last:
            raise BadRequest(f"after={after_osn} is beyond the last OSN handed out ({last})")
        for _ in range(limits.POLICY_RETRIES_MAX):
            now = self.clock()  # before the snapshot: see Intake.submit
            snapshot = self.policy()
            if snapshot.disconnected(receiver[:8], now) is not None:
                return []
            guard = Guard(snapshot.version, snapshot.next_change_after(now), self.clock)
            try:
                return self.store.fetch_deliveries(receiver, after_osn, limit, now, guard)
            except PolicyChanged:
                continue
        return []

    def acknowledge(self, receiver: str, up_to_osn: int) -> Cursor:
        cursor = self.store.acknowledge(receiver, up_to_osn, self.clock())
        self.bell.ring()
        return cursor

    def notices(self, owner: str, after_seq: int | None, limit: int) -> list[Notice]:
        limit = max(1, min(limit, limits.DELIVERY_PAGE_MAX))
        return self.store.fetch_notices(owner, after_seq, limit)

    def acknowledge_notices(self, owner: str, up_to_seq: int) -> Cursor:
        return self.store.acknowledge_notices(owner, up_to_seq)

    def sweep_obsolete(self) -> int:
        """Warn senders of messages undelivered past their obsolescence period."""
        warned = self.store.warn_obsolete(self.clock(), OBSOLETE_SWEEP_ROWS_MAX)
        if warned:
            self.bell.ring()
        return warned


async def long_poll(
    fetch: Callable[[], Awaitable[Sequence[T]]], bell: Bell, wait_seconds: float
) -> Sequence[T]:
    """Return what ``fetch`` finds, waiting up to ``wait_seconds`` for something."""
    deadline = time.monotonic() + max(0.0, min(wait_seconds, limits.WAIT_SECONDS_MAX))
    while True:
        found = await fetch()
        remaining = deadline - time.monotonic()
        if found or remaining <= 0:
            return found
        await bell.wait(min(RECHECK_SECONDS, remaining))
