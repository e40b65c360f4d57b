"""Certificate revocation and key rotation against a real `finmesh serve`. One test per
threat; each docstring names the threat it shows refused."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.client import ApiError, Client
from finmesh.config import NetworkConfig
from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import load_profile
from finmesh.network.create import load_ca
from finmesh.node.clock import system_clock
from finmesh.node.intake import Submission
from finmesh.node.launcher import NodeProcess
from finmesh.node.root import Node
from finmesh.node.trust import rotate_participant, signer
from finmesh.store.port import RetiredCertificate
from finmesh.store.sqlite import SqliteStore
from tests.security.conftest import Target, target_over


@pytest.fixture
def net(network: Path, node: NodeProcess) -> Iterator[Target]:
    """A fresh network and node per test: these tests change certificates."""
    with target_over(network, node) as found:
        yield found


def rotate(root: Path, bic11: str) -> tuple[Path, RetiredCertificate, str]:
    """`finmesh cert rotate` in process: the CA in the network folder, the live store."""
    config = NetworkConfig.load(root)
    store = SqliteStore(config.database)
    try:
        ca = load_ca(config)
        return rotate_participant(config, store, ca, bic11, "ca:test", system_clock())
    finally:
        store.close()


def revoke(net: Target, bic11: str, reason: str = "key compromised") -> dict[str, Any]:
    answer: dict[str, Any] = net.operator("oscar").cert_revoke(bic11, reason)
    return answer


def refused(call: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


def delivered(client: Client) -> list[dict[str, Any]]:
    return [m for page in client.pages() for m in page]


def test_revoked_certificate_is_refused_from_the_next_request(net: Target) -> None:
    """Threat: a stolen key kept in use after the institution reported it. Once the
    operator revokes the certificate, the very next request signed under it is refused
    with a coded 401; other institutions are unaffected."""
    assert net.a.notices() == []
    serial = pki.certificate_identity(net.a.profile.cert_pem).serial
    answer = revoke(net, net.A)
    assert (answer["bic"], answer["serial"], answer["revoked_by"]) == (net.A, serial, "oscar")
    for call in (net.a.notices, lambda: net.a.send([example_message("pacs.008", net.A, net.B)])):
        error = refused(call)
        assert error.status == 401 and error.body["error"] == "certificate_revoked"
        assert serial in error.body["message"]
    [other] = net.b.send([example_message("pacs.008", net.B, net.C)])  # others carry on
    assert other["status"] == "ACK"
    again = refused(lambda: revoke(net, net.A))
    assert again.status == 409 and "already revoked" in again.body["message"]
    assert refused(lambda: revoke(net, "QXQXDEFFXXX")).status == 404


def test_only_the_operator_role_revokes_certificates(net: Target) -> None:
    """Threat: a compliance officer, an auditor or a participant cutting an institution
    off by revoking its certificate. Only the operator role may; nothing changes else."""
    with net.unchanged():
        for name in ("alice", "carol"):
            error = refused(lambda name=name: net.operator(name).cert_revoke(net.A))
            assert error.status == 403 and error.body["error"] == "forbidden"
        path = f"/v1/ops/certificates/{net.A}/revoke"
        assert refused(lambda: net.b.request("POST", path, body={})).status == 401
    assert net.a.notices() == []


def test_rotation_refuses_the_old_key(net: Target) -> None:
    """Threat: a replaced key that still opens the door. After a rotation, requests
    signed with the old key are refused; the new profile works at once."""
    folder, old, new_serial = rotate(net.root, net.A)
    assert old.serial == pki.certificate_identity(net.a.profile.cert_pem).serial
    assert old.usable_until_ms is not None and old.rotated_ms is not None
    assert old.usable_until_ms - old.rotated_ms == limits.CERT_ROTATION_GRACE_SECONDS * 1000
    error = refused(net.a.notices)
    assert error.status == 401 and "bad signature" in error.body["message"]
    with Client.from_profile(folder, net.url) as renewed:
        assert pki.certificate_identity(renewed.profile.cert_pem).serial == new_serial
        assert renewed.notices() == []
        [result] = renewed.send([example_message("pacs.008", net.A, net.B)])
        assert result["status"] == "ACK"


def test_messages_signed_before_rotation_still_verify_at_the_receiver(net: Target) -> None:
    """Threat: a rotation that makes honest messages in flight unverifiable (or lets
    the receiver be told any certificate). A message signed with the old key reaches the
    receiver with the old certificate, which verifies it; one signed after, with the new."""
    before = example_message("pacs.008", net.A, net.B)
    assert net.a.send([before])[0]["status"] == "ACK"
    folder, old, _ = rotate(net.root, net.A)
    after = example_message("pacs.008", net.A, net.B)
    with Client.from_profile(folder, net.url) as renewed:
        assert renewed.send([after])[0]["status"] == "ACK"
        new_pem = renewed.profile.cert_pem
    first, second = delivered(net.b)
    assert base64.b64decode(first["payload"]) == before
    assert first["sender_certificate"].encode() == old.cert_pem
    assert first["sender_certificate_status"] == "rotated"
    assert second["sender_certificate"].encode() == new_pem
    assert second["sender_certificate_status"] == "current"
    assert net.b.verify(first) and net.b.verify(second)
    swapped = {**first, "sender_certificate": second["sender_certificate"]}
    assert not net.b.verify(swapped)  # the old message does not verify with the new key


def test_rotated_certificate_is_not_offered_after_the_grace_period(network: Path) -> None:
    """Threat: an old key trusted for ever. Past CERT_ROTATION_GRACE_SECONDS the node no
    longer offers the rotated certificate, so an old message no longer verifies."""
    node = Node(network)
    try:
        a, b = node.store.participants()[:2]
        sender = load_profile(network / "participants" / a)
        payload = example_message("pacs.008", a, b)
        item = Submission(payload, pki.sign(sender.key, payload))
        [verdict] = node.intake.submit(a, sender.cert_pem, [item])
        assert verdict.status == "ACK"
        _, old, _ = rotate(network, a)
        [d] = node.delivery.fetch(b, None, 10)
        assert old.usable_until_ms is not None
        states = node.trust.certificates()
        within = signer(d, states, old.usable_until_ms - 1)
        assert within == (old.cert_pem, "rotated")
        past, status = signer(d, states, old.usable_until_ms)
        assert past == node.store.participant_cert(a) and status == "current"
        assert not pki.verify_signature(past, d.payload, d.signature)
    finally:
        node.close()


def test_messages_accepted_before_revocation_stay_deliverable_marked_revoked(
    net: Target,
) -> None:
    """Threat: a revocation that silently rewrites history. A message the network ACKed
    while the certificate was good is still delivered, verifiable, and marked with the
    certificate's revocation so the receiver can decide."""
    payload = example_message("pacs.008", net.A, net.B)
    assert net.a.send([payload])[0]["status"] == "ACK"
    revoke(net, net.A)
    [message] = delivered(net.b)
    assert base64.b64decode(message["payload"]) == payload
    assert net.b.verify(message)
    assert message["sender_certificate_status"] == "revoked"


def test_rotation_after_revocation_restores_access(net: Target) -> None:
    """Threat: an institution locked out for good after a compromise. The CA issues a
    new key; the revoked certificate stays revoked, the new one is accepted."""
    revoke(net, net.A)
    folder, old, _ = rotate(net.root, net.A)
    assert old.revoked_ms is not None  # rotating does not un-revoke
    with Client.from_profile(folder, net.url) as renewed:
        assert renewed.notices() == []
    assert refused(net.a.notices).status == 401


def test_audit_trail_names_who_revoked_and_rotated(net: Target) -> None:
    """Threat: certificate changes nobody can trace. The revocation names the operator,
    the rotation the CA holder, each in the verified chain with the serials involved."""
    serial = pki.certificate_identity(net.a.profile.cert_pem).serial
    revoke(net, net.A, "reported stolen")
    _, _, new_serial = rotate(net.root, net.A)
    carol = net.operator("carol")
    entries = [e for e in carol.request("GET", "/v1/ops/audit") if e["action"].startswith("cert.")]
    revoked, rotated = entries
    assert (revoked["action"], revoked["actor"]) == ("cert.revoke", "oscar")
    assert revoked["subject"] == net.A
    assert revoked["details"] == {"serial": serial, "reason": "reported stolen"}
    assert (rotated["action"], rotated["actor"]) == ("cert.rotate", "ca:test")
    assert rotated["details"]["old_serial"] == serial
    assert rotated["details"]["new_serial"] == new_serial
    assert carol.request("GET", "/v1/ops/audit/verify")["ok"] is True
    assert httpx.get(net.url + "/v1/health").status_code == 200
