"""Payment tracking and the flows around a payment against a real `finmesh serve`
process: a payment through two hops with its status reports, a return, a recall and
its answer, a cover; each message routed like any other and tied to the payment by its
UETR; the history visible to the chain and to operators, nobody else."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.iso20022 import example_message, flows
from finmesh.node.launcher import NodeProcess
from tests.netutil import participants


@pytest.fixture
def clients(network: Path, node: NodeProcess) -> Iterator[dict[str, Client]]:
    found = {
        name: Client.from_profile(folder, node.url)
        for name, folder in zip("abcd", participants(network)[:4], strict=True)
    }
    found["oscar"] = Client.from_profile(network / "operators" / "oscar", node.url)
    try:
        yield found
    finally:
        for client in found.values():
            client.close()


def send(client: Client, payload: bytes) -> dict[str, Any]:
    [result] = client.send([payload])
    assert result["status"] == "ACK", result
    return result


def bic(client: Client) -> str:
    return client.profile.subject


def test_two_hops_with_status_reports_make_one_history(clients: dict[str, Client]) -> None:
    a, b, c, d = (clients[k] for k in "abcd")
    first = example_message("pacs.008", bic(a), bic(b), definition="pacs.008.001.08")
    original = flows.original_of(first)
    send(a, first)
    send(b, flows.next_hop(first, bic(b), bic(c)))
    send(c, flows.status_report(original, bic(c), bic(b), "ACCC"))
    send(b, flows.status_report(original, bic(b), bic(a), "ACCC"))

    history = a.track(original.uetr)
    assert history["uetr"] == original.uetr
    assert history["status"] == "ACCC"
    assert history["institutions"] == [bic(a), bic(b), bic(c)]
    steps = [(e["from"], e["to"], e["step"], e["status"]) for e in history["events"]]
    assert steps == [
        (bic(a), bic(b), "payment", "ACSP"),
        (bic(b), bic(c), "payment", "ACSP"),
        (bic(c), bic(b), "status", "ACCC"),
        (bic(b), bic(a), "status", "ACCC"),
    ]
    assert history["events"][2]["references"]["OrgnlEndToEndId"] == original.end_to_end_id
    assert history["time_to_credit_ms"] is not None and history["time_to_credit_ms"] >= 0
    assert c.track(original.uetr) == history  # every institution in the chain
    assert clients["oscar"].track(original.uetr) == history  # and operators

    with pytest.raises(ApiError) as outsider:  # d is not in the chain: not found
        d.track(original.uetr)
    assert outsider.value.status == 404
    with pytest.raises(ApiError) as unknown:
        a.track(str(uuid.uuid4()))
    assert unknown.value.status == 404
    with pytest.raises(ApiError) as malformed:
        a.track("not-a-uetr")
    assert malformed.value.status == 400

    stats = clients["oscar"].payment_statistics(1)
    assert stats["payments"] == 1 and stats["credited"] == 1
    assert stats["credited_within_5_minutes"] == 1
    assert stats["share_credited_within_5_minutes"] == 1.0
    with pytest.raises(ApiError) as participant:
        a.payment_statistics(1)
    assert participant.value.status == 403


def test_rejection_return_recall_and_cover_are_tracked(clients: dict[str, Client]) -> None:
    a, b = clients["a"], clients["b"]
    payment = example_message("pacs.008", bic(a), bic(b), definition="pacs.008.001.08")
    original = flows.original_of(payment)
    send(a, payment)
    send(a, flows.cover(original, bic(a), bic(b)))
    send(b, flows.status_report(original, bic(b), bic(a), "RJCT", "AC04"))
    send(b, flows.payment_return(original, bic(b), bic(a), "AC04"))
    send(a, flows.recall_request(original, bic(a), bic(b), "DUPL"))
    send(b, flows.recall_answer(original, bic(b), bic(a), accepted=True))

    history = b.track(original.uetr)
    got = [(e["message"][:8], e["step"], e["status"], e["reason"]) for e in history["events"]]
    assert got == [
        ("pacs.008", "payment", "ACSP", None),
        ("pacs.009", "cover", "ACSP", None),
        ("pacs.002", "status", "RJCT", "AC04"),
        ("pacs.004", "return", "returned", "AC04"),
        ("camt.056", "recall_request", "recall_requested", "DUPL"),
        ("camt.029", "recall_answer", "recalled", None),
    ]
    assert history["status"] == "recalled"
    assert history["credited_at"] is None and history["time_to_credit_ms"] is None
    # the flows reached the receiver like any message
    kinds = [m["type"][:8] for page in b.pages(0) for m in page]
    assert kinds.count("pacs.008") == 1 and "camt.056" in kinds and "pacs.009" in kinds


def test_the_networks_own_rejections_and_returns_join_the_history(
    network: Path, node: NodeProcess, clients: dict[str, Client]
) -> None:
    from finmesh.network.demo_directory import sanctions_demo_entities

    a, b, c = (clients[k] for k in "abc")
    cbr = sanctions_demo_entities()["cbr"]
    alice = Client.from_profile(network / "operators" / "alice", node.url)
    bob = Client.from_profile(network / "operators" / "bob", node.url)
    with alice, bob:
        # a prohibition holds a payment naming the central bank; two officers reject it
        prohibition = alice.request("POST", "/v1/ops/measures", body={
            "kind": "prohibit", "bic": cbr[:8], "action": "hold", "reference": "Reg 2022/334"})
        bob.request("POST", f"/v1/ops/measures/{prohibition['id']}/approve")
        held = example_message("pacs.008", bic(a), bic(b), definition="pacs.008.001.08",
                               extra_agent_bics=[cbr])
        result = send(a, held)
        [hold] = [h for h in alice.request("GET", "/v1/ops/holds") if h["message"] == result["id"]]
        path = f"/v1/ops/holds/{hold['id']}/reject"
        alice.request("POST", path, body={"reason": "no licence covers it"})
        bob.request("POST", path, body={})
        rejected = a.track(flows.original_of(held).uetr)
        assert [(e["step"], e["status"], e["reason"]) for e in rejected["events"]] == [
            ("payment", "ACSP", None), ("network_reject", "RJCT", "P03")]
        assert rejected["status"] == "RJCT"
        # a payment queued for c is returned when c is disconnected
        queued = example_message("pacs.008", bic(a), bic(c), definition="pacs.008.001.08")
        send(a, queued)
        cut = alice.request("POST", "/v1/ops/measures", body={
            "kind": "disconnect", "bic": bic(c)[:8], "reference": "Reg 2022/345"})
        bob.request("POST", f"/v1/ops/measures/{cut['id']}/approve")
        returned = a.track(flows.original_of(queued).uetr)
        assert [(e["step"], e["reason"]) for e in returned["events"]] == [
            ("payment", None), ("network_return", "P04")]
        assert returned["status"] == "RJCT"
        assert alice.request("GET", f"/v1/payments/{flows.original_of(queued).uetr}") == returned
