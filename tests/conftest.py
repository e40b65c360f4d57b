from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.node.launcher import NodeProcess
from tests.netutil import build_template, copy_network


@pytest.fixture(scope="session")
def network_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo network built once per test run (directory, CA, participants)."""
    return build_template(tmp_path_factory.mktemp("finmesh-template"))


@pytest.fixture
def network(network_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo network for one test."""
    return copy_network(network_template, tmp_path / "net")


@pytest.fixture
def node(network: Path) -> Iterator[NodeProcess]:
    """A real node process serving the test's network on a loopback port."""
    process = NodeProcess(network).start()
    try:
        yield process
    finally:
        process.stop()
