"""The flow messages around a payment (finmesh.domain.iso20022.flows) pass the official
XSDs and the network rules and carry the payment's UETR and ids; what each tells the
tracker (finmesh.domain.iso20022.tracking); and the pure tracking rules
(finmesh.domain.tracking): the chain, the current status, time-to-credit figures."""

from __future__ import annotations

import pytest

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import example_message, flows, parse_message
from finmesh.domain.reasons import Reason
from finmesh.domain.rules import RuleBook
from finmesh.domain.tracking import (
    CREDIT_TARGET_MS,
    chain,
    credit_statistics,
    current_status,
    visible_to,
)
from tests.shareddata import SCHEMAS

A, B, C = "DEUTDEFFXXX", "COBADEFFXXX", "BNPAFRPPXXX"
RULES = RuleBook()


@pytest.fixture(params=["pacs.008.001.08", "pacs.008.001.13"])
def payment(request: pytest.FixtureRequest) -> bytes:
    return example_message("pacs.008", A, B, definition=request.param)


def test_every_flow_is_valid_and_tied_to_the_payment(payment: bytes) -> None:
    original = flows.original_of(payment)
    written = {
        "hop": (flows.next_hop(payment, B, C), "payment", "ACSP", None),
        "ok": (flows.status_report(original, C, B), "status", "ACCC", None),
        "no": (flows.status_report(original, C, B, "RJCT", "AC04"), "status", "RJCT", "AC04"),
        "return": (flows.payment_return(original, B, A, "AC04"), "return", "returned", "AC04"),
        "recall": (flows.recall_request(original, A, B), "recall_request", "recall_requested",
                   "DUPL"),
        "yes": (flows.recall_answer(original, B, A), "recall_answer", "recalled", None),
        "keep": (flows.recall_answer(original, B, A, False, "LEGL"), "recall_answer",
                 "recall_rejected", "LEGL"),
        "cover": (flows.cover(original, A, B), "cover", "ACSP", None),
    }  # fmt: skip
    for name, (payload, step, status, reason) in written.items():
        parsed = parse_message(payload, SCHEMAS, rules=RULES)
        assert parsed.uetr == original.uetr, name
        assert parsed.flow is not None, name
        assert (parsed.flow.step, parsed.flow.status, parsed.flow.reason) == (step, status, reason)
        references = dict(parsed.flow.references)
        assert original.end_to_end_id in (
            references.get("OrgnlEndToEndId"),
            references.get("EndToEndId"),
        ), name


def test_next_hop_names_the_previous_instructing_agent(payment: bytes) -> None:
    hop = parse_message(flows.next_hop(payment, B, C), SCHEMAS, rules=RULES)
    assert (hop.sender_bic, hop.receiver_bic) == (B, C)
    assert [p.bic for p in hop.parties if p.role == "PrvsInstgAgt1"] == [A]
    assert hop.biz_msg_id != parse_message(payment, SCHEMAS).biz_msg_id


def test_original_must_be_a_payment() -> None:
    report = example_message("pacs.002", A, B)
    with pytest.raises(ValueError, match=r"not a pacs\.008/009"):
        flows.original_of(report)
    with pytest.raises(Rejected) as caught:
        flows.original_of(b"not xml")
    assert caught.value.reason is Reason.MALFORMED_XML


def test_a_status_report_from_someone_else_than_its_instructing_agent_is_v06() -> None:
    original = flows.original_of(example_message("pacs.008", A, B))
    report = flows.status_report(original, C, B).replace(
        f"<InstgAgt><FinInstnId><BICFI>{C}".encode(), f"<InstgAgt><FinInstnId><BICFI>{A}".encode()
    )
    with pytest.raises(Rejected) as caught:
        parse_message(report, SCHEMAS, rules=RULES)
    assert caught.value.reason is Reason.HEADER_AGENT_MISMATCH


def test_a_recall_assigned_by_another_agent_is_v06() -> None:
    original = flows.original_of(example_message("pacs.008", A, B))
    request = flows.recall_request(original, A, B).replace(
        f"<Assgnr><Agt><FinInstnId><BICFI>{A}".encode(),
        f"<Assgnr><Agt><FinInstnId><BICFI>{C}".encode(),
    )
    with pytest.raises(Rejected) as caught:
        parse_message(request, SCHEMAS, rules=RULES)
    assert caught.value.reason is Reason.HEADER_AGENT_MISMATCH
    assert "Assgnmt/Assgnr/Agt/FinInstnId/BICFI" in caught.value.detail


def test_chain_and_visibility() -> None:
    hops = [(A, B), (B, C), (C, B), (B, A)]
    assert chain(hops) == [A, B, C]
    assert visible_to(C, hops) and not visible_to("BARCGB22XXX", hops)


def test_current_status_stays_credited_unless_undone() -> None:
    assert current_status([]) is None
    assert current_status(["ACSP", "ACSP", "ACCC", "ACSP"]) == "ACCC"
    assert current_status(["ACSP", "ACCC", "recall_requested"]) == "ACCC"
    assert current_status(["ACSP", "ACCC", "recall_requested", "recalled"]) == "recalled"
    assert current_status(["ACSP", "RJCT", "returned"]) == "returned"


def test_credit_statistics() -> None:
    minute = 60_000
    times = [(0, 1 * minute), (0, 2 * minute), (0, 4 * minute), (0, 30 * minute), (0, None)]
    stats = credit_statistics(times)
    assert (stats.payments, stats.credited, stats.within_target) == (5, 4, 3)
    assert stats.median_ms == 2 * minute
    assert stats.p90_ms == 30 * minute
    assert stats.share_within_target == pytest.approx(0.6)
    assert credit_statistics([]).share_within_target is None
    assert credit_statistics([(10, 10 + CREDIT_TARGET_MS)]).within_target == 1
