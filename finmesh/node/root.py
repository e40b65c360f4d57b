"""The composition root: opens a network folder and wires store, intake and delivery.

The CLI, the HTTP app and the tests build a Node; nothing else wires parts together.
"""

from __future__ import annotations

from pathlib import Path

from finmesh.config import NetworkConfig
from finmesh.domain.rules import RuleBook
from finmesh.node.clock import Clock, system_clock
from finmesh.node.compliance import Compliance
from finmesh.node.delivery import Bell, DeliveryService
from finmesh.node.intake import Intake
from finmesh.node.observe import Observation
from finmesh.node.schemas import Schemas
from finmesh.node.screening import ScreeningService
from finmesh.node.tracking import Tracking
from finmesh.node.trust import Trust
from finmesh.store.factory import open_store


class Node:
    """One running network node over one store."""

    def __init__(self, root: Path, clock: Clock = system_clock) -> None:
        self.config = NetworkConfig.load(root)
        rules = RuleBook(self.config.rule_sets)  # an unknown set: refused before opening
        self.clock = clock
        self.store = open_store(self.config)
        self.ca_cert_pem = self.config.ca_cert.read_bytes()
        self.bell = Bell()
        # PostgreSQL: every node's commits ring this node's bell; no polling needed
        self.listening = self.store.listen(self.bell.ring)
        if self.listening is not None:
            self.bell.recheck_seconds = None
        self.compliance = Compliance(self.store, clock)
        self.trust = Trust(self.store, clock)
        self.screening = ScreeningService(self.store, clock)
        self.schemas = Schemas(self.store, clock)
        self.observe = Observation(self.store, clock, self.compliance.snapshot)
        self.intake = Intake(
            self.store,
            clock,
            self.compliance.snapshot,
            self.trust.grants,
            self.screening.active,
            schemas=self.schemas.registry,
            rules=rules,
            members=self.trust.members.now,
        )
        self.tracking = Tracking(self.store, clock)
        self.delivery = DeliveryService(self.store, clock, self.bell, self.compliance.snapshot)

    def close(self) -> None:
        if self.listening is not None:
            self.listening.stop()
        self.store.close()
