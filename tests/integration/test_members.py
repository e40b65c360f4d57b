"""The participants as authentication and routing read them (finmesh.node.members): one
read per participant and trust version, and every change made elsewhere (another
worker, another node, the CLI) seen by the next view. Two nodes over one SQLite file
stand for two worker processes; real certificates, rotated and revoked for real."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finmesh.config import NetworkConfig
from finmesh.identity import pki
from finmesh.network.create import load_ca, onboard
from finmesh.node.clock import system_clock
from finmesh.node.root import Node
from finmesh.node.trust import rotate_participant
from tests.netutil import participants

READS = ("participant_cert", "certificate_revoked", "participant_for_bic8", "trust_version")


@pytest.fixture
def nodes(network: Path) -> Iterator[tuple[Node, Node]]:
    first, second = Node(network), Node(network)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def counted(node: Node) -> Counter[str]:
    """Count the node's store reads that a view may make."""
    calls: Counter[str] = Counter()
    for name in READS:
        read = getattr(node.store, name)

        def wrapper(*args: Any, _read: Any = read, _name: str = name) -> Any:
            calls[_name] += 1
            return _read(*args)

        setattr(node.store, name, wrapper)
    return calls


def test_a_participant_is_read_once_per_trust_version(
    network: Path, nodes: tuple[Node, Node]
) -> None:
    node, _ = nodes
    bic11 = participants(network)[0].name
    calls = counted(node)
    for _ in range(5):
        view = node.trust.members.now()
        member = view.member(bic11)
        assert member is not None and not member.revoked
        assert view.for_bic8(bic11[:8]) == bic11
    assert calls["trust_version"] == 5  # each view reads the version, nothing else
    assert calls["participant_cert"] == calls["certificate_revoked"] == 1
    assert calls["participant_for_bic8"] == 1
    assert member.cert_pem == node.store.participant_cert(bic11)
    assert member.serial == pki.certificate_identity(member.cert_pem).serial


def test_a_rotation_and_a_revocation_elsewhere_are_seen_by_the_next_view(
    network: Path, nodes: tuple[Node, Node]
) -> None:
    worker, other = nodes
    bic11 = participants(network)[0].name
    before = worker.trust.members.now().member(bic11)
    assert before is not None and before.serial is not None
    config = NetworkConfig.load(network)
    _, old, serial = rotate_participant(
        config, other.store, load_ca(config), bic11, "ca:test", system_clock()
    )
    rotated = worker.trust.members.now().member(bic11)
    assert rotated is not None and (old.serial, rotated.serial) == (before.serial, serial)
    assert rotated.cert_pem != before.cert_pem and not rotated.revoked
    other.trust.revoke_certificate("oscar", ["operator"], bic11, "key lost")
    view = worker.trust.members.now()
    revoked = view.member(bic11)
    assert revoked is not None and revoked.revoked
    assert view.revoked(pki.certificate_identity(revoked.cert_pem))
    # the rotated-out certificate is not revoked: the store is asked about its serial
    assert not view.revoked(pki.certificate_identity(before.cert_pem))


def test_a_bic_that_is_no_participant_yet_is_found_once_registered(
    network: Path, nodes: tuple[Node, Node]
) -> None:
    worker, other = nodes
    taken = {p.name for p in participants(network)}
    bic11 = next(
        i.bic.bic11 for i in _institutions(other) if i.bic.bic11 not in taken
        and other.store.participant_for_bic8(i.bic.bic8) is None
    )  # fmt: skip
    view = worker.trust.members.now()
    assert view.member(bic11) is None and view.for_bic8(bic11[:8]) is None
    config = NetworkConfig.load(network)
    onboard(config, other.store, load_ca(config), bic11)
    # registering bumps no version: the same view finds it, nothing "absent" was kept
    assert worker.trust.members.now() is view
    member = view.member(bic11)
    assert member is not None and view.for_bic8(bic11[:8]) == bic11


def _institutions(node: Node) -> list[Any]:
    directory = node.store.institutions_with_bic8
    found = []
    for prefix in ("DEUTDEFF", "BNPAFRPP", "INGBNL2A", "UBSWCHZH", "BOFAUS3N", "CITIUS33"):
        found.extend(directory(prefix))
    assert found, "the demo directory holds none of the usual banks"
    return found
