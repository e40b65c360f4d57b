"""Restarting a node with --workers 2: it stops within SHUTDOWN_SECONDS (+ margin) even
with long polls open (they once held a stop for 13 s), starts on forked workers, and a
worker that dies is replaced while the other serves. Issue 15 point 4."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from finmesh.api.server import SHUTDOWN_SECONDS
from finmesh.client import Client
from finmesh.node.launcher import NodeProcess
from tests.netutil import participants

STOP_SECONDS_MAX = SHUTDOWN_SECONDS + 1.0
START_SECONDS_MAX = 5.0
"""Generous: start to ready measured 0.7-1.3 s at load 3, up to 2.7 s at load 5 (README)."""


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in found]


def test_stop_with_long_polls_open_and_start_again(network: Path) -> None:
    node = NodeProcess(network, workers=2).start()
    receiver = Client.from_profile(participants(network)[1], node.url)
    polls = [
        threading.Thread(
            target=lambda: _ignore(lambda: receiver.request("GET", "/v1/deliveries", {"wait": 30}))
        )
        for _ in range(4)
    ]
    for poll in polls:
        poll.start()
    time.sleep(0.5)
    started = time.monotonic()
    node.stop()
    assert time.monotonic() - started < STOP_SECONDS_MAX
    started = time.monotonic()
    node.start()
    try:
        assert httpx.get(f"{node.url}/v1/ready").status_code == 200
        assert time.monotonic() - started < START_SECONDS_MAX
    finally:
        node.stop()
        receiver.close()
        for poll in polls:
            poll.join(35)


def test_a_dead_worker_is_replaced(network: Path) -> None:
    node = NodeProcess(network, workers=2).start()
    try:
        workers = _children(node.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        # the other worker serves meanwhile; the parent forks a replacement
        assert httpx.get(f"{node.url}/v1/health").status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = _children(node.pid)
            if len(now) == 2 and workers[0] not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2 and workers[0] not in now
        for _ in range(10):
            assert httpx.get(f"{node.url}/v1/ready").status_code == 200
    finally:
        node.stop()
    assert not any(Path(f"/proc/{pid}").exists() for pid in now)


def _ignore(call: object) -> None:
    try:
        call()  # type: ignore[operator]
    except Exception:  # the node going away under a long poll is the point
        return
