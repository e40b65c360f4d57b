"""Operator actions retried after a lost answer get their original result, not 409; a
retry that is not one (another officer, another instant) is still refused. Issue 15
point 4."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.iso20022 import example_message
from finmesh.network.demo_directory import sanctions_demo_entities
from finmesh.node.launcher import NodeProcess
from tests.integration.test_operator_api import FAR, Served, now_ms

CBR = sanctions_demo_entities()["cbr"]


@pytest.fixture(scope="module")
def served(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("operator-retries") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield Served(root, process.url)
    finally:
        process.stop()


def _post(client: Client, path: str, body: Any = None) -> dict[str, Any]:
    answer: dict[str, Any] = client.request("POST", path, body=body)
    return answer


def _refused(client: Client, path: str, body: Any = None) -> ApiError:
    with pytest.raises(ApiError) as caught:
        client.request("POST", path, body=body)
    return caught.value


def test_retried_approve_and_lift_return_the_original_result(served: Served) -> None:
    with served.operator("alice") as alice, served.operator("bob") as bob:
        measure = _post(
            alice,
            "/v1/ops/measures",
            {"kind": "prohibit", "bic": CBR[:8], "action": "hold", "reference": "retry",
             "effective_ms": now_ms() + FAR},
        )
        approve = f"/v1/ops/measures/{measure['id']}/approve"
        first = _post(bob, approve)
        audit = alice.request("GET", "/v1/ops/audit")
        assert _post(bob, approve) == first  # the retry: same answer, nothing written
        assert alice.request("GET", "/v1/ops/audit") == audit
        # not a retry: the proposer trying to approve is still refused
        assert _refused(alice, approve).status == 409

        lift = f"/v1/ops/measures/{measure['id']}/lift"
        when = now_ms() + FAR + 1000
        proposed = _post(alice, lift, {"effective_ms": when})
        assert proposed["status"] == "lift_proposed"
        assert _post(alice, lift, {"effective_ms": when}) == proposed
        # a "retry" for another instant is a different request: refused
        assert _refused(alice, lift, {"effective_ms": when + 1}).status == 409
        lifted = _post(bob, approve)
        assert lifted["status"] == "lifted"
        assert _post(bob, approve) == lifted
        assert alice.request("GET", "/v1/ops/audit/verify")["ok"] is True


def test_retried_licence_approval_returns_the_licence(served: Served) -> None:
    with served.operator("alice") as alice, served.operator("bob") as bob:
        measure = _post(
            alice,
            "/v1/ops/measures",
            {"kind": "prohibit", "bic": CBR[:8], "action": "hold", "reference": "licence retry",
             "effective_ms": now_ms() + FAR},
        )
        licence = _post(
            alice,
            "/v1/ops/licences",
            {"measure": measure["id"], "reference": "energy", "purposes": ["ENRG"],
             "currencies": ["EUR"], "amount_max": "1000.00"},
        )
        path = f"/v1/ops/licences/{licence['id']}/approve"
        first = _post(bob, path)
        assert first["status"] == "active"
        assert _post(bob, path) == first
        assert _refused(alice, path).status == 409  # the proposer, not a retry


def test_retried_hold_confirmation_returns_the_decided_hold(served: Served) -> None:
    a, b = served.real(3), served.real(4)
    with served.operator("alice") as alice, served.operator("bob") as bob, served.bank(a) as bank:
        measure = _post(
            alice,
            "/v1/ops/measures",
            {"kind": "prohibit", "bic": CBR[:8], "action": "hold", "reference": "hold retry"},
        )
        _post(bob, f"/v1/ops/measures/{measure['id']}/approve")
        try:
            [result] = bank.send([example_message("pacs.009", a, b, extra_agent_bics=[CBR])])
            holds = alice.request("GET", "/v1/ops/holds")
            [hold] = [h for h in holds if h["message"] == result["id"]]
            path = f"/v1/ops/holds/{hold['id']}/reject"
            _post(alice, path, {"reason": "listed agent"})
            decided = _post(bob, path, {})
            assert decided["state"] == "rejected"
            audit = alice.request("GET", "/v1/ops/audit")
            assert _post(bob, path, {}) == decided
            assert alice.request("GET", "/v1/ops/audit") == audit
            # releasing what was rejected is no retry
            assert _refused(bob, f"/v1/ops/holds/{hold['id']}/release", {}).status == 409
        finally:
            _post(alice, f"/v1/ops/measures/{measure['id']}/lift", {})
            _post(bob, f"/v1/ops/measures/{measure['id']}/approve")
