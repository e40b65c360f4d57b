"""The operator API (/v1/ops) against a real `finmesh serve` process: who may do what,
four-eyes refusals that change nothing, impact analysis over stored traffic, the
disconnected institution's view, and the published OpenAPI document.

One node serves the whole module (starting one costs about a second); each test uses
its own institutions or its own time window, so the tests do not see each other's work.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.iso20022 import example_message
from finmesh.network.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries
from finmesh.node.launcher import NodeProcess

ENTITIES = sanctions_demo_entities()
SUBSIDIARIES = sanctions_demo_subsidiaries()
CBR = ENTITIES["cbr"]


@dataclass
class Served:
    root: Path
    url: str

    def operator(self, name: str) -> Client:
        return Client.from_profile(self.root / "operators" / name, self.url)

    def bank(self, bic11: str) -> Client:
        return Client.from_profile(self.root / "participants" / bic11, self.url)

    def real(self, index: int) -> str:
        listed = set(ENTITIES.values()) | set(SUBSIDIARIES.values())
        names = sorted(p.name for p in (self.root / "participants").iterdir())
        return [n for n in names if n not in listed][index]


@pytest.fixture(scope="module")
def served(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("operator-api") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield Served(root, process.url)
    finally:
        process.stop()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def refused(call: Any, *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def propose(client: Client, **body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.request("POST", "/v1/ops/measures", body=body)
    return answer


FAR = 365 * 86_400_000  # an effective instant far enough ahead to change nothing now


# --- roles --------------------------------------------------------------------------


def test_auditor_and_operator_roles_cannot_propose_or_approve(served: Served) -> None:
    body = {
        "kind": "prohibit",
        "bic": CBR[:8],
        "action": "hold",
        "reference": "Reg (EU) 2022/334",
        "effective_ms": now_ms() + FAR,
    }
    with served.operator("carol") as carol, served.operator("oscar") as oscar:
        for who in (carol, oscar):
            error = refused(who.request, "POST", "/v1/ops/measures", body=body)
            assert error.status == 403 and error.body["error"] == "forbidden", error.body
            assert "compliance" in error.body["message"]
        with served.operator("alice") as alice:
            measure = propose(alice, **body)["id"]
        for who in (carol, oscar):
            error = refused(who.request, "POST", f"/v1/ops/measures/{measure}/approve")
            assert error.status == 403 and error.body["error"] == "forbidden"
            # both may read
            listed = {m["id"]: m for m in who.request("GET", "/v1/ops/measures")}
            assert listed[measure]["status"] == "proposed"
        assert carol.request("GET", "/v1/ops/audit/verify")["ok"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/ops/measures", None),
        ("POST", "/v1/ops/measures", {"kind": "disconnect", "bic": "AAAADEFF", "reference": "x"}),
        ("GET", "/v1/ops/holds", None),
        ("GET", "/v1/ops/audit", None),
        ("POST", "/v1/ops/measures/M-1/approve", None),
    ],
)
def test_participant_keys_cannot_call_operator_endpoints(
    served: Served, method: str, path: str, body: Any
) -> None:
    with served.bank(served.real(0)) as bank:
        error = refused(bank.request, method, path, body=body)
    assert error.status == 401, error.body
    assert error.body["error"] == "authentication_failed"
    unsigned = httpx.request(method, served.url + path, json=body)
    assert unsigned.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/deliveries", None),
        ("POST", "/v1/messages", {"messages": []}),
        ("GET", "/v1/notices", None),
        ("POST", "/v1/deliveries/ack", {"osn": 1}),
    ],
)
def test_operator_keys_cannot_call_participant_endpoints(
    served: Served, method: str, path: str, body: Any
) -> None:
    with served.operator("alice") as alice:
        error = refused(alice.request, method, path, body=body)
    assert error.status == 401, error.body
    assert error.body["error"] == "authentication_failed"


# --- four-eyes ------------------------------------------------------------------------


def test_self_approval_is_refused_and_changes_nothing(served: Served) -> None:
    with served.operator("alice") as alice, served.operator("bob") as bob:
        measure = propose(
            alice,
            kind="disconnect",
            bic=ENTITIES["otkritie"][:8],
            with_subsidiaries=True,
            reference="Reg (EU) 2022/345, Annex XIV",
            effective_ms=now_ms() + FAR,
        )
        prohibition = propose(
            bob,
            kind="prohibit",
            bic=CBR[:8],
            action="hold",
            reference="Reg (EU) 2022/334",
            effective_ms=now_ms() + FAR,
        )
        licence = bob.request(
            "POST",
            "/v1/ops/licences",
            body={
                "measure": prohibition["id"],
                "reference": "energy",
                "purposes": ["ENRG"],
                "currencies": ["EUR"],
                "amount_max": "1000.00",
            },
        )
        measures_before = alice.request("GET", "/v1/ops/measures")
        licences_before = alice.request("GET", "/v1/ops/licences")
        audit_before = alice.request("GET", "/v1/ops/audit")
        attempts = [
            (alice, f"/v1/ops/measures/{measure['id']}/approve"),
            (bob, f"/v1/ops/measures/{prohibition['id']}/approve"),
            (bob, f"/v1/ops/licences/{licence['id']}/approve"),
        ]
        for who, path in attempts:
            error = refused(who.request, "POST", path)
            assert error.status == 409, error.body
            assert error.body["error"] == "refused"
            assert "four-eyes" in error.body["message"]
        assert alice.request("GET", "/v1/ops/measures") == measures_before
        assert alice.request("GET", "/v1/ops/licences") == licences_before
        assert alice.request("GET", "/v1/ops/audit") == audit_before
        # the other officer can
        assert (
            bob.request("POST", f"/v1/ops/measures/{measure['id']}/approve")["status"] == "active"
        )
        entries = alice.request("GET", "/v1/ops/audit")
        assert entries[: len(audit_before)] == audit_before
        [new] = entries[len(audit_before) :]
        assert (new["actor"], new["action"], new["subject"]) == (
            "bob",
            "measure.approve",
            measure["id"],
        )


def test_a_refused_proposal_is_audited_with_its_reason_and_can_never_be_approved(
    served: Served,
) -> None:
    body = {"kind": "prohibit", "bic": CBR[:8], "action": "hold",
            "reference": "draft for refusal", "effective_ms": now_ms() + FAR}
    with served.operator("alice") as alice, served.operator("bob") as bob:
        measure = propose(alice, **body)["id"]
        own = refused(alice.request, "POST", f"/v1/ops/measures/{measure}/refuse",
                      body={"reason": "mine"})
        assert own.status == 409 and "four-eyes" in own.body["message"], own.body
        empty = refused(bob.request, "POST", f"/v1/ops/measures/{measure}/refuse", body={})
        assert empty.status in (400, 422), empty.body
        done = bob.request("POST", f"/v1/ops/measures/{measure}/refuse",
                           body={"reason": "the BIC is the wrong entity"})
        assert (done["status"], done["refused_by"], done["in_force"]) == ("refused", "bob", False)
        assert done["refusal"] == "the BIC is the wrong entity"
        late = refused(bob.request, "POST", f"/v1/ops/measures/{measure}/approve")
        assert late.status == 409, late.body
        trail = bob.request("GET", "/v1/ops/audit")
        entries = trail["entries"] if isinstance(trail, dict) else trail
        refusal = [e for e in entries
                   if e["action"] == "measure.refuse" and e["subject"] == measure]
        assert refusal and refusal[0]["actor"] == "bob"
        assert refusal[0]["details"]["reason"] == "the BIC is the wrong entity"
        assert bob.request("GET", "/v1/ops/audit/verify")["ok"] is True


def test_hold_self_confirmation_is_refused_over_http(served: Served) -> None:
    a, b = served.real(3), served.real(4)
    cbr = ENTITIES["cbr"]
    with served.operator("alice") as alice, served.operator("bob") as bob, served.bank(a) as bank:
        measure = propose(
            alice, kind="prohibit", bic=cbr[:8], action="hold", reference="Reg (EU) 2022/334"
        )
        bob.request("POST", f"/v1/ops/measures/{measure['id']}/approve")
        try:
            [result] = bank.send([example_message("pacs.009", a, b, extra_agent_bics=[cbr])])
            assert result["status"] == "ACK" and f"measure {measure['id']}" in result["detail"]
            holds = alice.request("GET", "/v1/ops/holds")
            [hold] = [h for h in holds if h["message"] == result["id"]]
            path = f"/v1/ops/holds/{hold['id']}/release"
            error = refused(alice.request, "POST", path, body={"reason": None})
            assert error.status == 400  # the first officer must give a reason
            alice.request("POST", path, body={"reason": "documents checked"})
            before = alice.request("GET", "/v1/ops/audit")
            error = refused(alice.request, "POST", path, body={"reason": None})
            assert error.status == 409 and "four-eyes" in error.body["message"]
            assert alice.request("GET", "/v1/ops/audit") == before
            assert bob.request("POST", path, body={})["state"] == "released"
        finally:  # lift, so the prohibition does not reach into later tests
            alice.request("POST", f"/v1/ops/measures/{measure['id']}/lift", body={})
            bob.request("POST", f"/v1/ops/measures/{measure['id']}/approve")


# --- impact analysis ------------------------------------------------------------------


def _send(bank: Client, receiver: str, **options: Any) -> dict[str, Any]:
    payload = example_message(
        options.pop("kind", "pacs.009"), bank.profile.subject, receiver, **options
    )
    [result] = bank.send([payload])
    assert result["status"] == "ACK", result
    return result


def test_impact_of_a_draft_prohibition_over_stored_traffic(served: Served) -> None:
    a, b, c = served.real(0), served.real(1), served.real(2)
    start = now_ms()
    time.sleep(0.002)
    with served.bank(a) as bank_a, served.bank(b) as bank_b:
        eur = {"currency": "EUR"}
        _send(bank_a, b, extra_agent_bics=[CBR], amount=Decimal("100.00"), **eur)
        _send(bank_a, b, extra_agent_bics=[CBR], amount=Decimal("100.00"), **eur)
        _send(bank_a, b, extra_agent_bics=[CBR], amount=Decimal("50.00"), currency="USD")
        _send(bank_a, c, extra_agent_bics=[CBR], amount=Decimal("25.00"), **eur)
        _send(
            bank_b,
            a,
            kind="pacs.008",
            creditor_name="Central Bank of the Russian Federation",
            amount=Decimal("10.00"),
            **eur,
        )
        _send(bank_a, CBR, amount=Decimal("7.00"), **eur)
        # not caught: no cbr anywhere; and one the licence below lets through
        _send(bank_a, b, amount=Decimal("1000.00"), **eur)
        _send(bank_a, b, extra_agent_bics=[CBR], purpose="ENRG", amount=Decimal("300.00"), **eur)
    time.sleep(0.002)
    end = now_ms()

    with served.operator("alice") as alice, served.operator("bob") as bob:
        draft = propose(
            alice, kind="prohibit", bic=CBR[:8], action="reject", reference="draft: Reg 2022/334"
        )
        licence = alice.request(
            "POST",
            "/v1/ops/licences",
            body={
                "measure": draft["id"],
                "reference": "energy",
                "purposes": ["ENRG"],
                "counterparties": [a, b],
                "currencies": ["EUR"],
                "amount_max": "1000.00",
                "valid_from_ms": start,
            },
        )
        bob.request("POST", f"/v1/ops/licences/{licence['id']}/approve")
        params = {"from_ms": start, "to_ms": end}
        with served.operator("carol") as carol:  # the auditor may read it too
            report = carol.request("GET", f"/v1/ops/measures/{draft['id']}/impact", params)
        listed = {m["id"]: m for m in alice.request("GET", "/v1/ops/measures")}
    assert listed[draft["id"]]["status"] == "proposed"  # reading the impact changes nothing

    assert report["covered_institutions"] == [CBR[:8]]
    assert report["messages_examined"] == 8
    assert report["messages_stopped"] == 6
    assert (report["rejected"], report["held"], report["licensed"]) == (6, 0, 1)
    assert report["value_stopped"] == {"EUR": "242.00", "USD": "50.00"}
    counterparties = {x["bic8"]: (x["messages"], x["value"]) for x in report["counterparties"]}
    assert counterparties == {
        a[:8]: (6, {"EUR": "242.00", "USD": "50.00"}),
        b[:8]: (4, {"EUR": "210.00", "USD": "50.00"}),
        c[:8]: (1, {"EUR": "25.00"}),
    }
    assert [x["bic8"] for x in report["counterparties"]] == [a[:8], b[:8], c[:8]]
    corridors = {(x["from"], x["to"]): (x["messages"], x["value"]) for x in report["corridors"]}
    ca, cb, cc = a[4:6], b[4:6], c[4:6]
    assert corridors == {
        (ca, cb): (3, {"EUR": "200.00", "USD": "50.00"}),
        (ca, cc): (1, {"EUR": "25.00"}),
        (cb, ca): (1, {"EUR": "10.00"}),
        (ca, "RU"): (1, {"EUR": "7.00"}),
    }
    assert report["queued_to_return"] == 0  # a prohibition returns nothing


def test_impact_of_a_draft_disconnection_counts_queued_messages(served: Served) -> None:
    bank_bic, sub = ENTITIES["sovcombank"], SUBSIDIARIES["sovcombank_2"]
    a = served.real(0)
    start = now_ms()
    time.sleep(0.002)
    with served.bank(a) as bank_a, served.bank(bank_bic) as sovcombank:
        queued = [_send(bank_a, bank_bic)["id"] for _ in range(3)]
        _send(sovcombank, a, amount=Decimal("5.00"))
        handed = sovcombank.receive(limit=1)["messages"]  # handed out, not acknowledged
        assert [m["id"] for m in handed] == queued[:1]
    time.sleep(0.002)
    end = now_ms()
    with served.operator("alice") as alice:
        draft = propose(
            alice,
            kind="disconnect",
            bic=bank_bic[:8],
            with_subsidiaries=True,
            reference="draft: Reg (EU) 2022/345",
        )
        report = alice.request(
            "GET", f"/v1/ops/measures/{draft['id']}/impact", {"from_ms": start, "to_ms": end}
        )
        error = refused(
            alice.request,
            "GET",
            f"/v1/ops/measures/{draft['id']}/impact",
            {"from_ms": end, "to_ms": start},
        )
        assert error.status == 400
        assert (
            refused(
                alice.request, "GET", "/v1/ops/measures/M-999/impact", {"from_ms": 0, "to_ms": 1}
            ).status
            == 404
        )
    assert sub[:8] in report["covered_institutions"]
    assert SUBSIDIARIES["sovcombank_1"][:8] in report["covered_institutions"]
    assert report["messages_examined"] == 4 and report["messages_stopped"] == 4
    assert report["value_stopped"] == {"EUR": "35.00"}
    assert report["queued_to_return"] == 2
    assert sorted(report["queued_ids"]) == sorted(queued[1:])
    # a draft changes nothing: the bank still receives
    with served.bank(bank_bic) as sovcombank:
        got = [m["id"] for m in sovcombank.receive()["messages"]]
    assert got == queued


# --- the disconnected institution -----------------------------------------------------


def test_disconnected_institution_is_refused_naming_the_measure(served: Served) -> None:
    veb, a = ENTITIES["veb"], served.real(1)
    with served.bank(veb) as bank, served.bank(a) as other:
        [before] = bank.send([example_message("pacs.009", veb, a)])
        assert before["status"] == "ACK"
        with served.operator("alice") as alice, served.operator("bob") as bob:
            measure = propose(
                alice,
                kind="disconnect",
                bic=veb[:8],
                with_subsidiaries=True,
                reference="Reg (EU) 2022/345, Annex XIV",
            )
            approved = bob.request("POST", f"/v1/ops/measures/{measure['id']}/approve")
        assert approved["status"] == "active" and approved["in_force"] is True
        for call in (
            lambda: bank.send([example_message("pacs.009", veb, a)]),
            lambda: bank.receive(),
            lambda: bank.notices(),
            lambda: bank.request("GET", f"/v1/directory/{a}"),
        ):
            error = refused(call)
            assert error.status == 403, error.body
            assert error.body["error"] == "disconnected"
            assert f"measure {measure['id']}" in error.body["message"]
            assert "2022/345" in error.body["message"]
        [to_veb] = other.send([example_message("pacs.009", a, veb)])
        assert to_veb["status"] == "NAK" and to_veb["reason"] == "P01"
        assert f"measure {measure['id']}" in to_veb["detail"]


# --- OpenAPI --------------------------------------------------------------------------


def test_openapi_documents_the_operator_endpoints(served: Served) -> None:
    doc = httpx.get(served.url + "/openapi.json").json()
    paths = doc["paths"]
    expected = {
        "/v1/ops/measures": {"get", "post"},
        "/v1/ops/measures/{measure_id}/approve": {"post"},
        "/v1/ops/measures/{measure_id}/lift": {"post"},
        "/v1/ops/measures/{measure_id}/impact": {"get"},
        "/v1/ops/licences": {"get", "post"},
        "/v1/ops/licences/{licence_id}/approve": {"post"},
        "/v1/ops/holds": {"get"},
        "/v1/ops/holds/{hold_id}/release": {"post"},
        "/v1/ops/holds/{hold_id}/reject": {"post"},
        "/v1/ops/audit": {"get"},
        "/v1/ops/audit/verify": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, sorted(paths[path]))
    proposal = paths["/v1/ops/measures"]["post"]["requestBody"]["content"]["application/json"]
    ref = proposal["schema"]["$ref"]  # resolves from the root: generators can follow it
    fields = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"kind", "bic", "with_subsidiaries", "action", "reference", "effective_ms"} <= set(
        fields
    )
    impact = {p["name"] for p in paths["/v1/ops/measures/{measure_id}/impact"]["get"]["parameters"]}
    assert {"measure_id", "from_ms", "to_ms"} <= impact
    licence = paths["/v1/ops/licences"]["post"]["requestBody"]["content"]["application/json"]
    assert {
        "measure",
        "purposes",
        "counterparties",
        "currencies",
        "amount_max",
        "valid_until_ms",
    } <= set(doc["components"]["schemas"]["LicenceProposal"]["properties"])
    assert licence["schema"] == {"$ref": "#/components/schemas/LicenceProposal"}
    reasons = {r["code"] for r in httpx.get(served.url + "/v1/reasons").json()}
    assert {"P01", "P02", "P03", "P04"} <= reasons
