"""Impact analysis on small crafted traffic sets, number by number."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from finmesh.domain.directory import OwnershipLink
from finmesh.domain.errors import BadRequest
from finmesh.domain.iso20022.model import Party
from finmesh.domain.policy.impact import QUEUED_IDS_SHOWN, TrafficRecord, impact
from finmesh.domain.policy.licences import Licence, approve_licence, propose_licence
from finmesh.domain.policy.measures import Measure, covered_bic8s, propose_measure
from finmesh.domain.policy.screening import MessageFacts

LISTED, SUB = "LSTDRUMM", "LSUBRUMM"
CENTRAL = "CENTRUMM"
DE, FR, GB = "BANKDEFFXXX", "BANKFRPPXXX", "BANKGB2LXXX"
FAR_FUTURE = 4_102_444_800_000  # 2100: impact ignores the effective instant


def proposed(
    kind: str, bic8: str, action: str = "reject", name: str | None = None, id: str = ""
) -> Measure:
    fields: dict[str, Any] = {
        "id": id or f"M-{kind}",
        "kind": kind,
        "bic8": bic8,
        "name": name,
        "with_subsidiaries": True,
        "action": action,
        "reference": "draft",
        "effective_ms": FAR_FUTURE,
        "officer": "alice",
        "now_ms": 0,
    }
    return propose_measure(**fields)


def record(
    id: str,
    at: int,
    sender: str,
    receiver: str,
    amount: str | None = None,
    currency: str | None = None,
    parties: tuple[Party, ...] = (),
    purposes: tuple[str, ...] = (),
) -> TrafficRecord:
    value = None if amount is None else Decimal(amount)
    facts = MessageFacts(sender, receiver, parties, purposes, value, currency)
    return TrafficRecord(id, at, facts)


def test_disconnection_impact() -> None:
    measure = proposed("disconnect", LISTED)
    covered = covered_bic8s(LISTED, True, [OwnershipLink(LISTED, SUB, Decimal("51"))])
    traffic = [
        record("before", 99, DE, LISTED + "XXX", "9", "EUR"),  # before the period
        record("m1", 100, DE, LISTED + "XXX", "1000", "EUR"),
        record("m2", 200, LISTED + "MOS", FR, "500", "USD"),
        record("m3", 300, DE, FR, "7", "EUR"),  # unrelated
        record("m4", 400, DE, SUB + "XXX", "250.50", "EUR"),  # subsidiary
        record("m5", 500, GB, LISTED + "XXX"),  # no amount
        record("m6", 600, DE, FR, parties=(Party("IntrmyAgt1", LISTED, None, None),)),
        record("end", 1000, DE, LISTED + "XXX", "9", "EUR"),  # the period end is excluded
    ]
    queued = [
        record("q1", 50, DE, LISTED + "XXX"),
        record("q2", 60, LISTED + "XXX", FR),  # sent by it: still delivered
        record("q3", 70, GB, SUB + "XXX"),
    ]
    report = impact(measure, covered, traffic, queued, [], period_from_ms=100, period_to_ms=1000)
    assert report == {
        "measure": "M-disconnect",
        "kind": "disconnect",
        "covered_institutions": [LISTED, SUB],
        "period": {"from_ms": 100, "to_ms": 1000},
        "messages_examined": 6,
        "messages_stopped": 4,
        "held": 0,
        "rejected": 4,
        "licensed": 0,
        "value_stopped": {"EUR": "1250.50", "USD": "500"},
        "counterparties": [
            {"bic8": "BANKDEFF", "messages": 2, "value": {"EUR": "1250.50"}},
            {"bic8": "BANKFRPP", "messages": 1, "value": {"USD": "500"}},
            {"bic8": "BANKGB2L", "messages": 1, "value": {}},
        ],
        "corridors": [
            {"from": "DE", "to": "RU", "messages": 2, "value": {"EUR": "1250.50"}},
            {"from": "GB", "to": "RU", "messages": 1, "value": {}},
            {"from": "RU", "to": "FR", "messages": 1, "value": {"USD": "500"}},
        ],
        "queued_to_return": 2,
        "queued_ids": ["q1", "q3"],
    }
    json.dumps(report)


def energy_licence(measure: Measure, **changes: Any) -> Licence:
    fields: dict[str, Any] = {
        "id": "L-ENERGY",
        "measure": measure,
        "reference": "GL 8",
        "purposes": {"GDDS"},
        "counterparties": (),
        "currencies": {"EUR"},
        "amount_max": None,
        "total_max": Decimal("150"),
        "valid_from_ms": 0,
        "valid_until_ms": None,
        "officer": "carol",
        "now_ms": 0,
    }
    fields.update(changes)
    return approve_licence(propose_licence(**fields), officer="dave", now_ms=0)


def test_prohibition_impact_with_licences() -> None:
    measure = proposed("prohibit", CENTRAL, action="hold", name="Central Bank of Examplia")
    covered = frozenset({CENTRAL})
    via = (Party("IntrmyAgt1", CENTRAL + "XXX", None, None),)
    named = (Party("UltmtCdtr", None, "CENTRAL BANK OF EXAMPLIA", None),)
    traffic = [
        record("e3", 30, DE, FR, "100", "EUR", via, ("GDDS",)),  # total cap reached
        record("e1", 10, DE, CENTRAL + "XXX", "100", "EUR", (), ("GDDS",)),  # licensed
        record("e2", 20, GB, FR, "50", "EUR", named, ("GDDS",)),  # licensed (150 used)
        record("x1", 40, DE, CENTRAL + "XXX", "10", "EUR", (), ("CASH",)),  # wrong purpose
        record("x2", 50, DE, FR, "10", "EUR"),  # unrelated
    ]
    other = energy_licence(
        proposed("prohibit", "OTHRRUMM", id="M-OTHER"), id="L-OTHER", total_max=None
    )
    report = impact(
        measure,
        covered,
        traffic,
        [record("q", 1, DE, CENTRAL + "XXX")],
        [energy_licence(measure), other],
        period_from_ms=0,
        period_to_ms=100,
    )
    assert report["messages_examined"] == 5
    assert (report["licensed"], report["messages_stopped"]) == (2, 2)
    assert (report["held"], report["rejected"]) == (2, 0)
    assert report["value_stopped"] == {"EUR": "110"}
    assert report["counterparties"] == [
        {"bic8": "BANKDEFF", "messages": 2, "value": {"EUR": "110"}},
        {"bic8": "BANKFRPP", "messages": 1, "value": {"EUR": "100"}},
    ]
    assert report["corridors"] == [
        {"from": "DE", "to": "FR", "messages": 1, "value": {"EUR": "100"}},
        {"from": "DE", "to": "RU", "messages": 1, "value": {"EUR": "10"}},
    ]
    assert (report["queued_to_return"], report["queued_ids"]) == (0, [])


def test_licence_applies_at_each_message_time() -> None:
    measure = proposed("prohibit", CENTRAL)
    late = energy_licence(measure, valid_from_ms=15, total_max=None)
    traffic = [record(f"m{t}", t, DE, CENTRAL + "XXX", "1", "EUR", (), ("GDDS",)) for t in (10, 20)]
    report = impact(
        measure, frozenset({CENTRAL}), traffic, [], [late], period_from_ms=0, period_to_ms=100
    )
    assert (report["licensed"], report["rejected"]) == (1, 1)


def test_queued_ids_are_capped() -> None:
    measure = proposed("disconnect", LISTED)
    queued = [record(f"q{i}", i, DE, LISTED + "XXX") for i in range(QUEUED_IDS_SHOWN + 5)]
    report = impact(measure, frozenset({LISTED}), [], queued, [], period_from_ms=0, period_to_ms=1)
    assert report["queued_to_return"] == QUEUED_IDS_SHOWN + 5
    assert report["queued_ids"] == [f"q{i}" for i in range(QUEUED_IDS_SHOWN)]
    assert report["messages_examined"] == 0 and report["counterparties"] == []


def test_empty_period_is_refused() -> None:
    with pytest.raises(BadRequest, match="period"):
        impact(
            proposed("disconnect", LISTED), frozenset({LISTED}), [], [], [],
            period_from_ms=5, period_to_ms=5,
        )  # fmt: skip
