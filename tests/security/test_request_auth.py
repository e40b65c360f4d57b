"""Request authentication at the node's HTTP edge: every request is signed by the
institution's key over method, target, timestamp, nonce and body. Threats T-RA-* in
docs/threat-model.md."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.iso20022 import example_message
from finmesh.identity import request_auth
from finmesh.network.create import init_network
from tests.security.conftest import Target, json_body

PATH = "/v1/messages"


def _submission(target: Target) -> bytes:
    client = target.a
    payload = example_message("pacs.008", target.A, target.B)
    return json_body({"messages": [client._signed(payload, False)]})


def _post(target: Target, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(
        target.url + PATH,
        content=body,
        headers={**headers, "content-type": "application/json"},
        timeout=10,
    )


def _refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 401, response.text
    answer = response.json()
    assert answer["error"] == "authentication_failed"
    assert words in answer["message"], answer


def test_unsigned_request_is_refused(target: Target) -> None:
    """T-RA-1 spoofing by an outsider: a request without the three signature headers (RFC 9421), or
    with only some of them, is refused 401 before its body is read."""
    body = _submission(target)
    signed = request_auth.sign_request(target.a.profile.key, target.A, "POST", PATH, body)
    with target.unchanged():
        _refused(_post(target, {}, body), "missing header")
        partial = {k: v for k, v in signed.items() if k != "Signature"}
        _refused(_post(target, partial, body), "missing header Signature")
        _refused(httpx.get(target.url + "/v1/deliveries", timeout=10), "missing header")
    target.still_serves()


def test_replayed_request_is_refused(target: Target) -> None:
    """T-RA-2 replay: a captured request sent again with the same nonce (inside the
    timestamp window) is refused 401; the message it carried is stored once."""
    body = _submission(target)
    headers = request_auth.sign_request(target.a.profile.key, target.A, "POST", PATH, body)
    first = _post(target, headers, body)
    assert first.status_code == 200 and first.json()["results"][0]["status"] == "ACK"
    [original] = [m for page in target.b.pages() for m in page]
    target.b.ack(original["osn"])
    with target.unchanged():
        _refused(_post(target, headers, body), "replay")
    assert [m for page in target.b.pages() for m in page] == []
    target.still_serves()


@pytest.mark.parametrize("offset_s", [-600, 600], ids=["ten-minutes-old", "ten-minutes-ahead"])
def test_stale_timestamp_is_refused(target: Target, offset_s: int) -> None:
    """T-RA-3 replay after the nonce window: a request whose timestamp is outside ±120 s
    of the node's clock is refused 401, so nonces need only be kept for that window."""
    body = _submission(target)
    at = time.time_ns() // 1_000_000 + offset_s * 1000
    headers = request_auth.sign_request(
        target.a.profile.key, target.A, "POST", PATH, body, now_ms=at
    )
    with target.unchanged():
        _refused(_post(target, headers, body), "created outside the allowed window")
    target.still_serves()


def test_tampered_body_with_a_valid_header_signature_is_refused(target: Target) -> None:
    """T-RA-4 tampering in transit: valid headers signed over one body, another body sent
    (a man in the middle swapping the batch), or the target changed. Refused 401."""
    body = _submission(target)
    headers = request_auth.sign_request(target.a.profile.key, target.A, "POST", PATH, body)
    swapped = _submission(target)
    with target.unchanged():
        _refused(_post(target, headers, swapped), "Content-Digest sha-256 does not match")
        _refused(_post(target, headers, body + b" "), "Content-Digest sha-256 does not match")
        # the digest replaced to match the swapped body: the signature covers the digest
        redigested = {**headers, "Content-Digest": request_auth.content_digest(swapped)}
        _refused(_post(target, redigested, swapped), "bad signature")
        moved = httpx.post(
            target.url + "/v1/notices/ack",
            content=body,
            headers={**headers, "content-type": "application/json"},
            timeout=10,
        )
        _refused(moved, "bad signature")
    target.still_serves()


def test_signature_cannot_claim_another_subject(target: Target) -> None:
    """T-RA-5 spoofing by a member: A signs with its own key but names B (or an operator)
    as the subject. The signature is checked against the named subject's certificate."""
    body = _submission(target)
    as_b = request_auth.sign_request(target.a.profile.key, target.B, "POST", PATH, body)
    as_alice = request_auth.sign_request(
        target.a.profile.key, "alice", "GET", "/v1/ops/measures", b""
    )
    with target.unchanged():
        _refused(_post(target, as_b, body), "bad signature")
        response = httpx.get(target.url + "/v1/ops/measures", headers=as_alice, timeout=10)
        _refused(response, "bad signature")
    target.still_serves()


def test_identity_from_another_networks_ca_is_refused(target: Target, tmp_path: Path) -> None:
    """T-RA-6 spoofing with a look-alike identity: a profile for the same BIC issued by
    another network's CA (same subject, different key and CA) is refused 401."""
    other = init_network(tmp_path / "other", demo=True, url=target.url, name="finmesh")
    impostor = Client.from_profile(other.participants / target.A, target.url)
    try:
        assert impostor.profile.ca_pem != target.a.profile.ca_pem
        with target.unchanged():
            with pytest.raises(ApiError) as caught:
                impostor.send([example_message("pacs.008", target.A, target.B)])
            assert caught.value.status == 401
            assert "bad signature" in caught.value.body["message"]
    finally:
        impostor.close()
    target.still_serves()
