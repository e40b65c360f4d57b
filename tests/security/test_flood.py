"""Floods: per-institution and per-address rate limits answer 429 with Retry-After (a
clear "retry later", never a crash), nothing is stored for a refused request, and service
resumes. The node here allows one institution 2 requests a second (bursts of 4) and one
address 20 a second (bursts of 40). Threats T-FL-* in docs/threat-model.md."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.netutil import copy_network, db_counts
from tests.security.conftest import Target, serve, target_over


@pytest.fixture(scope="module")
def limited_node(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = copy_network(network_template, tmp_path_factory.mktemp("flood") / "net")
    node = serve(root, {"FINMESH_SUBJECT_RPS": "2", "FINMESH_PEER_RPS": "20"})
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def limited(limited_node: NodeProcess) -> Iterator[Target]:
    with target_over(limited_node.root, limited_node) as found:
        yield found


def _assert_retry_later(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    answer = response.json()
    assert answer["error"] == "rate_limited" and answer["retry_after_s"] > 0, answer


def _wait_out(response: httpx.Response) -> None:
    time.sleep(float(response.headers["retry-after"]))


def test_member_flood_gets_429_then_service_resumes(limited: Target) -> None:
    """T-FL-1 denial of service by one member (or its stolen key): 12 submissions at
    once. Past its burst each is refused 429 with Retry-After, none of those is stored,
    another member is not slowed, and the flooder is served again after waiting."""
    before = db_counts(limited.root)
    statuses: list[int] = []
    refused: httpx.Response | None = None
    for _ in range(12):
        payload = example_message("pacs.008", limited.A, limited.B)
        body = json.dumps({"messages": [limited.a._signed(payload, False)]}).encode()
        response = limited.signed_post(limited.a, "/v1/messages", body)
        statuses.append(response.status_code)
        if response.status_code == 429:
            refused = response
    assert set(statuses) == {200, 429} and statuses.count(429) >= 6, statuses
    assert refused is not None
    _assert_retry_later(refused)
    stored = db_counts(limited.root)["messages"] - before["messages"]
    assert stored == statuses.count(200)
    [other] = limited.c.send([example_message("pacs.008", limited.C, limited.B)])
    assert other["status"] == "ACK"  # C has its own allowance
    for page in limited.b.pages():
        limited.b.ack(page[-1]["osn"])
    _wait_out(refused)
    limited.still_serves()


def test_flood_of_forged_requests_is_limited_per_address(limited: Target) -> None:
    """T-FL-2 denial of service by an outsider: a flood of forged requests (no valid
    signature) is refused 401 and then, past the address's burst, 429 before any
    signature is checked; nothing is stored and service resumes after Retry-After."""
    with limited.unchanged():
        statuses: list[int] = []
        last: httpx.Response | None = None
        with httpx.Client(base_url=limited.url, timeout=10) as http:
            for _ in range(80):
                response = http.post("/v1/messages", content=b"{}")
                statuses.append(response.status_code)
                if response.status_code == 429:
                    last = response
    assert set(statuses) == {401, 429}, statuses
    first = statuses.index(429)
    # past the burst only the refill trickles through (a slow machine refills a few tokens)
    assert first >= 10 and statuses[first:].count(429) >= (80 - first) // 2, statuses
    assert last is not None
    _assert_retry_later(last)
    _wait_out(last)
    limited.still_serves()
