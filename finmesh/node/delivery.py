"""Delivery: per-receiver ordered queues, acknowledgements, notices, obsolescence.

Receivers fetch by OSN, in order; what they fetched and did not acknowledge comes
again (marked possible duplicate) the next time they ask from their acknowledged
point. Long polls wait on a Bell that intake rings after every commit. On SQLite they
also look again at a short interval, so writes by other worker processes on the same
file are seen; on PostgreSQL the store's change notifications ring the Bell for the
commits of every node, and nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from finmesh.domain import limits
from finmesh.domain.errors import BadRequest
from finmesh.domain.policy.evaluate import PolicySnapshot
from finmesh.node.clock import Clock
from finmesh.store.port import Cursor, Delivery, Guard, Notice, PolicyChanged, Store

T = TypeVar("T")
RECHECK_SECONDS = 0.5
OBSOLETE_SWEEP_ROWS_MAX = 1_000
NOTICE_WAITERS = "notices"
"""The bell key notice long polls wait on (never a BIC11): an acknowledgement may make
delivery notices for any sender, but never new deliveries for another receiver."""


class Bell:
    """Wakes async waiters when state changes; rung from any thread."""

    def __init__(self, recheck_seconds: float | None = RECHECK_SECONDS) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._keyed: dict[str, asyncio.Event] = {}
        self.recheck_seconds = recheck_seconds
        """How long a long poll waits for a ring before it looks again anyway; None:
        only when rung (every change that matters rings it)."""
        self.relay: Callable[[frozenset[str] | None], None] | None = None
        """Also rings the bells of this node's other worker processes, if set."""

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def ring(self, keys: Iterable[str] | None = None) -> None:
        """Wake the waiters of ``keys`` (receivers with new messages), or all of them.

        Keyed rings matter at scale: with a thousand receivers waiting, a commit wakes
        the few it concerns instead of all of them."""
        chosen = None if keys is None else frozenset(keys)
        self.ring_here(chosen)
        if self.relay is not None:
            self.relay(chosen)

    def ring_here(self, keys: frozenset[str] | None = None) -> None:
        """Ring in this process only (what a relayed ring does)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._ring, keys)

    def _ring(self, keys: frozenset[str] | None) -> None:
        if keys is None:
            if self._event is not None:
                self._event.set()
                self._event = asyncio.Event()
            for event in self._keyed.values():
                event.set()
            self._keyed.clear()
            return
        for key in keys:
            waiting = self._keyed.pop(key, None)
            if waiting is not None:
                waiting.set()

    def current(self, key: str | None = None) -> asyncio.Event | None:
        """The event the next ring sets: take it before looking, then wait on it, and a
        ring that comes while looking is not missed. With ``key``, the event only a
        ring of that key (or of everything) sets. Call it on the event loop."""
        if key is None or self._event is None:
            return self._event
        event = self._keyed.get(key)
        if event is None:
            event = self._keyed[key] = asyncio.Event()
        return event

    async def wait(self, timeout: float, since: asyncio.Event | None = None) -> None:
        event = self._event if since is None else since
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

    def fetch(
        self, receiver: str, after_osn: int | None, limit: int, ack_up_to: int | None = None
    ) -> list[Delivery]:
        """Hand out messages unless the receiver is disconnected at the instant of the
        handing out (the guard makes the check and the handing out one atomic step);
        with ``ack_up_to``, acknowledge up to that OSN first, in the same commit."""
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
                found = self.store.fetch_deliveries(
                    receiver, after_osn, limit, now, guard, ack_up_to
                )
            except PolicyChanged:
                continue
            if ack_up_to is not None:
                self.bell.ring({NOTICE_WAITERS})
            return found
        return []

    def acknowledge(self, receiver: str, up_to_osn: int) -> Cursor:
        cursor = self.store.acknowledge(receiver, up_to_osn, self.clock())
        self.bell.ring({NOTICE_WAITERS})
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
    fetch: Callable[[], Awaitable[Sequence[T]]],
    bell: Bell,
    wait_seconds: float,
    key: str | None = None,
) -> Sequence[T]:
    """Return what ``fetch`` finds, waiting up to ``wait_seconds`` for something (for a
    ring of ``key``, or of everything)."""
    deadline = time.monotonic() + max(0.0, min(wait_seconds, limits.WAIT_SECONDS_MAX))
    while True:
        since = bell.current(key)
        found = await fetch()
        remaining = deadline - time.monotonic()
        if found or remaining <= 0:
            return found
        recheck = bell.recheck_seconds
        await bell.wait(remaining if recheck is None else min(recheck, remaining), since)
