"""The composition root: opens a network folder and wires store, intake and delivery.

The CLI, the HTTP app and the tests build a Node; nothing else wires parts together.
"""

from __future__ import annotations

import time
from pathlib import Path

from finmesh.compliance import Compliance
from finmesh.config import NetworkConfig
from finmesh.delivery import Bell, DeliveryService
from finmesh.pipeline import Clock, Intake
from finmesh.store.sqlite import SqliteStore


def system_clock() -> int:
    return time.time_ns() // 1_000_000


class Node:
    """One running network node over one store."""

    def __init__(self, root: Path, clock: Clock = system_clock) -> None:
        self.config = NetworkConfig.load(root)
        self.clock = clock
        self.store = SqliteStore(self.config.database)
        self.ca_cert_pem = self.config.ca_cert.read_bytes()
        self.bell = Bell()
        self.compliance = Compliance(self.store, clock)
        self.intake = Intake(self.store, clock, self.compliance.snapshot)
        self.delivery = DeliveryService(self.store, clock, self.bell, self.compliance.snapshot)

    def close(self) -> None:
        self.store.close()
