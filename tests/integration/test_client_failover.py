"""The client's failover between nodes: a node that cannot be reached is skipped, the
client stays with the node that answered, and with no node left it says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh.client import Client, NodeUnreachable, node_urls
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess, free_port
from tests.netutil import participants


def test_node_urls_come_from_the_argument_list_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FINMESH_URLS", " http://c:3/, http://a:1 ,,")
    assert node_urls("http://a:1/", ["http://b:2"]) == ["http://a:1", "http://b:2", "http://c:3"]
    monkeypatch.delenv("FINMESH_URLS")
    assert node_urls("http://a:1") == ["http://a:1"]


def test_a_dead_node_is_skipped_and_the_live_one_kept(network: Path, node: NodeProcess) -> None:
    a, b = participants(network)[:2]
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with Client.from_profile(a, dead, urls=[node.url]) as client:
        [ack] = client.send([example_message("pacs.008", a.name, b.name)])
        assert ack["status"] == "ACK"
        assert client.url == node.url
        [again] = client.send([example_message("pacs.008", a.name, b.name)])
        assert again["status"] == "ACK" and client.url == node.url
    with Client.from_profile(b, dead, urls=[node.url]) as receiver:
        assert len(receiver.receive()["messages"]) == 2


def test_no_node_reachable_is_an_error_naming_the_last_one_tried(network: Path) -> None:
    a = participants(network)[0]
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    with Client.from_profile(a, dead[0], urls=dead[1:]) as client:
        with pytest.raises(NodeUnreachable, match=dead[1].split("//")[1]):
            client.receive()
        assert client.url == dead[0]
