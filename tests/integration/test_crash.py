"""kill -9 of the node process while messages are submitted or received.

An ACK is given only after the batch is durably committed, so a sender that resubmits
everything it did not see ACKed (same bytes: idempotent) ends with every message
stored exactly once, and the receiver gets them once each in a gapless OSN sequence.
"""

from __future__ import annotations

import base64
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import Client, NodeUnreachable
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.netutil import (
    db_consistency,
    header_text,
    participants,
    wait_until,
)

pytestmark = pytest.mark.slow

MESSAGES = 400
BATCH = 5
RESUBMIT_SECONDS_MAX = 30.0


class Nodes:
    """The node currently serving the network, replaced after each kill -9."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current = NodeProcess(root).start()
        self.up = threading.Event()
        self.up.set()
        self.kills = 0

    @property
    def url(self) -> str:
        return self.current.url

    def crash_and_restart(self) -> None:
        self.up.clear()
        self.current.kill9()
        self.kills += 1
        self.current = NodeProcess(self.root).start()  # a new port: clients must follow
        self.up.set()

    def stop(self) -> None:
        self.current.stop()


@pytest.fixture
def nodes(network: Path) -> Iterator[Nodes]:
    found = Nodes(network)
    try:
        yield found
    finally:
        found.stop()


class Sender(threading.Thread):
    """Submits batches in order; a batch without an ACK is resubmitted unchanged
    (same bytes) to whichever node is up, until it is ACKed."""

    def __init__(self, folder: Path, nodes: Nodes, payloads: list[bytes]) -> None:
        super().__init__(daemon=True)
        self.folder = folder
        self.nodes = nodes
        self.payloads = payloads
        self.acked: dict[str, dict[str, Any]] = {}
        self.transport_errors = 0
        self.duplicates = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.error = exc

    def _run(self) -> None:
        client: Client | None = None
        try:
            for start in range(0, len(self.payloads), BATCH):
                batch = self.payloads[start : start + BATCH]
                deadline = time.monotonic() + RESUBMIT_SECONDS_MAX
                while True:
                    url = self.nodes.url
                    if client is None or client.url != url:
                        if client is not None:
                            client.close()
                        client = Client.from_profile(self.folder, url)
                    try:
                        results = client.send(batch)
                        break
                    except NodeUnreachable:
                        self.transport_errors += 1
                        assert time.monotonic() < deadline, "no node came back"
                        self.nodes.up.wait(RESUBMIT_SECONDS_MAX)
                for payload, result in zip(batch, results, strict=True):
                    assert result["status"] == "ACK", result
                    assert result["id"] == header_text(payload, "BizMsgIdr")
                    self.duplicates += int(result["duplicate"])
                    self.acked[result["id"]] = result
        finally:
            if client is not None:
                client.close()


def _receive_all(folder: Path, url: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    with Client.from_profile(folder, url) as receiver:
        for page in receiver.pages():
            for m in page:
                assert receiver.verify(m)
            got += page
            receiver.ack(page[-1]["osn"])
        assert receiver.receive()["messages"] == []
    return got


def _assert_consistent(root: Path, stored: int) -> None:
    state = db_consistency(root)
    assert state == {
        "integrity": ["ok"], "messages": stored, "queue": stored,
        "messages_without_queue": 0, "queue_without_message": 0,
    }


def test_kill9_during_submission_loses_and_duplicates_nothing(
    network: Path, nodes: Nodes
) -> None:
    a_folder, b_folder = participants(network)[:2]
    A, B = a_folder.name, b_folder.name
    payloads = [example_message("pacs.008", A, B) for _ in range(MESSAGES)]
    ids = [header_text(p, "BizMsgIdr") for p in payloads]
    assert len(set(ids)) == MESSAGES

    sender = Sender(a_folder, nodes, payloads)
    sender.start()
    for threshold in (MESSAGES // 3, 2 * MESSAGES // 3):

        def reached(n: int = threshold) -> bool:
            return len(sender.acked) >= n or not sender.is_alive()

        wait_until(reached, timeout=30, interval=0.002)
        assert sender.is_alive(), f"sender stopped early: {sender.error!r}"
        # not synchronisation: a random crash point within about one request, so that
        # runs also hit a batch that was committed but whose ACK never left the node
        time.sleep(random.uniform(0, 0.01))
        nodes.crash_and_restart()
    sender.join(60)
    assert not sender.is_alive()
    assert sender.error is None, repr(sender.error)
    assert nodes.kills == 2
    assert sender.transport_errors >= 1  # the kills did hit the sender
    assert set(sender.acked) == set(ids)

    _assert_consistent(network, MESSAGES)
    got = _receive_all(b_folder, nodes.url)
    osns = [m["osn"] for m in got]
    assert osns == list(range(1, len(got) + 1))
    delivered = Counter(m["id"] for m in got)
    assert all(n == 1 for n in delivered.values()), delivered.most_common(3)
    assert len(got) == len(delivered) == MESSAGES
    # sent one batch after another, so delivered in exactly the order sent
    assert [m["id"] for m in got] == ids
    assert [base64.b64decode(m["payload"]) for m in got] == payloads
    assert not any(m["possible_duplicate"] for m in got)
    _assert_consistent(network, MESSAGES)


def test_kill9_while_receiving_redelivers_the_unacknowledged(
    network: Path, nodes: Nodes
) -> None:
    a_folder, b_folder = participants(network)[:2]
    A, B = a_folder.name, b_folder.name
    payloads = [example_message("pacs.008", A, B) for _ in range(50)]
    with Client.from_profile(a_folder, nodes.url) as a:
        assert all(r["status"] == "ACK" for r in a.send(payloads[:30]))

    outcome: dict[str, Any] = {}
    with Client.from_profile(b_folder, nodes.url) as b:
        first = b.receive(limit=20)["messages"]
        assert [m["osn"] for m in first] == list(range(1, 21))
        b.ack(10)
        more = b.receive(after=20)["messages"]  # 21..30 handed out, not acknowledged
        assert [m["osn"] for m in more] == list(range(21, 31))

        def long_poll() -> None:  # B is waiting for more when the node dies
            try:
                outcome["page"] = b.receive(after=30, wait=20)
            except NodeUnreachable as exc:
                outcome["error"] = exc

        poller = threading.Thread(target=long_poll)
        poller.start()
        # give the long poll time to reach the node (if it has not, the kill still ends
        # it with a transport error: the assertions below hold either way)
        time.sleep(0.2)
        nodes.crash_and_restart()
        poller.join(30)
        assert not poller.is_alive()
        assert isinstance(outcome.get("error"), NodeUnreachable), outcome

    with Client.from_profile(a_folder, nodes.url) as a:
        assert all(r["status"] == "ACK" for r in a.send(payloads[30:]))
    # B reconnects to the restarted node with a new session
    with Client.from_profile(b_folder, nodes.url) as b:
        page = b.receive(limit=100)
        assert page["acked_osn"] == 10 and page["last_osn"] == 50
        got = page["messages"]
        assert [m["osn"] for m in got] == list(range(11, 51))
        assert [m["possible_duplicate"] for m in got] == [True] * 20 + [False] * 20
        assert [base64.b64decode(m["payload"]) for m in got] == payloads[10:]
        assert all(b.verify(m) for m in got)
        assert b.ack(50) == {"last": 50, "acked": 50}
        assert b.receive()["messages"] == []
    _assert_consistent(network, 50)


def test_acks_lost_in_a_crash_are_recovered_by_resubmitting(network: Path, nodes: Nodes) -> None:
    """The node committed and answered, but the sender never saw the answer (it died
    with the node, say): after kill -9 and restart the same bytes are ACKed again as
    duplicates, and each message is still delivered exactly once."""
    a_folder, b_folder = participants(network)[:2]
    A, B = a_folder.name, b_folder.name
    lost = [example_message("pacs.008", A, B) for _ in range(10)]
    with Client.from_profile(a_folder, nodes.url) as a:
        a.send(lost)  # the answer is dropped on the floor
    nodes.crash_and_restart()
    _assert_consistent(network, 10)

    fresh = [example_message("pacs.009", A, B) for _ in range(5)]
    with Client.from_profile(a_folder, nodes.url) as a:
        results = a.send(lost[:3] + fresh[:2] + lost[3:] + fresh[2:])
    assert all(r["status"] == "ACK" for r in results)
    assert [r["duplicate"] for r in results] == [True] * 3 + [False] * 2 + [True] * 7 + [False] * 3
    _assert_consistent(network, 15)

    got = _receive_all(b_folder, nodes.url)
    assert [m["osn"] for m in got] == list(range(1, 16))
    assert [base64.b64decode(m["payload"]) for m in got] == lost + fresh
