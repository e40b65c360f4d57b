"""Rings between a node's worker processes (SQLite, `finmesh serve --workers N`): real
datagram sockets; two workers are played by two PeerBells in one process."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from finmesh.api.peer_bells import PeerBells, supported
from finmesh.node.delivery import Bell

pytestmark = pytest.mark.skipif(not supported(), reason="abstract sockets are Linux only")
WAIT_SECONDS = 10.0


async def _relay(root: Path, keys: set[str] | None, waiter_key: str | None) -> bool:
    loop = asyncio.get_running_loop()
    here, there = Bell(), Bell()
    here.bind(loop)
    there.bind(loop)
    one = PeerBells(root, here, pid=os.getpid())
    two = PeerBells(root, there, pid=os.getpid() + 1_000_000)
    one.start(loop)
    two.start(loop)
    try:
        event = there.current(waiter_key)
        assert event is not None
        here.ring(keys)  # rings `here`, and `there` through the socket
        try:
            await asyncio.wait_for(event.wait(), WAIT_SECONDS)
        except TimeoutError:
            return False
        return True
    finally:
        one.close()
        two.close()


def test_a_keyed_ring_reaches_the_other_worker(tmp_path: Path) -> None:
    assert asyncio.run(_relay(tmp_path, {"AAAADEFFXXX", "BBBBDEFFXXX"}, "BBBBDEFFXXX"))


def test_a_ring_of_everything_reaches_the_other_workers_unkeyed_waiters(tmp_path: Path) -> None:
    assert asyncio.run(_relay(tmp_path, None, None))


def test_a_worker_that_is_gone_is_forgotten(tmp_path: Path) -> None:
    async def run() -> list[str]:
        bell = Bell()
        bell.bind(asyncio.get_running_loop())
        peers = PeerBells(tmp_path, bell)
        peers.start(asyncio.get_running_loop())
        gone = peers.folder / str(os.getpid() + 2_000_000)  # registered, never bound
        gone.touch()
        try:
            bell.ring({"AAAADEFFXXX"})
            return sorted(p.name for p in peers.folder.iterdir())
        finally:
            peers.close()

    assert asyncio.run(run()) == [str(os.getpid())]
