"""Several `finmesh serve` processes on one PostgreSQL database.

Two real node processes share a database cloned from a demo network: a message
submitted on one wakes a long poll on the other; kill -9 of a node under load, with
clients failing over to the other node, loses and duplicates nothing (exactly once,
in order, OSNs gapless, redeliveries marked possible duplicate); a measure approved on
one node is in force on the other at once; and while the database cannot be reached
both nodes answer 503 with Retry-After, then resume.

Restarting the PostgreSQL server itself is not done here (the server is shared with
other work on this machine). It is simulated as a client sees it: every connection of
the nodes is terminated (pg_terminate_backend) and new ones are refused
(ALLOW_CONNECTIONS false) until the database is "back".
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.client import ApiError, Client
from finmesh.config import NetworkConfig
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki, request_auth
from finmesh.identity.profile import load_profile
from finmesh.network.create import init_network
from finmesh.node.launcher import NodeProcess
from finmesh.store.factory import open_store
from finmesh.store.postgres import PostgresStore
from tests import pgutil
from tests.netutil import (
    header_text,
    participants,
    register_shared_schemas,
    run_cli,
    submission,
    wait_until,
)

pytestmark = pytest.mark.slow

LONG_POLL_SECONDS = 30.0
MESSAGES = 400
BATCH = 5
PAGE = 20
RUN_SECONDS_MAX = 120.0


@pytest.fixture(scope="module")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A demo network on PostgreSQL, made once; tests get copies (folder and database)."""
    pgutil.require_pg()
    root = tmp_path_factory.mktemp("pg-network") / "net"
    name = pgutil.create_database("nettpl")
    try:
        url = pgutil.url_for(name)
        config = init_network(
            root, demo=True, url="http://127.0.0.1:1", name="test", database_url=url
        )
        register_shared_schemas(config)
        yield root, name
    finally:
        pgutil.drop_database(name)


@dataclass
class Cluster:
    root: Path
    database: str
    nodes: list[NodeProcess]

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    def client(self, folder: Path, first: int) -> Client:
        """A client that talks to node ``first`` and fails over to the others."""
        urls = self.urls[first:] + self.urls[:first]
        return Client.from_profile(folder, urls[0], urls[1:])


@pytest.fixture
def pg_network(pg_template: tuple[Path, str], tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "net"
    name = pgutil.clone_network(*pg_template, root)
    try:
        yield root, name
    finally:
        pgutil.drop_database(name)


@pytest.fixture
def cluster(pg_network: tuple[Path, str]) -> Iterator[Cluster]:
    root, name = pg_network
    nodes: list[NodeProcess] = []
    try:
        for _ in range(2):
            nodes.append(NodeProcess(root).start())
        yield Cluster(root, name, nodes)
    finally:
        for node in nodes:
            node.stop()


def test_a_message_submitted_on_one_node_wakes_a_long_poll_on_the_other(
    cluster: Cluster,
) -> None:
    a, b = participants(cluster.root)[:2]
    outcome: dict[str, Any] = {}
    with Client.from_profile(b, cluster.urls[1]) as receiver:

        def long_poll() -> None:
            started = time.monotonic()
            outcome["page"] = receiver.receive(wait=LONG_POLL_SECONDS)
            outcome["seconds"] = time.monotonic() - started

        poller = threading.Thread(target=long_poll)
        poller.start()
        # let the poll reach node 2 first (if it has not, it simply finds the message)
        time.sleep(0.5)
        with Client.from_profile(a, cluster.urls[0]) as sender:
            [ack] = sender.send([example_message("pacs.008", a.name, b.name)])
        poller.join(LONG_POLL_SECONDS + 10)
        assert ack["status"] == "ACK", ack
        [delivered] = outcome["page"]["messages"]
        assert delivered["id"] == ack["id"] and receiver.verify(delivered)
    # woken by node 1's commit, not by the end of the wait (nothing polls on PostgreSQL)
    assert outcome["seconds"] < LONG_POLL_SECONDS / 2


class Sender(threading.Thread):
    """Submits batches in order through a failing-over client; records every ACK."""

    def __init__(self, cluster: Cluster, folder: Path, payloads: list[bytes]) -> None:
        super().__init__(daemon=True)
        self.client = cluster.client(folder, first=0)
        self.payloads = payloads
        self.acked: dict[str, dict[str, Any]] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for start in range(0, len(self.payloads), BATCH):
                for result in self.client.send(self.payloads[start : start + BATCH]):
                    assert result["status"] == "ACK", result
                    self.acked[result["id"]] = result
        except BaseException as exc:
            self.error = exc
        finally:
            self.client.close()


class Receiver(threading.Thread):
    """Receives and acknowledges page by page. Asked to, it keeps one page
    unacknowledged and, once told its node is gone, starts a new session from its
    acknowledged point, as a receiver that lost its node does."""

    def __init__(self, cluster: Cluster, folder: Path, expected: int) -> None:
        super().__init__(daemon=True)
        self.client = cluster.client(folder, first=0)
        self.expected = expected
        self.got: list[dict[str, Any]] = []
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.resume = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.error = exc
        finally:
            self.client.close()

    def _run(self) -> None:
        after: int | None = None
        deadline = time.monotonic() + RUN_SECONDS_MAX
        while len({m["id"] for m in self.got}) < self.expected:
            assert time.monotonic() < deadline, "the receiver did not get everything"
            page = self.client.receive(after=after, wait=1, limit=PAGE)["messages"]
            if not page:
                continue
            assert all(self.client.verify(m) for m in page)
            self.got += page
            if self.hold.is_set() and not self.holding.is_set():
                self.holding.set()
                assert self.resume.wait(RUN_SECONDS_MAX)
                after = None  # a new session: from the acknowledged point
                continue
            self.client.ack(page[-1]["osn"])
            after = page[-1]["osn"]


def test_kill9_of_a_node_under_load_loses_and_duplicates_nothing(cluster: Cluster) -> None:
    a, b = participants(cluster.root)[:2]
    payloads = [example_message("pacs.008", a.name, b.name) for _ in range(MESSAGES)]
    ids = [header_text(p, "BizMsgIdr") for p in payloads]
    sender = Sender(cluster, a, payloads)
    receiver = Receiver(cluster, b, MESSAGES)
    sender.start()
    receiver.start()

    wait_until(lambda: len(sender.acked) >= MESSAGES // 3 or not sender.is_alive(), 60, 0.002)
    receiver.hold.set()
    wait_until(lambda: receiver.holding.is_set() or not receiver.is_alive(), 60)
    assert sender.is_alive(), f"the sender finished before the kill: {sender.error!r}"
    time.sleep(random.uniform(0, 0.01))  # a random point within about one request
    cluster.nodes[0].kill9()
    receiver.resume.set()
    sender.join(RUN_SECONDS_MAX)
    receiver.join(RUN_SECONDS_MAX)

    assert sender.error is None, repr(sender.error)
    assert receiver.error is None, repr(receiver.error)
    assert set(sender.acked) == set(ids)
    assert sender.client.url == receiver.client.url == cluster.urls[1]  # both failed over
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in receiver.got:
        by_id[m["id"]].append(m)
    assert set(by_id) == set(ids)
    # exactly once: never twice without the possible-duplicate mark, every repeat marked
    assert all(sum(not m["possible_duplicate"] for m in seen) <= 1 for seen in by_id.values())
    assert all(all(m["possible_duplicate"] for m in seen[1:]) for seen in by_id.values())
    assert any(len(seen) > 1 for seen in by_id.values())  # the held page came again
    # one OSN per message, gapless, in the order sent, with the bytes sent
    osn = {i: {m["osn"] for m in seen} for i, seen in by_id.items()}
    assert all(len(o) == 1 for o in osn.values())
    assert sorted(ids, key=lambda i: min(osn[i])) == ids
    assert sorted(min(o) for o in osn.values()) == list(range(1, MESSAGES + 1))
    sent = dict(zip(ids, payloads, strict=True))
    assert all(base64.b64decode(seen[0]["payload"]) == sent[i] for i, seen in by_id.items())
    stored = pgutil.execute(
        cluster.database,
        "SELECT (SELECT count(*) FROM messages), count(*), count(DISTINCT message_id),"
        " count(acked_ms) FROM queue",
    )
    assert stored == [(MESSAGES, MESSAGES, MESSAGES, MESSAGES)]


def test_a_measure_approved_on_one_node_is_in_force_on_the_other(cluster: Cluster) -> None:
    a, _, c = participants(cluster.root)[:3]
    first, second = cluster.urls
    with Client.from_profile(a, second) as bank_a:
        [queued] = bank_a.send([example_message("pacs.008", a.name, c.name)])
        assert queued["status"] == "ACK"
        with (
            Client.from_profile(cluster.root / "operators" / "alice", first) as alice,
            Client.from_profile(cluster.root / "operators" / "bob", first) as bob,
        ):
            body = {"kind": "disconnect", "bic": c.name[:8], "reference": "test: multinode"}
            proposed = alice.request("POST", "/v1/ops/measures", body=body)
            bob.request("POST", f"/v1/ops/measures/{proposed['id']}/approve")
        # on the other node, at once: the institution is refused, traffic to it NAKed
        with Client.from_profile(c, second) as bank_c, pytest.raises(ApiError) as refused:
            bank_c.receive()
        assert refused.value.status == 403 and refused.value.body["error"] == "disconnected"
        [nak] = bank_a.send([example_message("pacs.008", a.name, c.name)])
        assert (nak["status"], nak["reason"]) == ("NAK", "P01")
        # what was queued for it goes back to its sender once, though both nodes enforce
        [returned] = bank_a.notices(wait=LONG_POLL_SECONDS)
        assert (returned["kind"], returned["id"]) == ("returned", queued["id"])
        assert returned["measure"] == proposed["id"]
        assert bank_a.notices(after=returned["seq"], wait=1) == []
    verified = run_cli("audit", "verify", cluster.root)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["ok"] is True


def _signed_submit(folder: Path, url: str, payload: bytes) -> httpx.Response:
    profile = load_profile(folder)
    body = json.dumps({"messages": [submission(payload, pki.sign(profile.key, payload))]})
    headers = request_auth.sign_request(
        profile.key, profile.subject, "POST", "/v1/messages", body.encode()
    )
    headers["content-type"] = "application/json"
    return httpx.post(f"{url}/v1/messages", content=body, headers=headers, timeout=30)


def test_a_request_replayed_on_the_other_node_is_refused_and_stored_once(
    cluster: Cluster,
) -> None:
    """A submit's nonce is remembered in its batch's commit, not at authentication: the
    node that did not see the original learns of it from the database at its commit."""
    a, b = participants(cluster.root)[:2]
    profile = load_profile(a)
    payload = example_message("pacs.008", a.name, b.name)
    body = json.dumps({"messages": [submission(payload, pki.sign(profile.key, payload))]})
    headers = request_auth.sign_request(
        profile.key, profile.subject, "POST", "/v1/messages", body.encode()
    )
    headers["content-type"] = "application/json"
    first, second = cluster.urls
    sent = httpx.post(f"{first}/v1/messages", content=body, headers=headers, timeout=30)
    assert sent.status_code == 200 and sent.json()["results"][0]["status"] == "ACK"
    for url in (second, first):  # the other node, then the same one (its own memory)
        replayed = httpx.post(f"{url}/v1/messages", content=body, headers=headers, timeout=30)
        assert replayed.status_code == 401, replayed.text
        assert "replayed request" in replayed.json()["message"]
    with Client.from_profile(b, second) as bank_b:
        page = bank_b.receive()
    assert [m["id"] for m in page["messages"]] == [sent.json()["results"][0]["id"]]


def _cut_off(database: str, allow: bool) -> None:
    """The database refuses new connections (and drops the nodes' ones), or accepts."""
    with pgutil.admin() as conn:
        flag = "true" if allow else "false"
        conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {flag}')
        if not allow:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )


def test_while_the_database_is_unreachable_nodes_answer_retry_later(cluster: Cluster) -> None:
    a, b = participants(cluster.root)[:2]
    _cut_off(cluster.database, allow=False)
    try:
        for url in cluster.urls:
            answer = _signed_submit(a, url, example_message("pacs.008", a.name, b.name))
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"] == "store_unavailable"
            assert int(answer.headers["retry-after"]) >= 1
        with cluster.client(a, first=0) as client, pytest.raises(ApiError) as refused:
            client.send([example_message("pacs.008", a.name, b.name)])
        assert refused.value.status == 503
    finally:
        _cut_off(cluster.database, allow=True)
    # back: both nodes reconnect by themselves, and cross-node wake-ups work again
    payload = example_message("pacs.008", a.name, b.name)
    wait_until(lambda: _signed_submit(a, cluster.urls[0], payload).status_code == 200, 30, 0.2)
    with Client.from_profile(b, cluster.urls[1]) as receiver:
        [got] = receiver.receive(wait=LONG_POLL_SECONDS)["messages"]
        assert got["id"] == header_text(payload, "BizMsgIdr")
        receiver.ack(got["osn"])
        outcome: dict[str, Any] = {}
        poller = threading.Thread(
            target=lambda: outcome.update(receiver.receive(wait=LONG_POLL_SECONDS))
        )
        poller.start()
        time.sleep(0.5)
        with Client.from_profile(a, cluster.urls[0]) as sender:
            [ack] = sender.send([example_message("pacs.009", a.name, b.name)])
        poller.join(LONG_POLL_SECONDS + 10)
    assert [m["id"] for m in outcome["messages"]] == [ack["id"]]


def test_serve_refuses_a_database_schema_it_does_not_know(pg_network: tuple[Path, str]) -> None:
    root, name = pg_network
    pgutil.execute(name, "INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    result = run_cli("serve", root, "--port", "1")
    assert result.returncode == 1
    assert "schema_too_new" in result.stderr and "999" in result.stderr


def test_the_database_url_in_the_environment_overrides_the_folder(
    pg_network: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = pg_network
    config_file = root / "network.json"
    data = json.loads(config_file.read_text())
    url = data.pop("database")
    config_file.write_text(json.dumps(data))  # as if made without --database
    monkeypatch.setenv("FINMESH_DATABASE_URL", url)
    store = open_store(NetworkConfig.load(root))
    try:
        assert isinstance(store, PostgresStore)
        assert store.directory_stats()["participants"] > 0
    finally:
        store.close()
    assert not (root / "finmesh.db").exists()
