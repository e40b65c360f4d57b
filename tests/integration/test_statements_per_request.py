"""How many SQL statements one message in one request costs a node, counted by SQLite
itself (a trace callback on every connection the store opens): the figure behind the
per-request cost of issue 16, which a change that reads the same row again would
raise. One real node (uvicorn on loopback, in this process), real signed requests."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finmesh.api.app import create_app
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki, request_auth
from finmesh.identity.profile import load_profile
from finmesh.node.root import Node
from finmesh.store import sqlite
from tests.netutil import authorize_all, participants, served_in_process, submission

STATEMENTS_PER_REQUEST_MAX = 17
"""One message per request: 20 before the participants were read once per trust
version (finmesh.node.members), 16 since (reads: the trust version 4 times, the policy
versions 3, stored repeats 1; the transaction: 8)."""


class Traced:
    def __init__(self) -> None:
        self.on = False
        self.statements: Counter[str] = Counter()

    def __call__(self, sql: str) -> None:
        if self.on:
            self.statements[" ".join(sql.split()[:4])] += 1


@pytest.fixture
def served(network: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Traced]]:
    traced = Traced()
    plain_open = sqlite.SqliteStore._open

    def traced_open(self: sqlite.SqliteStore) -> object:
        conn = plain_open(self)
        conn.set_trace_callback(traced)
        return conn

    monkeypatch.setattr(sqlite.SqliteStore, "_open", traced_open)
    node = Node(network)
    authorize_all(node.store, node.clock())
    try:
        with served_in_process(create_app(node)) as url:
            yield url, traced
    finally:
        node.close()


def test_one_message_in_one_request_costs_a_bounded_number_of_statements(
    network: Path, served: tuple[str, Traced]
) -> None:
    url, traced = served
    folders = participants(network)
    sender, receiver = load_profile(folders[0]), load_profile(folders[1]).subject
    requests = 12

    with httpx.Client(base_url=url) as http:

        def send() -> None:
            payload = example_message("pacs.008", sender.subject, receiver)
            item = submission(payload, pki.sign(sender.key, payload))
            body = json.dumps({"messages": [item]}).encode()
            headers = request_auth.sign_request(
                sender.key, sender.subject, "POST", "/v1/messages", body
            )
            answer = http.post("/v1/messages", content=body, headers=headers)
            assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "ACK"

        send()  # the first request reads the participants into the view
        traced.on = True
        for _ in range(requests):
            send()
        traced.on = False
    counted = traced.statements
    assert sum(counted.values()) <= STATEMENTS_PER_REQUEST_MAX * requests, counted
    # the sender's and the receiver's certificates were read before the window, once
    assert counted["SELECT cert_pem FROM participants"] == 0, counted
    assert counted["BEGIN IMMEDIATE"] == requests  # one durable commit per request
