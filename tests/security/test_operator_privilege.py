"""Operators: least privilege by role, four eyes on every change, every action
attributed to the certificate that signed it, and an audit trail whose tampering is
detected. Threats T-OP-* in docs/threat-model.md."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import ApiError
from finmesh.node.root import Node
from tests.netutil import run_cli
from tests.security.conftest import Target

NEVER_MS = 253_402_300_799_999
"""An effective instant (9999-12-31) that keeps test measures out of force."""


def _proposal(reference: str) -> dict[str, Any]:
    return {
        "kind": "prohibit",
        "bic": "QXQXDEFF",
        "name": "Nobody Trading Ltd",
        "action": "hold",
        "reference": reference,
        "effective_ms": NEVER_MS,
    }


def _refused(call: Any, *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/ops/measures", None),
        ("POST", "/v1/ops/measures", _proposal("by a bank")),
        ("GET", "/v1/ops/audit", None),
        ("POST", "/v1/ops/holds/1/release", {"reason": "let it go"}),
    ],
)
def test_member_key_cannot_reach_operator_endpoints(
    target: Target, method: str, path: str, body: Any
) -> None:
    """T-OP-1 elevation of privilege by a member: a participant's valid key on /v1/ops.
    The operator API authenticates operator certificates only, so a participant is no
    operator at all there: 401 authentication_failed (not 403), nothing changes."""
    with target.unchanged():
        error = _refused(target.a.request, method, path, body=body)
    assert error.status == 401 and error.body["error"] == "authentication_failed", error.body
    target.still_serves()


def test_auditor_and_network_operator_cannot_change_policy(target: Target) -> None:
    """T-OP-2 elevation of privilege by an insider: the auditor (carol) and the network
    operator (oscar) may read but may neither propose nor approve a measure: 403."""
    alice, carol, oscar = (target.operator(n) for n in ("alice", "carol", "oscar"))
    measure = alice.request("POST", "/v1/ops/measures", body=_proposal("T-OP-2"))["id"]
    with target.unchanged():
        for who in (carol, oscar):
            proposing = _refused(who.request, "POST", "/v1/ops/measures", body=_proposal("x"))
            approving = _refused(who.request, "POST", f"/v1/ops/measures/{measure}/approve")
            for error in (proposing, approving):
                assert error.status == 403 and error.body["error"] == "forbidden", error.body
                assert "compliance" in error.body["message"]
            listed = {m["id"]: m["status"] for m in who.request("GET", "/v1/ops/measures")}
            assert listed[measure] == "proposed"
    target.still_serves()


def test_officer_cannot_approve_their_own_proposal(target: Target) -> None:
    """T-OP-3 a single rogue officer: alice proposes and tries to approve her own
    proposal (four-eyes). Refused 409 and nothing changes; bob's approval works."""
    alice, bob = target.operator("alice"), target.operator("bob")
    measure = alice.request("POST", "/v1/ops/measures", body=_proposal("T-OP-3"))["id"]
    with target.unchanged():
        error = _refused(alice.request, "POST", f"/v1/ops/measures/{measure}/approve")
    assert error.status == 409 and "four-eyes" in error.body["message"], error.body
    approved = bob.request("POST", f"/v1/ops/measures/{measure}/approve")
    assert (approved["status"], approved["approved_by"]) == ("active", "bob")
    target.still_serves()


def test_operator_actions_are_attributed_to_their_signer(target: Target) -> None:
    """T-OP-4 repudiation by an insider: every operator action is recorded in the audit
    trail under the name in the certificate that signed the request; fields in the
    body claiming another actor are ignored; the chain verifies online and offline."""
    alice, bob, carol = (target.operator(n) for n in ("alice", "bob", "carol"))
    claimed = {**_proposal("T-OP-4"), "actor": "bob", "proposed_by": "bob", "officer": "bob"}
    measure = alice.request("POST", "/v1/ops/measures", body=claimed)["id"]
    bob.request("POST", f"/v1/ops/measures/{measure}/approve")
    trail = [e for e in carol.request("GET", "/v1/ops/audit") if e["subject"] == measure]
    assert [(e["actor"], e["action"]) for e in trail] == [
        ("alice", "measure.propose"),
        ("bob", "measure.approve"),
    ]
    assert carol.request("GET", "/v1/ops/audit/verify")["ok"] is True
    offline = run_cli("audit", "verify", target.root)
    assert offline.returncode == 0 and '"ok": true' in offline.stdout, offline.stderr
    target.still_serves()


def _tamper(database: Path, sql: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(sql)


def test_audit_tampering_is_detected(network: Path) -> None:
    """T-OP-5 tampering by someone with write access to the database (an insider on the
    node host): an edited entry, and the newest entries cut off, are both reported by
    `finmesh audit verify` (exit 1, naming the entry). Rewriting the database and
    audit.head together is not detected: a residual risk in the threat model."""
    node = Node(network)
    try:
        for officer in ("alice", "bob"):
            node.compliance.propose_measure(
                officer,
                ("compliance",),
                kind="prohibit",
                bic="QXQXDEFF",
                name="Nobody Trading Ltd",
                with_subsidiaries=False,
                action="hold",
                reference=f"T-OP-5 by {officer}",
                effective_ms=NEVER_MS,
            )
    finally:
        node.close()
    assert run_cli("audit", "verify", network).returncode == 0
    database = network / "finmesh.db"
    with sqlite3.connect(database) as db:
        first, last = db.execute("SELECT min(seq), max(seq) FROM audit").fetchone()
    _tamper(database, f"UPDATE audit SET actor = 'mallory' WHERE seq = {first}")
    edited = run_cli("audit", "verify", network)
    assert edited.returncode == 1 and f'"first_bad_seq": {first}' in edited.stdout, edited.stdout
    _tamper(database, f"UPDATE audit SET actor = 'alice' WHERE seq = {first}")
    _tamper(database, f"DELETE FROM audit WHERE seq = {last}")
    cut = run_cli("audit", "verify", network)
    assert cut.returncode == 1 and '"ok": false' in cut.stdout, cut.stdout
