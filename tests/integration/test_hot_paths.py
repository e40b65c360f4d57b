"""The light path of POST /v1/messages answers exactly as the route through FastAPI does:
the same statuses, bodies and headers for good and bad requests, the same request ids,
log lines and metrics, and a bug answered 500 in the API's shape.

One real node (uvicorn on loopback, in this process so the test can switch the light
path off and on between requests), real keys and signatures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.api.app import create_app
from finmesh.api.hot_paths import FinmeshApp
from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki, request_auth
from finmesh.identity.profile import Profile, load_profile
from finmesh.node.root import Node
from tests.netutil import authorize_all, participants, served_in_process, submission

PATH = "/v1/messages"


@pytest.fixture
def served(network: Path) -> Iterator[tuple[FinmeshApp, Node, str, Path]]:
    node = Node(network)
    authorize_all(node.store, node.clock())
    app = create_app(node)
    assert isinstance(app, FinmeshApp) and ("POST", PATH) in app.hot
    try:
        with served_in_process(app) as url:
            yield app, node, url, network
    finally:
        node.close()


def _signed(profile: Profile, body: bytes) -> dict[str, str]:
    headers = request_auth.sign_request(profile.key, profile.subject, "POST", PATH, body)
    return {**headers, "content-type": "application/json"}


def _cases(sender: Profile, receiver: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """(name, body, headers) of requests each answered differently; fresh each call."""
    payload = example_message("pacs.008", sender.subject, receiver)
    good = json.dumps(
        {"messages": [submission(payload, pki.sign(sender.key, payload))]}
    ).encode()
    bad_json = b'{"messages": ['
    no_item = json.dumps({"messages": [{"signature": "AA=="}]}).encode()
    nak = json.dumps({"messages": [submission(b"<x/>", pki.sign(sender.key, b"<x/>"))]}).encode()
    oversize = b" " * (limits.REQUEST_BYTES_MAX + 1)
    return [
        ("ack", good, _signed(sender, good)),
        ("bad json", bad_json, _signed(sender, bad_json)),
        ("no payload", no_item, _signed(sender, no_item)),
        ("nak", nak, _signed(sender, nak)),
        ("unsigned", good, {"content-type": "application/json"}),
        ("oversize", oversize, _signed(sender, oversize)),
    ]


def _answer(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    for result in body.get("results", []):
        result.pop("id", None)  # each case sends a fresh message
        result.pop("uetr", None)
    return {
        "status": response.status_code,
        "body": body,
        "type": response.headers.get("content-type"),
        "request id": "x-request-id" in response.headers,
        "retry after": response.headers.get("retry-after"),
    }


def test_the_light_path_answers_as_fastapi_does(
    served: tuple[FinmeshApp, Node, str, Path],
) -> None:
    app, _, url, root = served
    a, b = participants(root)[:2]
    sender, receiver = load_profile(a), load_profile(b).subject
    hot = dict(app.hot)
    answers: dict[str, list[dict[str, Any]]] = {}
    with httpx.Client(base_url=url, timeout=30) as http:
        for light in (False, True, False):
            app.hot.clear()
            app.hot.update(hot if light else {})
            for name, body, headers in _cases(sender, receiver):
                answered = _answer(http.post(PATH, content=body, headers=headers))
                answers.setdefault(name, []).append(answered)
        again = http.post(PATH, content=b"{}", headers={"x-request-id": "abc-123"})
    for name, seen in answers.items():
        assert seen[0] == seen[1] == seen[2], name
    assert answers["ack"][1]["body"]["results"][0]["status"] == "ACK"
    assert answers["nak"][1]["body"]["results"][0]["status"] == "NAK"
    assert [answers[n][1]["status"] for n in ("unsigned", "oversize")] == [401, 413]
    assert again.headers["x-request-id"] == "abc-123"  # a client's id is kept


def test_a_bug_on_the_light_path_is_a_500_in_the_api_shape(
    served: tuple[FinmeshApp, Node, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, node, url, root = served
    a, b = participants(root)[:2]
    sender, receiver = load_profile(a), load_profile(b).subject

    def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(node.intake, "submit_group", broken)
    _, body, headers = _cases(sender, receiver)[0]
    response = httpx.post(url + PATH, content=body, headers=headers, timeout=30)
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error", "message": "internal error; the node logged it"
    }
    assert httpx.get(url + "/v1/health", timeout=10).status_code == 200  # still serves
