"""Out-of-range inputs over HTTP: a coded refusal, never a 500, nothing stored, and the
node keeps serving (rate limits: tests/security/test_flood.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from finmesh.client import Client
from finmesh.node.launcher import NodeProcess
from tests.netutil import participants

# The flood test (429 with Retry-After, nothing stored, service resumes) is an attack:
# tests/security/test_flood.py.


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "/v1/deliveries", {"after": 2**63}, None),
        ("GET", "/v1/deliveries", {"after": -1}, None),
        ("GET", "/v1/deliveries", {"limit": 0}, None),
        ("GET", "/v1/deliveries", {"wait": 10_000}, None),
        ("GET", "/v1/deliveries", {"after": "x"}, None),
        ("GET", "/v1/notices", {"after": 2**70}, None),
        ("POST", "/v1/deliveries/ack", None, {"osn": 2**63}),
        ("POST", "/v1/deliveries/ack", None, {"osn": -5}),
        ("POST", "/v1/notices/ack", None, {"seq": "many"}),
        ("POST", "/v1/messages", None, {"messages": [{"payload": "%%%"}]}),
        ("POST", "/v1/messages", None, {"messages": "nope"}),
        ("GET", "/v1/directory/not-a-bic", None, None),
        ("GET", "/v1/certificates/ZZZZZZZZ", None, None),
    ],
)
def test_out_of_range_participant_inputs_get_a_coded_4xx(
    network: Path, node: NodeProcess, method: str, path: str, params: object, body: object
) -> None:
    a = participants(network)[0]
    with Client.from_profile(a, node.url) as client:
        with pytest.raises(Exception) as refused:
            client.request(method, path, params, body)  # type: ignore[arg-type]
        status = getattr(refused.value, "status", None)
        assert status is not None and 400 <= status < 500, refused.value
        assert isinstance(refused.value.body, dict) and refused.value.body.get("error")
        assert client.request("GET", "/v1/deliveries")["messages"] == []  # still serving


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "/v1/ops/measures/M-1/impact", {"from_ms": -1, "to_ms": 5}, None),
        ("GET", "/v1/ops/measures/M-1/impact", {"from_ms": 0, "to_ms": 10**20}, None),
        ("POST", "/v1/ops/holds/99999999999999999999999/release", None, {"reason": "x"}),
        ("POST", "/v1/ops/holds/0/reject", None, {"reason": "x"}),
        (
            "POST",
            "/v1/ops/measures",
            None,
            {"kind": "disconnect", "bic": "AAAARUMM", "reference": "r", "effective_ms": 10**30},
        ),
        (
            "POST",
            "/v1/ops/licences",
            None,
            {"measure": "M-1", "reference": "r", "amount_max": "1e400"},
        ),
        ("GET", "/v1/ops/audit", {"limit": 10**9}, None),
    ],
)
def test_out_of_range_operator_inputs_get_a_coded_4xx(
    network: Path, node: NodeProcess, method: str, path: str, params: object, body: object
) -> None:
    with Client.from_profile(network / "operators" / "alice", node.url) as alice:
        with pytest.raises(Exception) as refused:
            alice.request(method, path, params, body)  # type: ignore[arg-type]
        status = getattr(refused.value, "status", None)
        assert status is not None and 400 <= status < 500, refused.value
        assert alice.request("GET", "/v1/ops/measures") == []


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/nowhere", 404, "not_found"),
        ("POST", "/v1/health", 405, "method_not_allowed"),
        ("GET", "/v1/deliveries/ack", 405, "method_not_allowed"),
    ],
)
def test_unknown_paths_and_methods_answer_in_the_api_error_shape(
    node: NodeProcess, method: str, path: str, status: int, code: str
) -> None:
    response = httpx.request(method, node.url + path, timeout=5)
    assert response.status_code == status
    assert response.json()["error"] == code and response.json()["message"]
