"""Messages to an institution whose certificate is revoked: NAKed H06 at once rather
than ACKed into a queue its owner can no longer read (the sender would hear only at
obsolescence, 15 or 100 minutes later). A new certificate makes it reachable again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.security.conftest import Target, target_over
from tests.security.test_certificates import revoke, rotate


@pytest.fixture
def net(network: Path, node: NodeProcess) -> Iterator[Target]:
    with target_over(network, node) as found:
        yield found


def test_message_to_a_revoked_receiver_is_nakked_h06(net: Target) -> None:
    queued_before = net.state()
    revoke(net, net.B)
    [result] = net.a.send([example_message("pacs.008", net.A, net.B)])
    assert (result["status"], result["reason"]) == ("NAK", "H06")
    assert net.B in result["detail"]
    after = net.state()
    assert after["messages"] == queued_before["messages"]  # nothing queued
    # others are unaffected
    [other] = net.a.send([example_message("pacs.008", net.A, net.C)])
    assert other["status"] == "ACK"


def test_a_rotated_receiver_is_reachable_again(net: Target) -> None:
    revoke(net, net.B)
    rotate(net.root, net.B)
    [result] = net.a.send([example_message("pacs.008", net.A, net.B)])
    assert result["status"] == "ACK", result
