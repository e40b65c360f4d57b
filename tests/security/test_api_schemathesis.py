"""The HTTP API fuzzed from its own OpenAPI document (schemathesis) against a real
`finmesh serve`: for every operation, generated valid and invalid requests, each signed
like a real client's (participant routes with a bank's key, /v1/ops with an officer's).
Contract: never a 5xx, and every 4xx in the coded shape {"error", "message"}.
Threat T-FZ-1 in docs/threat-model.md; tests/integration/test_api_fuzz.py adds
hand-written strategies (odd numbers, raw bodies, routing edge cases) on top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from finmesh.identity.profile import Profile, load_profile
from finmesh.identity.request_auth import sign_request
from finmesh.node.launcher import NodeProcess
from tests.netutil import copy_network
from tests.security.conftest import ordinary_banks, serve

EXAMPLES = 8
"""Generated cases per operation and phase: keeps the module to a few seconds."""
WAIT_SECONDS_MAX = 0.05
"""Long polls generated with a longer wait are shortened to this (the API allows 60 s)."""


class SignedRequests(requests.auth.AuthBase):
    """Signs each prepared request over the exact target and body requests will send."""

    def __init__(self, bank: Profile, officer: Profile) -> None:
        self.bank = bank
        self.officer = officer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        who = self.officer if urlsplit(request.url).path.startswith("/v1/ops") else self.bank
        body = request.body or b""
        data = body.encode() if isinstance(body, str) else body
        assert isinstance(data, bytes), type(body)
        try:
            signed = sign_request(
                who.key, who.subject, request.method or "GET", request.path_url, data
            )
        except ValueError:
            return request  # a target no signature can cover: the node must answer 401
        request.headers.update(signed)
        return request


@pytest.fixture(scope="module")
def fuzzed_node(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = copy_network(network_template, tmp_path_factory.mktemp("schemathesis") / "net")
    # rate limits off: a 429 is a fine answer, but it would hide what the handlers do
    node = serve(root, {"FINMESH_SUBJECT_RPS": "0", "FINMESH_PEER_RPS": "0"})
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def session(fuzzed_node: NodeProcess) -> Iterator[requests.Session]:
    root = fuzzed_node.root
    bank = load_profile(root / "participants" / ordinary_banks(root)[0])
    with requests.Session() as http:
        http.auth = SignedRequests(bank, load_profile(root / "operators" / "alice"))
        yield http


def coded_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answers in the API's shape: a stable code and a message."""
    if 400 <= response.status_code < 500:
        data = response.json()
        assert isinstance(data, dict), response.text
        assert isinstance(data.get("error"), str) and data["error"], response.text
        assert isinstance(data.get("message"), str), response.text
    return None


def _short_polls(case: Any) -> None:
    if case.query and "wait" in case.query:
        try:
            if float(case.query["wait"]) > WAIT_SECONDS_MAX:
                case.query["wait"] = WAIT_SECONDS_MAX
        except (TypeError, ValueError):
            pass  # not a number: the node must refuse it, coded


def _fuzz(operation: Any, session: requests.Session, base_url: str) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        _short_polls(case)
        case.call_and_validate(
            base_url=base_url, session=session, checks=[not_a_server_error, coded_errors]
        )

    run()


def test_api_under_generated_requests(fuzzed_node: NodeProcess, session: requests.Session) -> None:
    """T-FZ-1 crashes and unhandled input at any endpoint (denial of service, error
    pages leaking internals): schemathesis generates valid and invalid requests for every
    operation of /openapi.json (the pytest plugin's lazy loader does not run on pytest 9,
    so the operations are walked here)."""
    api = schemathesis.openapi.from_url(fuzzed_node.url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        _fuzz(operation, session, fuzzed_node.url)
