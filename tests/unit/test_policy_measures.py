"""Measures: validation, four-eyes lifecycle, exact instants, subsidiaries."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from finmesh.domain.directory import OwnershipLink
from finmesh.domain.errors import BadRequest, Refused
from finmesh.domain.policy.measures import (
    REFERENCE_CHARS_MAX,
    Measure,
    MeasureStatus,
    approve,
    covered_bic8s,
    propose_lift,
    propose_measure,
    refuse,
)

ENTITY = "ENTYRUMM"
SUB, SUBSUB, JOINT, MINOR, OTHER = "SUBARUMM", "SUBBRUMM", "JNTVRUMM", "MINORUMM", "OTHRRUMM"
T0 = 1_646_784_000_000  # 9 Mar 2022 00:00 UTC
EFFECTIVE = 1_647_043_200_000  # 12 Mar 2022 00:00 UTC

LINKS = (
    OwnershipLink(ENTITY, SUB, Decimal("60")),
    OwnershipLink(SUB, SUBSUB, Decimal("51")),  # owned through a chain
    OwnershipLink(ENTITY, JOINT, Decimal("30")),  # 30 % direct + 25 % through SUB
    OwnershipLink(SUB, JOINT, Decimal("25")),
    OwnershipLink(ENTITY, MINOR, Decimal("50")),  # exactly half: not captured
)


def proposed(**changes: Any) -> Measure:
    fields: dict[str, Any] = {
        "id": "M1",
        "kind": "disconnect",
        "bic8": ENTITY,
        "name": "Entity Bank",
        "with_subsidiaries": True,
        "action": "reject",
        "reference": "Reg (EU) 2022/345 Annex XIV",
        "effective_ms": EFFECTIVE,
        "officer": "alice",
        "now_ms": T0,
    }
    fields.update(changes)
    return propose_measure(**fields)


def active(**changes: Any) -> Measure:
    return approve(proposed(**changes), officer="bob", now_ms=T0 + 1, links=LINKS)


# --- proposal --------------------------------------------------------------------------


def test_proposal_records_who_and_when() -> None:
    measure = proposed()
    assert measure.status is MeasureStatus.PROPOSED
    assert (measure.proposed_by, measure.proposed_ms) == ("alice", T0)
    assert measure.covered == frozenset()
    assert not measure.in_force(EFFECTIVE)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"bic8": "entyrumm"}, "lowercase"),
        ({"bic8": "ENTYRUMMXXX"}, "BIC8"),
        ({"bic8": "ENTYQQMM"}, "country"),
        ({"reference": "  "}, "reference must not be empty"),
        ({"reference": "R" * (REFERENCE_CHARS_MAX + 1)}, "at most 200"),
        ({"action": "hold"}, "disconnection can only reject"),
        ({"kind": "freeze"}, "measure kind"),
        ({"kind": "prohibit", "action": "warn"}, "measure action"),
        ({"officer": ""}, "officer"),
        ({"id": ""}, "measure id"),
        ({"effective_ms": 1.5}, "effective_ms"),
    ],
)
def test_invalid_proposals_are_bad_requests(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(BadRequest, match=words):
        proposed(**changes)


def test_reference_of_exactly_the_limit_is_accepted() -> None:
    assert len(proposed(reference="R" * REFERENCE_CHARS_MAX).reference) == REFERENCE_CHARS_MAX


def test_prohibition_may_hold() -> None:
    assert proposed(kind="prohibit", action="hold").action == "hold"


# --- four eyes and lifecycle -------------------------------------------------------------


def test_proposer_cannot_approve() -> None:
    with pytest.raises(Refused, match="four-eyes: alice proposed this and cannot approve it"):
        approve(proposed(), officer="alice", now_ms=T0 + 1, links=LINKS)


def test_approval_activates_and_fixes_coverage() -> None:
    measure = active()
    assert measure.status is MeasureStatus.ACTIVE
    assert (measure.approved_by, measure.approved_ms) == ("bob", T0 + 1)
    assert measure.covered == {ENTITY, SUB, SUBSUB, JOINT}
    later_links = (*LINKS, OwnershipLink(ENTITY, OTHER, Decimal("100")))
    assert OTHER not in measure.covered  # new links do not change an approved measure
    assert covered_bic8s(ENTITY, True, later_links) >= {OTHER}


def test_approving_twice_is_refused() -> None:
    with pytest.raises(Refused, match="nothing pending"):
        approve(active(), officer="carol", now_ms=T0 + 2, links=LINKS)


def test_covered_without_subsidiaries_is_the_entity_alone() -> None:
    assert covered_bic8s(ENTITY, False, LINKS) == {ENTITY}
    assert active(with_subsidiaries=False).covered == {ENTITY}


def test_covered_through_chains_and_aggregation() -> None:
    covered = covered_bic8s(ENTITY, True, LINKS)
    assert covered == {ENTITY, SUB, SUBSUB, JOINT}
    assert MINOR not in covered


def test_approval_is_not_retroactive() -> None:
    late = approve(proposed(effective_ms=T0), officer="bob", now_ms=EFFECTIVE + 5, links=())
    assert late.effective_ms == EFFECTIVE + 5
    assert not late.in_force(EFFECTIVE + 4)
    assert late.in_force(EFFECTIVE + 5)


def test_future_instant_is_kept() -> None:
    assert active().effective_ms == EFFECTIVE


def test_in_force_from_the_exact_instant() -> None:
    measure = active()
    assert not measure.in_force(EFFECTIVE - 1)
    assert measure.in_force(EFFECTIVE)
    assert measure.in_force(EFFECTIVE + 10**12)


def test_lift_lifecycle_and_exact_instant() -> None:
    lift_at = EFFECTIVE + 1_000
    pending = propose_lift(active(), officer="carol", effective_ms=lift_at, now_ms=EFFECTIVE)
    assert pending.status is MeasureStatus.LIFT_PROPOSED
    assert (pending.lift_proposed_by, pending.lift_proposed_ms) == ("carol", EFFECTIVE)
    assert pending.in_force(lift_at + 5)  # a proposed lift changes nothing
    with pytest.raises(Refused, match="four-eyes: carol proposed this lift"):
        approve(pending, officer="carol", now_ms=EFFECTIVE + 1, links=LINKS)
    lifted = approve(pending, officer="alice", now_ms=EFFECTIVE + 1, links=LINKS)
    assert lifted.status is MeasureStatus.LIFTED
    assert (lifted.lift_approved_by, lifted.lift_approved_ms) == ("alice", EFFECTIVE + 1)
    assert lifted.lift_effective_ms == lift_at
    assert lifted.in_force(lift_at - 1)
    assert not lifted.in_force(lift_at)
    assert lifted.covered == active().covered  # the lift does not recompute coverage


def test_lift_is_not_retroactive_either() -> None:
    pending = propose_lift(active(), officer="carol", effective_ms=EFFECTIVE, now_ms=EFFECTIVE)
    lifted = approve(pending, officer="dave", now_ms=EFFECTIVE + 50, links=())
    assert lifted.lift_effective_ms == EFFECTIVE + 50
    assert lifted.in_force(EFFECTIVE + 49)
    assert not lifted.in_force(EFFECTIVE + 50)


def test_lift_only_from_active() -> None:
    with pytest.raises(Refused, match="only an active measure can be lifted"):
        propose_lift(proposed(), officer="carol", effective_ms=EFFECTIVE, now_ms=T0)
    pending = propose_lift(active(), officer="carol", effective_ms=EFFECTIVE, now_ms=T0)
    with pytest.raises(Refused, match="lift_proposed"):
        propose_lift(pending, officer="dave", effective_ms=EFFECTIVE, now_ms=T0)
    lifted = approve(pending, officer="dave", now_ms=T0 + 5, links=())
    with pytest.raises(Refused, match="lifted"):
        propose_lift(lifted, officer="erin", effective_ms=EFFECTIVE, now_ms=T0)
    with pytest.raises(Refused, match="nothing pending"):
        approve(lifted, officer="erin", now_ms=T0 + 6, links=())


def test_lift_before_effect_means_never_in_force() -> None:
    pending = propose_lift(active(), officer="carol", effective_ms=T0 + 10, now_ms=T0 + 2)
    lifted = approve(pending, officer="dave", now_ms=T0 + 3, links=())
    assert not any(lifted.in_force(t) for t in (EFFECTIVE - 1, EFFECTIVE, EFFECTIVE + 1))


def test_hand_built_lifted_without_instant_stays_in_force() -> None:
    measure = replace(active(), status=MeasureStatus.LIFTED)
    assert measure.in_force(EFFECTIVE)


# --- refusal ---------------------------------------------------------------------------


def test_a_second_officer_refuses_a_proposal_with_a_reason_and_it_never_applies() -> None:
    refused = refuse(proposed(), officer="bob", reason="  wrong BIC  ", now_ms=T0 + 5)
    assert refused.status is MeasureStatus.REFUSED
    assert (refused.refused_by, refused.refused_ms, refused.refusal) == ("bob", T0 + 5, "wrong BIC")
    assert not refused.approved and not refused.in_force(EFFECTIVE + 1)
    with pytest.raises(Refused, match="nothing pending"):
        approve(refused, officer="carol", now_ms=T0 + 6, links=LINKS)
    with pytest.raises(Refused, match="nothing pending"):
        refuse(refused, officer="carol", reason="again", now_ms=T0 + 6)


def test_the_proposer_cannot_refuse_its_own_proposal_or_lift() -> None:
    with pytest.raises(Refused, match="four-eyes: alice proposed this and cannot refuse it"):
        refuse(proposed(), officer="alice", reason="changed my mind", now_ms=T0 + 1)
    lifting = propose_lift(active(), officer="carol", effective_ms=EFFECTIVE, now_ms=T0 + 2)
    with pytest.raises(Refused, match="cannot refuse"):
        refuse(lifting, officer="carol", reason="no", now_ms=T0 + 3)


def test_a_refused_lift_leaves_the_measure_active_and_in_force() -> None:
    measure = active()
    lifting = propose_lift(measure, officer="carol", effective_ms=EFFECTIVE, now_ms=T0 + 2)
    kept = refuse(lifting, officer="dave", reason="the regulation still applies", now_ms=T0 + 3)
    assert kept.status is MeasureStatus.ACTIVE and kept.in_force(EFFECTIVE + 1)
    assert (kept.lift_proposed_by, kept.lift_effective_ms) == (None, None)
    assert kept.covered == measure.covered


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_refusal_needs_a_reason_of_bounded_length(reason: str) -> None:
    with pytest.raises(BadRequest, match="reason"):
        refuse(proposed(), officer="bob", reason=reason, now_ms=T0 + 1)


def test_an_active_measure_has_nothing_to_refuse() -> None:
    with pytest.raises(Refused, match="nothing pending"):
        refuse(active(), officer="carol", reason="late", now_ms=T0 + 2)
