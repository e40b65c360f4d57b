"""Change notifications across nodes: one LISTEN connection per node process.

Every PostgreSQL write transaction that changed rows sends ``NOTIFY finmesh`` as it
commits (finmesh.store.postgres). This thread hears those of every node and calls
``on_change``, which rings the node's Bell, so a long poll on one node wakes as soon as
another node stores a message, acknowledges, returns or releases one, or changes policy.
After a lost connection it reconnects (with backoff) and calls ``on_change`` once,
because whatever was committed while it was away sent no notification it could hear.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from finmesh.store.pg_connect import connect
from finmesh.store.port import StoreUnavailable

CHANNEL = "finmesh"
NOTIFY = f"NOTIFY {CHANNEL}"
LISTEN_TICK_SECONDS = 0.5
"""How long one wait for notifications lasts; bounds how long stop() takes."""
RECONNECT_SECONDS_MIN = 0.1
RECONNECT_SECONDS_MAX = 2.0

log = logging.getLogger("finmesh.store")


class ChangeListener(threading.Thread):
    """Calls ``on_change`` after every notified commit, from its own thread."""

    def __init__(self, url: str, on_change: Callable[[], None]) -> None:
        super().__init__(name="finmesh-listen", daemon=True)
        self.url = url
        self.on_change = on_change
        self._stopping = threading.Event()
        self.listening = threading.Event()
        """Set while a LISTEN connection is open (tests wait for it)."""

    def stop(self) -> None:
        self._stopping.set()
        self.join(LISTEN_TICK_SECONDS * 4)

    def run(self) -> None:
        backoff = RECONNECT_SECONDS_MIN
        while not self._stopping.is_set():
            try:
                self._listen()
                backoff = RECONNECT_SECONDS_MIN
            except (psycopg.Error, StoreUnavailable) as exc:
                self.listening.clear()
                log.warning(
                    "change notifications interrupted: %s",
                    exc,
                    extra={"event": "store.listen_lost"},
                )
                self.on_change()  # waiters look again (and meet the outage themselves)
                self._stopping.wait(backoff)
                backoff = min(RECONNECT_SECONDS_MAX, backoff * 2)

    def _listen(self) -> None:
        with connect(self.url) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self.on_change()  # commits made while nobody here was listening
            while not self._stopping.is_set():
                for _ in conn.notifies(timeout=LISTEN_TICK_SECONDS, stop_after=1):
                    self.on_change()
        self.listening.clear()
