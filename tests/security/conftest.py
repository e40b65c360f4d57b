"""The attack suite's harness: a real `finmesh serve` process over a copy of the demo
network, three ordinary member banks with clients, and the two things every attack test
asserts after its refusal: the store is unchanged (`Target.unchanged`), and the node
still carries a good message from end to end (`Target.still_serves`)."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.identity import request_auth
from finmesh.network.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries
from finmesh.node.launcher import NodeProcess
from tests.netutil import copy_network, read_only_db

EXTERNAL_CHECK_SECONDS = 2.0
"""The issue's external check: each of its five attacks is answered within 2 s."""

UNCOUNTED_TABLES = frozenset({"nonces", "cursors"})
"""Tables a refused request may legitimately touch: its nonce is recorded once the
signature holds, and reading one's own queue creates one's own cursor."""


def ordinary_banks(root: Path) -> list[str]:
    """Demo participants that no sanctions scenario names, sorted."""
    listed = set(sanctions_demo_entities().values()) | set(sanctions_demo_subsidiaries().values())
    return sorted(p.name for p in (root / "participants").iterdir() if p.name not in listed)


def store_state(root: Path) -> dict[str, object]:
    """Row counts of every table an attack must not change, and the audit chain's head."""
    with read_only_db(root) as db:
        tables = [
            str(r[0])
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if r[0] not in UNCOUNTED_TABLES and not str(r[0]).startswith("sqlite_")
        ]
        state: dict[str, object] = {
            t: int(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables
        }
        head = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    state["audit_head"] = tuple(head) if head else None
    return state


@dataclass
class Target:
    """A served network under attack, seen from three member banks A, B and C."""

    root: Path
    url: str
    port: int
    a: Client
    b: Client
    c: Client
    clients: list[Client] = field(default_factory=list)

    @property
    def A(self) -> str:
        return self.a.profile.subject

    @property
    def B(self) -> str:
        return self.b.profile.subject

    @property
    def C(self) -> str:
        return self.c.profile.subject

    def operator(self, name: str) -> Client:
        client = Client.from_profile(self.root / "operators" / name, self.url)
        self.clients.append(client)
        return client

    def state(self) -> dict[str, object]:
        return store_state(self.root)

    @contextlib.contextmanager
    def unchanged(self) -> Iterator[None]:
        """Assert that what runs inside leaves every counted table and the audit as it was."""
        before = self.state()
        yield
        assert self.state() == before

    def signed_post(
        self, who: Client, path: str, body: bytes, timeout: float = 30
    ) -> httpx.Response:
        """POST ``body`` signed by ``who`` over exactly these bytes."""
        headers = request_auth.sign_request(
            who.profile.key, who.profile.subject, "POST", path, body
        )
        headers["content-type"] = "application/json"
        return httpx.post(self.url + path, content=body, headers=headers, timeout=timeout)

    def submit_raw(self, payload: bytes, signature: bytes | None) -> dict[str, Any]:
        """One message from A with any (or no) signature; its single result."""
        item: dict[str, Any] = {"payload": base64.b64encode(payload).decode()}
        if signature is not None:
            item["signature"] = base64.b64encode(signature).decode()
        answer = self.a.request("POST", "/v1/messages", body={"messages": [item]})
        [result] = answer["results"]
        return dict(result)

    def still_serves(self) -> None:
        """A good message from A reaches B, verifies there and is acknowledged."""
        payload = example_message("pacs.008", self.A, self.B)
        [result] = self.a.send([payload])
        assert result["status"] == "ACK", result
        got = [m for page in self.b.pages() for m in page]
        assert [base64.b64decode(m["payload"]) for m in got] == [payload]
        assert self.b.verify(got[0])
        self.b.ack(got[-1]["osn"])

    def close(self) -> None:
        for client in (self.a, self.b, self.c, *self.clients):
            client.close()


def serve(root: Path, env: dict[str, str] | None = None) -> NodeProcess:
    return NodeProcess(root, env=env or {}).start()


@contextlib.contextmanager
def target_over(root: Path, node: NodeProcess) -> Iterator[Target]:
    a, b, c = (
        Client.from_profile(root / "participants" / n, node.url) for n in ordinary_banks(root)[:3]
    )
    found = Target(root=root, url=node.url, port=node.port, a=a, b=b, c=c)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture(scope="session")
def security_node(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    """One node for the attacks that need default settings; each test checks its own
    before/after state, so they share it (starting a node costs about a second)."""
    root = copy_network(network_template, tmp_path_factory.mktemp("security") / "net")
    node = serve(root)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def target(security_node: NodeProcess) -> Iterator[Target]:
    with target_over(security_node.root, security_node) as found:
        yield found


def elapsed(started: float) -> float:
    return time.monotonic() - started


def json_body(value: object) -> bytes:
    return json.dumps(value).encode()
