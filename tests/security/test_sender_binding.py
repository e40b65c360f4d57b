"""Sender binding: the authenticated institution is the AppHdr sender, its signature
covers the exact bytes delivered, and the receiver checks both without trusting the node.
Threats T-SB-* in docs/threat-model.md."""

from __future__ import annotations

import base64
import time
from typing import Any

from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.ca import CertificateAuthority
from tests.security.conftest import EXTERNAL_CHECK_SECONDS, Target, elapsed


def test_bah_sender_of_another_institution_is_nakked(target: Target) -> None:
    """T-SB-1 spoofing: a member submits, under its own authenticated identity, a message
    whose AppHdr From names another institution (the SWIFT-heist pattern of a sender
    posing as someone else). NAK H04 within 2 s, nothing stored, node keeps serving."""
    payload = example_message("pacs.008", target.C, target.B)  # From C, sent by A
    with target.unchanged():
        started = time.monotonic()
        [result] = target.a.send([payload])
        took = elapsed(started)
    assert (result["status"], result["reason"]) == ("NAK", "H04"), result
    assert target.C in result["detail"] and target.A in result["detail"]
    assert took < EXTERNAL_CHECK_SECONDS
    target.still_serves()


def test_unsigned_message_is_nakked(target: Target) -> None:
    """T-SB-2 repudiation: a message without a signature (the request itself is signed,
    but the message could later be disowned). NAK S01, nothing stored."""
    payload = example_message("pacs.008", target.A, target.B)
    with target.unchanged():
        result = target.submit_raw(payload, None)
        empty = target.submit_raw(payload, b"")
    assert (result["status"], result["reason"]) == ("NAK", "S01"), result
    assert (empty["status"], empty["reason"]) == ("NAK", "S01"), empty
    target.still_serves()


def test_message_signature_over_other_bytes_is_nakked(target: Target) -> None:
    """T-SB-3 tampering: a signature that does not cover the exact bytes submitted
    (signed over another message, signed by another member's key, or garbage). NAK S02."""
    payload = example_message("pacs.008", target.A, target.B)
    other = example_message("pacs.008", target.A, target.B)
    forgeries = {
        "other bytes": pki.sign(target.a.profile.key, other),
        "another member's key": pki.sign(target.c.profile.key, payload),
        "garbage": b"\x30\x06\x02\x01\x01\x02\x01\x01",
        "appended byte": pki.sign(target.a.profile.key, payload + b" "),
    }
    with target.unchanged():
        results = {name: target.submit_raw(payload, sig) for name, sig in forgeries.items()}
    for name, result in results.items():
        assert (result["status"], result["reason"]) == ("NAK", "S02"), (name, result)
    target.still_serves()


def _rogue_copy(target: Target, delivered: dict[str, Any], payload: bytes) -> dict[str, Any]:
    """The delivery as a node (or anyone on the path) could forge it: signed by a key
    that a CA other than the network's certified for the sender's BIC."""
    rogue_ca = CertificateAuthority.create("rogue network CA")
    key = pki.generate_key()
    cert = rogue_ca.issue(target.A, pki.public_key_pem(key), kind="participant")
    return {
        **delivered,
        "payload": base64.b64encode(payload).decode(),
        "signature": base64.b64encode(pki.sign(key, payload)).decode(),
        "sender_certificate": cert.decode(),
    }


def test_receiver_refuses_a_forged_delivery(target: Target) -> None:
    """T-SB-4 spoofing by a compromised node or path: the receiver verifies without
    trusting the node (client.verify), and refuses a delivery signed under a certificate
    the network CA did not issue, whose AppHdr names another institution than the
    signer, whose bytes were changed, or whose sender field was rewritten."""
    payload = example_message("pacs.008", target.A, target.B)
    [result] = target.a.send([payload])
    assert result["status"] == "ACK"
    [delivered] = [m for page in target.b.pages() for m in page]
    assert target.b.verify(delivered)  # the genuine one verifies

    altered = example_message("pacs.008", target.A, target.B).replace(b">10.00<", b">99.00<")
    as_c = example_message("pacs.008", target.C, target.B)  # signed by A, AppHdr names C
    operator = target.operator("oscar").profile
    forgeries = {
        "uncertified key": _rogue_copy(target, delivered, altered),
        "header names another institution": {
            **delivered,
            "payload": base64.b64encode(as_c).decode(),
            "signature": base64.b64encode(pki.sign(target.a.profile.key, as_c)).decode(),
        },
        "bytes changed": {
            **delivered,
            "payload": base64.b64encode(base64.b64decode(delivered["payload"]) + b" ").decode(),
        },
        "sender rewritten": {**delivered, "sender": target.C},
        "operator certificate": {
            **delivered,
            "signature": base64.b64encode(pki.sign(operator.key, payload)).decode(),
            "sender_certificate": operator.cert_pem.decode(),
        },
    }
    for name, forged in forgeries.items():
        assert not target.b.verify(forged), name
    target.b.ack(delivered["osn"])
    target.still_serves()
