"""Confidentiality between members: an institution reads and acknowledges only its own
deliveries and notices, whatever it puts in the URL, the query, the body or the auth
headers. Threats T-IS-* in docs/threat-model.md."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.identity import request_auth
from tests.security.conftest import Target

TRICK_PARAMS = ("receiver", "bic", "subject", "owner", "participant", "as")


def _signed_get(target: Target, who: Client, target_path: str, **extra: str) -> httpx.Response:
    headers = request_auth.sign_request(
        who.profile.key, who.profile.subject, "GET", target_path, b""
    )
    return httpx.get(target.url + target_path, headers={**headers, **extra}, timeout=10)


def _tricks(target: Target, path: str, victim: str) -> list[httpx.Response]:
    """A's attempts to read ``path`` as ``victim``: query parameters, path variants,
    a claimed subject with A's signature, and a second subject header."""
    a = target.a
    answers = [_signed_get(target, a, f"{path}?{name}={victim}") for name in TRICK_PARAMS]
    answers += [
        _signed_get(target, a, variant)
        for variant in (
            f"/v1/{victim}{path[3:]}",
            f"{path}/{victim}",
            f"/v1/.{path[3:]}",
            path.upper(),
        )
    ]
    claimed = request_auth.sign_request(a.profile.key, victim, "GET", path, b"")
    answers.append(httpx.get(target.url + path, headers=claimed, timeout=10))
    doubled = request_auth.sign_request(a.profile.key, a.profile.subject, "GET", path, b"")
    raw = [(k.encode(), v.encode()) for k, v in doubled.items()] + [
        (b"Signature-Input", claimed["Signature-Input"].encode())
    ]
    answers.append(httpx.get(target.url + path, headers=raw, timeout=10))
    return answers


def _own_or_refused(response: httpx.Response, key: str, foreign: str) -> None:
    """A trick either fails with a coded 4xx or returns A's own (empty) view."""
    if response.status_code >= 400:
        assert response.status_code < 500 and response.json()["error"], response.text
        return
    assert response.status_code == 200, response.text
    assert foreign not in response.text
    assert response.json()[key] == []


def test_member_cannot_read_another_members_deliveries(target: Target) -> None:
    """T-IS-1 information disclosure between members: C sends B a payment; A tries to
    fetch and acknowledge B's queue through URL, query, header and body tricks. A sees
    nothing of it, and B then receives it as a first delivery (never handed out)."""
    payload = example_message("pacs.008", target.C, target.B)
    [sent] = target.c.send([payload])
    assert sent["status"] == "ACK"
    own = target.a.request("POST", "/v1/deliveries/ack", body={"osn": 0})
    with target.unchanged():
        for response in _tricks(target, "/v1/deliveries", target.B):
            _own_or_refused(response, "messages", sent["id"])
        for body in ({"osn": 1, "receiver": target.B}, {"osn": 1, "bic": target.B}):
            answer: dict[str, Any] = target.a.request("POST", "/v1/deliveries/ack", body=body)
            assert answer == own  # A's own queue, where nothing was waiting
    [delivered] = [m for page in target.b.pages() for m in page]
    assert base64.b64decode(delivered["payload"]) == payload
    assert delivered["possible_duplicate"] is False  # nobody was handed it before
    target.b.ack(delivered["osn"])
    target.still_serves()


def test_member_cannot_read_another_members_notices(target: Target) -> None:
    """T-IS-2 information disclosure of another member's traffic through its delivery
    notices (who paid whom, when): A tries B's notices by the same tricks; B's notice
    stays unread and unacknowledged until B reads it."""
    [sent] = target.b.send([example_message("pacs.008", target.B, target.C)], notify_delivery=True)
    for page in target.c.pages():
        target.c.ack(page[-1]["osn"])
    for notice in target.a.all_notices():
        target.a.ack_notices(notice["seq"])  # A starts with nothing of its own to read
    with target.unchanged():
        for response in _tricks(target, "/v1/notices", target.B):
            _own_or_refused(response, "notices", sent["id"])
        with_victim = {"seq": 10**6, "owner": target.B}
        answer = target.a.request("POST", "/v1/notices/ack", body=with_victim)
        assert answer["acked"] == answer["last"]  # A's own cursor, nothing new
    notices = target.b.notices()
    assert [(n["kind"], n["id"]) for n in notices] == [("delivered", sent["id"])]
    target.b.ack_notices(notices[-1]["seq"])
    target.still_serves()
