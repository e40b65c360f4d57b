"""The per-message decision: disconnections, prohibitions, licences, instants."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from finmesh.domain.directory import OwnershipLink
from finmesh.domain.iso20022.model import Party
from finmesh.domain.policy.evaluate import PolicySnapshot, add_usage, evaluate
from finmesh.domain.policy.licences import Licence, approve_licence, propose_licence
from finmesh.domain.policy.measures import Measure, approve, propose_lift, propose_measure
from finmesh.domain.policy.screening import MessageFacts
from finmesh.domain.reasons import Reason

LISTED, LISTED_SUB = "LSTDRUMM", "LSUBRUMM"  # disconnected bank and its 75 % subsidiary
CENTRAL, HELD_BANK = "CENTRUMM", "HOLDRUMM"  # prohibition that rejects / that holds
WEST, EAST = "WESTDEFFXXX", "EASTFRPPXXX"
AT = 1_647_043_200_000  # 12 Mar 2022 00:00 UTC
LINKS = (OwnershipLink(LISTED, LISTED_SUB, Decimal("75")),)


def measure(id: str, kind: str, bic8: str, action: str = "reject", **changes: Any) -> Measure:
    fields: dict[str, Any] = {
        "id": id,
        "kind": kind,
        "bic8": bic8,
        "name": None,
        "with_subsidiaries": True,
        "action": action,
        "reference": f"ref {id}",
        "effective_ms": AT,
        "officer": "alice",
        "now_ms": AT - 10_000,
    }
    fields.update(changes)
    return approve(propose_measure(**fields), officer="bob", now_ms=AT - 5_000, links=LINKS)


DISCONNECT = measure("M-DIS", "disconnect", LISTED)
CB = measure("M-CB", "prohibit", CENTRAL, name="Central Bank of Examplia")
HOLD = measure("M-HOLD", "prohibit", HELD_BANK, action="hold")


def licence(of: Measure, id: str = "L1", **changes: Any) -> Licence:
    fields: dict[str, Any] = {
        "id": id,
        "measure": of,
        "reference": "GL 8",
        "purposes": (),
        "counterparties": (),
        "currencies": {"EUR"},
        "amount_max": None,
        "total_max": None,
        "valid_from_ms": AT,
        "valid_until_ms": None,
        "officer": "carol",
        "now_ms": AT,
    }
    fields.update(changes)
    return approve_licence(propose_licence(**fields), officer="dave", now_ms=AT)


def snapshot(*measures: Measure, licences: tuple[Licence, ...] = (), **used: str) -> PolicySnapshot:
    spent = {key: Decimal(value) for key, value in used.items()}
    return PolicySnapshot(measures, licences, spent, version=1)


def msg(
    sender: str = WEST, receiver: str = EAST, *parties: Party, amount: str = "60"
) -> MessageFacts:
    return MessageFacts(sender, receiver, parties, ("GDDS",), Decimal(amount), "EUR")


def agent(role: str, bic: str) -> Party:
    return Party(role, bic, None, None)


# --- disconnections ------------------------------------------------------------------------


def test_disconnection_rejects_from_and_to() -> None:
    policy = snapshot(DISCONNECT)
    for facts, side in (
        (msg(LISTED + "XXX", EAST), "sender"),
        (msg(WEST, LISTED + "XXX"), "receiver"),
    ):
        decision = evaluate(facts, policy, AT)
        assert (decision.outcome, decision.reason, decision.measure_id) == (
            "reject",
            Reason.DISCONNECTED,
            "M-DIS",
        )
        assert side in decision.detail and "ref M-DIS" in decision.detail


def test_disconnection_starts_at_its_instant() -> None:
    facts = msg(WEST, LISTED + "XXX")
    assert evaluate(facts, snapshot(DISCONNECT), AT - 1).outcome == "pass"
    assert evaluate(facts, snapshot(DISCONNECT), AT).outcome == "reject"


def test_disconnection_covers_subsidiaries() -> None:
    decision = evaluate(msg(WEST, LISTED_SUB + "MOS"), snapshot(DISCONNECT), AT)
    assert decision.reason is Reason.DISCONNECTED


def test_disconnection_is_about_sender_and_receiver_only() -> None:
    facts = msg(WEST, EAST, agent("IntrmyAgt1", LISTED + "XXX"))
    assert evaluate(facts, snapshot(DISCONNECT), AT).outcome == "pass"


def test_no_licence_lifts_a_disconnection() -> None:
    # Licences of a disconnection cannot be proposed; a hand-built one changes nothing.
    forged = replace(licence(CB), measure_id="M-DIS")
    decision = evaluate(msg(WEST, LISTED + "XXX"), snapshot(DISCONNECT, licences=(forged,)), AT)
    assert decision.reason is Reason.DISCONNECTED


def test_disconnected_lookup() -> None:
    policy = snapshot(DISCONNECT, CB)
    assert policy.disconnected(LISTED_SUB + "XXX", AT) is DISCONNECT
    assert policy.disconnected(LISTED, AT - 1) is None
    assert policy.disconnected(CENTRAL, AT) is None  # prohibited, not disconnected


def test_lifted_disconnection_stops_at_the_lift_instant() -> None:
    lifting = propose_lift(DISCONNECT, officer="carol", effective_ms=AT + 100, now_ms=AT)
    lifted = approve(lifting, officer="dave", now_ms=AT + 1, links=())
    facts = msg(LISTED + "XXX", EAST)
    assert evaluate(facts, snapshot(lifted), AT + 99).outcome == "reject"
    assert evaluate(facts, snapshot(lifted), AT + 100).outcome == "pass"


# --- prohibitions --------------------------------------------------------------------------


def test_prohibition_by_bic_in_any_role() -> None:
    for role in ("IntrmyAgt1", "UltmtCdtr", "CdtrAgt"):
        decision = evaluate(msg(WEST, EAST, agent(role, CENTRAL + "XXX")), snapshot(CB), AT)
        assert (decision.outcome, decision.reason, decision.measure_id) == (
            "reject",
            Reason.PROHIBITED,
            "M-CB",
        )
        assert decision.detail.startswith(f"{role} bic {CENTRAL}XXX is prohibited by measure M-CB")


def test_prohibition_by_name_when_no_bic() -> None:
    cyrillic = Party("Cdtr", None, "Центральный банк Экзамплии", None)
    latin_reordered = Party("UltmtDbtr", None, "EXAMPLIA, CENTRAL BANK OF", None)
    # A translation is not a transliteration: Russian words do not match English ones.
    assert evaluate(msg(WEST, EAST, cyrillic), snapshot(CB), AT).outcome == "pass"
    decision = evaluate(msg(WEST, EAST, latin_reordered), snapshot(CB), AT)
    assert decision.outcome == "reject" and "UltmtDbtr name" in decision.detail
    rossiya = measure("M-R", "prohibit", "ROSSRUMM", name="Bank Rossiya")
    by_cyrillic = msg(WEST, EAST, Party("Dbtr", None, "АО «Банк «Россия»»", "RU"))
    assert evaluate(by_cyrillic, snapshot(rossiya), AT).measure_id == "M-R"


def test_not_by_name_when_the_party_has_another_bic() -> None:
    other = Party("Cdtr", "OTHRRUMM", "Central Bank of Examplia", None)
    assert evaluate(msg(WEST, EAST, other), snapshot(CB), AT).outcome == "pass"


def test_hold_carries_the_measure() -> None:
    decision = evaluate(msg(WEST, HELD_BANK + "XXX"), snapshot(HOLD), AT)
    assert (decision.outcome, decision.reason, decision.measure_id) == ("hold", None, "M-HOLD")


def test_reject_dominates_hold_whatever_the_order() -> None:
    facts = msg(WEST, HELD_BANK + "XXX", agent("IntrmyAgt2", CENTRAL))
    for policy in (snapshot(HOLD, CB), snapshot(CB, HOLD)):
        decision = evaluate(facts, policy, AT)
        assert (decision.outcome, decision.measure_id) == ("reject", "M-CB")
        assert "also caught by M-HOLD" in decision.detail


def test_disconnection_dominates_prohibition() -> None:
    facts = msg(LISTED + "XXX", CENTRAL + "XXX")
    assert evaluate(facts, snapshot(CB, DISCONNECT), AT).reason is Reason.DISCONNECTED


def test_proposed_measure_does_nothing() -> None:
    pending = propose_measure(
        id="P", kind="prohibit", bic8=CENTRAL, name=None, with_subsidiaries=False,
        action="reject", reference="draft", effective_ms=AT, officer="alice", now_ms=AT,
    )  # fmt: skip
    assert evaluate(msg(WEST, CENTRAL + "XXX"), snapshot(pending), AT + 1).outcome == "pass"


def test_unrelated_message_passes() -> None:
    decision = evaluate(msg(), snapshot(DISCONNECT, CB, HOLD), AT)
    assert (decision.outcome, decision.reason, decision.licence_id) == ("pass", None, None)


# --- licences --------------------------------------------------------------------------------


def test_licence_lets_through_and_is_reported() -> None:
    lic = licence(CB, counterparties={WEST})
    decision = evaluate(msg(WEST, CENTRAL + "XXX"), snapshot(CB, licences=(lic,)), AT)
    assert (decision.outcome, decision.licence_id, decision.licence_ids) == ("pass", "L1", ("L1",))
    refused = evaluate(msg(EAST, CENTRAL + "XXX"), snapshot(CB, licences=(lic,)), AT)
    assert refused.outcome == "reject" and "does not cover counterparty EASTFRPP" in refused.detail


def test_licence_of_another_measure_does_not_help() -> None:
    other = licence(HOLD)
    decision = evaluate(msg(WEST, CENTRAL + "XXX"), snapshot(CB, HOLD, licences=(other,)), AT)
    assert decision.outcome == "reject" and "has no licence" in decision.detail


def test_total_cap_counts_stored_and_batch_usage() -> None:
    lic = licence(CB, total_max=Decimal("100"))
    facts = msg(WEST, CENTRAL + "XXX", amount="60")
    policy = snapshot(CB, licences=(lic,))
    first = evaluate(facts, policy, AT)
    assert first.outcome == "pass"
    batch = add_usage({}, first, facts)
    assert batch == {"L1": Decimal("60")}
    second = evaluate(facts, policy, AT, batch)
    assert second.outcome == "reject" and "has 40 of 100 left" in second.detail
    assert evaluate(facts, snapshot(CB, licences=(lic,), L1="40"), AT).outcome == "pass"
    assert evaluate(facts, snapshot(CB, licences=(lic,), L1="40.01"), AT).outcome == "reject"
    assert add_usage(batch, second, facts) == batch  # a rejection uses nothing


def test_every_licensed_measure_is_named() -> None:
    cb_licence, hold_licence = licence(CB, "L-CB"), licence(HOLD, "L-HOLD")
    facts = msg(WEST, CENTRAL + "XXX", agent("IntrmyAgt1", HELD_BANK))
    decision = evaluate(facts, snapshot(CB, HOLD, licences=(cb_licence, hold_licence)), AT)
    assert decision.outcome == "pass"
    assert (decision.licence_id, decision.licence_ids) == ("L-CB", ("L-CB", "L-HOLD"))
    assert "L-HOLD of measure M-HOLD" in decision.detail
    assert add_usage({}, decision, facts) == {"L-CB": Decimal(60), "L-HOLD": Decimal(60)}


def test_one_unlicensed_measure_still_stops_the_message() -> None:
    facts = msg(WEST, CENTRAL + "XXX", agent("IntrmyAgt1", HELD_BANK))
    decision = evaluate(facts, snapshot(CB, HOLD, licences=(licence(CB),)), AT)
    assert (decision.outcome, decision.measure_id) == ("hold", "M-HOLD")


def test_licence_validity_instants() -> None:
    lic = licence(CB, valid_from_ms=AT + 10, valid_until_ms=AT + 20)
    facts, policy = msg(WEST, CENTRAL + "XXX"), snapshot(CB, licences=(lic,))
    outcomes = [evaluate(facts, policy, t).outcome for t in (AT + 9, AT + 10, AT + 20, AT + 21)]
    assert outcomes == ["reject", "pass", "pass", "reject"]


# --- next change -------------------------------------------------------------------------------


def test_next_change_after() -> None:
    lifting = propose_lift(HOLD, officer="carol", effective_ms=AT + 500, now_ms=AT)
    lifted = approve(lifting, officer="dave", now_ms=AT, links=())
    pending_lift = propose_lift(DISCONNECT, officer="carol", effective_ms=AT + 50, now_ms=AT)
    lic = licence(CB, valid_from_ms=AT + 100, valid_until_ms=AT + 200)
    policy = snapshot(pending_lift, CB, lifted, licences=(lic,))
    steps = [AT - 1]
    while (step := policy.next_change_after(steps[-1])) is not None:
        steps.append(step)
    assert steps[1:] == [AT, AT + 100, AT + 201, AT + 500]  # a proposed lift is no change
    assert snapshot().next_change_after(AT) is None
