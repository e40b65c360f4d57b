"""Relationship management (RMA) against a real `finmesh serve`: a receiver decides which
correspondents may send it which message types, and for how long. One test per threat;
each docstring names the threat it shows refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.iso20022 import example_message
from finmesh.domain.policy.rma import GrantIndex
from finmesh.domain.reasons import Reason
from finmesh.identity import pki, request_auth
from finmesh.identity.profile import load_profile
from finmesh.node.intake import Submission
from finmesh.node.launcher import NodeProcess
from finmesh.node.root import Node
from tests.netutil import wait_until
from tests.security.conftest import Target, json_body, target_over

R01 = Reason.NOT_AUTHORIZED.code
PACS008 = "pacs.008.001.08"


@pytest.fixture
def net(network: Path, node: NodeProcess) -> Iterator[Target]:
    """A fresh network and node per test: these tests change authorizations."""
    with target_over(network, node) as found:
        yield found


def send(sender: Client, receiver: str, kind: str = "pacs.008") -> dict[str, Any]:
    [result] = sender.send([example_message(kind, sender.profile.subject, receiver)])
    return result


def bic8(client: Client) -> str:
    return client.profile.subject[:8]


def test_message_from_an_unauthorized_correspondent_is_nakked_r01(net: Target) -> None:
    """Threat: unsolicited traffic. An institution the receiver never authorized (or no
    longer authorizes) sends it a payment: NAK R01 with a reason, nothing stored, and the
    node keeps serving the relationships that exist."""
    net.b.rma_revoke(bic8(net.a))
    with net.unchanged():
        result = send(net.a, net.B)
    assert result["status"] == "NAK" and result["reason"] == R01, result
    assert bic8(net.b) in result["detail"] and "not authorized" in result["detail"]
    assert send(net.c, net.B)["status"] == "ACK"  # C is still authorized by B
    assert send(net.b, net.A)["status"] == "ACK"  # one-way: A still authorizes B
    reasons = {r["code"]: r for r in httpx.get(net.url + "/v1/reasons").json()}
    assert "not authorized" in reasons[R01]["text"]


def test_grant_admits_the_correspondent(net: Target) -> None:
    """Threat: a relationship that cannot be restored. After a revocation, the receiver's
    new grant lets the correspondent's next message through."""
    net.b.rma_revoke(bic8(net.a))
    assert send(net.a, net.B)["reason"] == R01
    granted = net.b.rma_grant(bic8(net.a))
    assert (granted["receiver"], granted["sender"], granted["types"]) == (
        bic8(net.b),
        bic8(net.a),
        [],
    )
    assert granted["granted_by"] == net.B
    assert send(net.a, net.B)["status"] == "ACK"
    assert net.b.rma_grant(bic8(net.a))["id"] == granted["id"]  # same terms: no new grant


def test_grant_limited_to_pacs009_refuses_pacs008(net: Target) -> None:
    """Threat: a correspondent sending message types outside the relationship. B lets A
    send only FI transfers (pacs.009): A's customer transfer (pacs.008) is NAKed R01."""
    net.b.rma_revoke(bic8(net.a))
    net.b.rma_grant(bic8(net.a), ["pacs.009"])
    assert send(net.a, net.B, "pacs.009")["status"] == "ACK"
    refused = send(net.a, net.B, "pacs.008")
    assert refused["reason"] == R01 and "pacs.009" in refused["detail"]


def test_authorization_outside_its_validity_period_refuses(net: Target) -> None:
    """Threat: a relationship used before it starts or after it ends. A grant that
    starts tomorrow does not admit today's message; one that has expired no longer
    admits any."""
    net.b.rma_revoke(bic8(net.a))
    now = time.time_ns() // 1_000_000
    net.b.rma_grant(bic8(net.a), ["pacs.009"], valid_from_ms=now + 86_400_000)
    early = send(net.a, net.B, "pacs.009")
    assert early["reason"] == R01 and "validity period" in early["detail"]
    until = now + 1_000
    net.b.rma_grant(bic8(net.a), ["pacs.008"], valid_until_ms=until)
    wait_until(lambda: time.time_ns() // 1_000_000 > until + 50)
    expired = send(net.a, net.B, "pacs.008")
    assert expired["reason"] == R01 and "validity period" in expired["detail"]


def test_revocation_refuses_the_next_message(net: Target) -> None:
    """Threat: a revoked relationship still honoured by a stale cache. The message right
    after the revocation is NAKed; a narrowing revocation keeps the rest."""
    net.b.rma_revoke(bic8(net.a))
    net.b.rma_grant(bic8(net.a), ["pacs.008", "pacs.009"])
    assert send(net.a, net.B)["status"] == "ACK"
    answer = net.b.rma_revoke(bic8(net.a), ["pacs.008"])
    assert answer["deleted"] == [] and answer["narrowed"][0]["types"] == ["pacs.009"]
    assert send(net.a, net.B, "pacs.008")["reason"] == R01
    assert send(net.a, net.B, "pacs.009")["status"] == "ACK"
    net.b.rma_revoke(bic8(net.a))
    assert send(net.a, net.B, "pacs.009")["reason"] == R01


def test_revocation_during_intake_refuses_the_batch_in_flight(network: Path) -> None:
    """Threat: a message that slips through while the revocation commits. The batch read
    the authorizations, then the revocation committed before the batch did: the commit
    is refused (the trust version moved), the batch is evaluated again and NAKed."""
    node = Node(network)
    try:
        a, b = (load_profile(network / "participants" / n) for n in _two(node))
        real = node.trust.grants
        revoked: list[str] = []

        def grants_then_revocation() -> GrantIndex:
            index = real()
            if not revoked:  # the first evaluation sees the grant in force
                assert index.authorized(a.subject[:8], b.subject[:8], PACS008, node.clock())
                revoked.extend(node.trust.revoke(b.subject, a.subject[:8], []).delete)
            return index

        node.intake.grants = grants_then_revocation
        payload = example_message("pacs.008", a.subject, b.subject)
        item = Submission(payload, pki.sign(a.key, payload))
        [verdict] = node.intake.submit(a.subject, a.cert_pem, [item])
        assert len(revoked) == 1
        assert verdict.status == "NAK" and verdict.reason is Reason.NOT_AUTHORIZED
        assert node.store.message_count() == 0
    finally:
        node.close()


def _two(node: Node) -> list[str]:
    return node.store.participants()[:2]


def test_institution_cannot_grant_or_revoke_for_another(net: Target) -> None:
    """Threat: one institution changing another's relationships. The receiver is always
    the authenticated caller: a body naming another receiver is refused, a revocation
    touches only the caller's own grants, and a request signed with another's key fails."""
    with net.unchanged():
        forged = net.signed_post(
            net.c, "/v1/rma", json_body({"correspondent": bic8(net.a), "receiver": bic8(net.b)})
        )
    assert forged.status_code == 400 and forged.json()["error"] == "bad_request"
    net.c.rma_revoke(bic8(net.a))  # C's own authorization of A, not B's
    assert send(net.a, net.B)["status"] == "ACK"
    assert send(net.a, net.C)["reason"] == R01
    assert not [g for g in net.b.rma_list() if g["receiver"] != bic8(net.b)]
    body = json_body({"correspondent": bic8(net.a)})
    headers = request_auth.sign_request(net.c.profile.key, net.B, "POST", "/v1/rma", body)
    with net.unchanged():
        impersonated = httpx.post(net.url + "/v1/rma", content=body, headers=headers)
    assert impersonated.status_code == 401


def test_grant_refuses_unknown_or_self_correspondents(net: Target) -> None:
    """Threat: grants that mean nothing (a typo, or oneself) accepted silently."""
    with net.unchanged():
        for correspondent, status in (("QXQXDEFF", 404), (bic8(net.b), 400), ("nonsense", 400)):
            with pytest.raises(ApiError) as caught:
                net.b.rma_grant(correspondent)
            assert caught.value.status == status, correspondent
        with pytest.raises(ApiError) as caught:
            net.b.rma_grant(bic8(net.a), ["pacs.8"])
        assert caught.value.status == 400 and "MsgDefIdr" in caught.value.body["message"]


def test_operator_sees_the_grants(net: Target) -> None:
    """Threat: relationships nobody can oversee. Every operator role reads all grants,
    filtered by institution; a participant certificate cannot read them."""
    net.b.rma_grant(bic8(net.a), ["pacs.009"])
    for name in ("oscar", "carol", "alice"):
        seen = net.operator(name).request("GET", "/v1/ops/rma", {"bic": net.B})
        assert seen and all(bic8(net.b) in (g["receiver"], g["sender"]) for g in seen)
        assert any(g["sender"] == bic8(net.a) and g["types"] == ["pacs.009"] for g in seen)
    everyone = net.operator("carol").request("GET", "/v1/ops/rma")
    assert len(everyone) > len(seen)
    with pytest.raises(ApiError) as caught:
        net.b.request("GET", "/v1/ops/rma")
    assert caught.value.status == 401


def test_audit_trail_names_who_granted_and_revoked(net: Target) -> None:
    """Threat: relationship changes nobody can trace. Each grant and revocation is an
    audit entry whose actor is the institution that made it, in the verified chain."""
    net.b.rma_revoke(bic8(net.a))
    granted = net.b.rma_grant(bic8(net.a), ["pacs.009"])
    net.b.rma_revoke(bic8(net.a), ["pacs.009"])
    entries = net.operator("carol").request("GET", "/v1/ops/audit")
    mine = [e for e in entries if e["action"].startswith("rma.")]
    assert mine[0]["action"] == "rma.grant.all_pairs" and mine[0]["actor"] == "network"
    assert len(mine) == 4
    grant, revoke = mine[-2:]
    assert (grant["action"], grant["actor"]) == ("rma.grant", net.B)
    assert grant["subject"] == granted["id"]
    assert (revoke["action"], revoke["actor"]) == ("rma.revoke", net.B)
    assert revoke["details"]["deleted"] == [granted["id"]]
    assert net.operator("carol").request("GET", "/v1/ops/audit/verify")["ok"] is True
