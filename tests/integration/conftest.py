"""Fixtures shared by the integration tests (see also tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.network.create import load_ca, onboard
from finmesh.node.root import Node
from tests.integration.replay_2022 import replay
from tests.integration.stores import KINDS, StoreMaker, drop_template, maker
from tests.integration.timeline_2022 import (
    ENTITIES,
    EXTRA_SUBSIDIARY_PARTICIPANTS,
    SUBSIDIARIES,
    SimClock,
    Timeline,
)
from tests.netutil import authorize_all


@pytest.fixture(scope="module")
def _store_template() -> Iterator[None]:
    """The migrated PostgreSQL template the store tests clone, dropped after the module."""
    yield
    drop_template()


@pytest.fixture(params=KINDS)
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, _store_template: None
) -> Iterator[StoreMaker]:
    """A maker of stores of each kind (SQLite, PostgreSQL) on one fresh database."""
    with maker(request.param, tmp_path) as made:
        yield made


@pytest.fixture(scope="module")
def timeline(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Timeline]:
    """The 2022 timeline replayed once per test module that asks for it; its tests only
    read the record and the store, so within a module they do not depend on each other."""
    root = tmp_path_factory.mktemp("timeline-2022") / "net"
    shutil.copytree(network_template, root)
    clock = SimClock("2022-02-27T12:00:00Z")
    node = Node(root, clock=clock)
    try:
        ca = load_ca(node.config)
        for key in EXTRA_SUBSIDIARY_PARTICIPANTS:
            onboard(node.config, node.store, ca, SUBSIDIARIES[key])
        authorize_all(node.store, clock())  # RMA, as the demo's own participants have
        t = Timeline(root, node, clock)
        everyone = set(ENTITIES.values()) | set(SUBSIDIARIES.values())
        real = sorted(p.name for p in (root / "participants").iterdir() if p.name not in everyone)
        t.facts.update(A=real[0], B=real[1], C=real[2])
        replay(t)
        yield t
    finally:
        node.close()
