"""Rings between the worker processes of one node on SQLite (``serve --workers N``).

A message stored by one worker must wake a receiver whose long poll waits in another.
Without this, that poll would only look again after ``Bell.recheck_seconds`` (0.5 s).
Each worker binds a datagram socket in Linux's abstract namespace, named after the
network folder and its pid, and registers its pid as an empty file in
``<network>/run/bells/``. A ring sends the rung keys (receiver BIC11s, one per line,
or ``*`` for everyone) to every registered peer. A lost datagram costs only latency:
the recheck still finds the message. On PostgreSQL the store's notifications do this
job for every node, and on other systems than Linux the recheck alone does it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path

from finmesh.node.delivery import Bell

RUN_FOLDER = "run/bells"
PEERS_REFRESH_SECONDS = 1.0
"""How stale the list of peers may be (a worker that just started misses rings that long)."""
DATAGRAM_BYTES_MAX = 32_768
"""Above this a ring is sent as ``*`` (everyone) instead of naming its receivers."""
EVERYONE = b"*"

log = logging.getLogger("finmesh.api")


def supported() -> bool:
    return sys.platform.startswith("linux")


class PeerBells:
    """This worker's socket, and the way to ring the other workers of the same node."""

    def __init__(self, root: Path, bell: Bell, pid: int | None = None) -> None:
        self.bell = bell
        self.folder = root / RUN_FOLDER
        digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
        self.prefix = f"\0finmesh-bell-{digest}-".encode()
        self.pid = os.getpid() if pid is None else pid
        """Names this worker among its peers (tests run two in one process)."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.prefix + str(self.pid).encode())
        self.sock.setblocking(False)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / str(self.pid)).touch()
        self._peers: tuple[int, ...] = ()
        self._peers_at = 0.0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        loop.add_reader(self.sock.fileno(), self._receive)
        self.bell.relay = self.send

    def close(self) -> None:
        self.bell.relay = None
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.sock.fileno())
        with contextlib.suppress(OSError):
            (self.folder / str(self.pid)).unlink()
        self.sock.close()

    def _receive(self) -> None:
        while True:
            try:
                data = self.sock.recv(DATAGRAM_BYTES_MAX + 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            keys = None if data == EVERYONE else frozenset(data.decode().split("\n"))
            self.bell.ring_here(keys)

    def send(self, keys: frozenset[str] | None) -> None:
        """Ring every other worker (from any thread); never blocks, never raises."""
        peers = self._current_peers()
        if not peers:
            return
        data = EVERYONE if keys is None else "\n".join(sorted(keys)).encode()
        if len(data) > DATAGRAM_BYTES_MAX:
            data = EVERYONE
        for pid in peers:
            try:
                self.sock.sendto(data, self.prefix + str(pid).encode())
            except (ConnectionRefusedError, FileNotFoundError):
                self._forget(pid)  # that worker is gone
            except OSError:
                continue  # its queue is full: it will find the messages on its recheck

    def _current_peers(self) -> tuple[int, ...]:
        now = time.monotonic()
        if now - self._peers_at < PEERS_REFRESH_SECONDS:
            return self._peers
        with self._lock:
            try:
                names = os.listdir(self.folder)
            except OSError:
                names = []
            self._peers = tuple(
                int(name) for name in names if name.isdigit() and int(name) != self.pid
            )
            self._peers_at = now
        return self._peers

    def _forget(self, pid: int) -> None:
        with contextlib.suppress(OSError):
            (self.folder / str(pid)).unlink()
        self._peers_at = 0.0
