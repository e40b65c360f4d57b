"""Good-guy exceptions' four-eyes lifecycle (finmesh.domain.screening.goodguys)."""

from __future__ import annotations

import pytest

from finmesh.domain.errors import BadRequest, Refused
from finmesh.domain.screening import goodguys


def draft(expires_ms: int | None = None) -> goodguys.GoodGuyRecord:
    return goodguys.propose(id="GG-1", list_name=" ofac ", entry_id="123", cleared_for="COBADEFF",
                            reason="namesake", expires_ms=expires_ms, officer="alice", now_ms=10)


def test_an_exception_is_in_force_only_after_a_second_officer_approves() -> None:
    record = draft(expires_ms=100)
    assert record.status(11) == "proposed" and record.list_name == "ofac"
    with pytest.raises(Refused, match="four-eyes"):
        goodguys.approve(record, officer="alice", now_ms=11)
    approved = goodguys.approve(record, officer="bob", now_ms=12)
    assert approved.status(12) == "active" and approved.status(100) == "expired"
    with pytest.raises(Refused, match="not awaiting approval"):
        goodguys.approve(approved, officer="carol", now_ms=13)
    assert approved.value().cleared_for == "COBADEFF" and approved.value().expires_ms == 100


def test_one_officer_withdraws_once() -> None:
    withdrawn = goodguys.withdraw(draft(), officer="alice", now_ms=11)
    assert withdrawn.status(11) == "withdrawn" and withdrawn.withdrawn_by == "alice"
    with pytest.raises(Refused):
        goodguys.withdraw(withdrawn, officer="bob", now_ms=12)
    with pytest.raises(Refused):
        goodguys.approve(withdrawn, officer="bob", now_ms=12)


@pytest.mark.parametrize(
    ("field", "value"),
    [("list_name", " "), ("entry_id", ""), ("cleared_for", "x" * 141), ("reason", "")],
)
def test_a_proposal_needs_every_field_within_bounds(field: str, value: str) -> None:
    fields = {"list_name": "ofac", "entry_id": "1", "cleared_for": "Acme", "reason": "r"}
    fields[field] = value
    with pytest.raises(BadRequest):
        goodguys.propose(id="GG-1", expires_ms=None, officer="alice", now_ms=10, **fields)


def test_an_expiry_in_the_past_is_refused() -> None:
    with pytest.raises(BadRequest, match="future"):
        draft(expires_ms=10)
