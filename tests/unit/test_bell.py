"""The delivery bell: keyed rings wake only the long polls they concern; a ring of
everything (or of the notice waiters' key) wakes what it must."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from finmesh.node.delivery import NOTICE_WAITERS, Bell

T = TypeVar("T")


async def _woken(bell: Bell, key: str | None, ring: set[str] | None) -> bool:
    """Is a waiter on ``key`` woken by the ring ``ring`` (keys, or None for all)?"""
    event = bell.current(key)
    assert event is not None
    bell.ring(ring)
    await asyncio.sleep(0)  # the ring is delivered through the loop
    await asyncio.sleep(0)
    return event.is_set()


def _with_bell(check: Callable[[Bell], Awaitable[T]]) -> T:
    async def run() -> T:
        bell = Bell()
        bell.bind(asyncio.get_running_loop())
        return await check(bell)

    return asyncio.run(run())


def test_a_keyed_ring_wakes_that_key_only() -> None:
    async def check(bell: Bell) -> tuple[bool, bool]:
        other = bell.current("BBBBDEFFXXX")
        assert other is not None
        woken = await _woken(bell, "AAAADEFFXXX", {"AAAADEFFXXX"})
        return woken, other.is_set()

    assert _with_bell(check) == (True, False)


def test_a_ring_of_everything_wakes_keyed_and_unkeyed_waiters() -> None:
    async def check(bell: Bell) -> tuple[bool, bool]:
        unkeyed = bell.current()
        assert unkeyed is not None
        keyed = await _woken(bell, "AAAADEFFXXX", None)
        return keyed, unkeyed.is_set()

    assert _with_bell(check) == (True, True)


def test_an_intake_ring_does_not_wake_notice_waiters_and_an_ack_ring_wakes_them() -> None:
    async def check(bell: Bell) -> tuple[bool, bool]:
        by_intake = await _woken(bell, NOTICE_WAITERS, {"AAAADEFFXXX"})
        by_ack = await _woken(bell, NOTICE_WAITERS, {NOTICE_WAITERS})
        return by_intake, by_ack

    assert _with_bell(check) == (False, True)


def test_a_ring_is_relayed_with_its_keys() -> None:
    relayed: list[frozenset[str] | None] = []

    async def check(bell: Bell) -> None:
        bell.relay = relayed.append
        bell.ring({"AAAADEFFXXX"})
        bell.ring()

    _with_bell(check)
    assert relayed == [frozenset({"AAAADEFFXXX"}), None]
