"""Licences: validation, four-eyes approval, and the scope of each dimension."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from finmesh.domain.errors import BadRequest, Refused
from finmesh.domain.iso20022.model import Party
from finmesh.domain.policy.licences import (
    Licence,
    LicenceStatus,
    approve_licence,
    licence_covers,
    propose_licence,
)
from finmesh.domain.policy.measures import Measure, approve, propose_lift, propose_measure
from finmesh.domain.policy.screening import MessageFacts

CENTRAL = "CENTRUMM"
PARTNER, PARTNER2, THIRD = "PARTDEFF", "PARTFRPP", "THRDGB2L"
T0 = 1_646_006_400_000  # 28 Feb 2022 00:00 UTC
FROM, UNTIL = T0 + 1_000, T0 + 2_000
ENTITY = frozenset({CENTRAL})


def prohibition(**changes: Any) -> Measure:
    fields: dict[str, Any] = {
        "id": "CB",
        "kind": "prohibit",
        "bic8": CENTRAL,
        "name": "Central Bank",
        "with_subsidiaries": False,
        "action": "reject",
        "reference": "Reg (EU) 2022/334",
        "effective_ms": T0,
        "officer": "alice",
        "now_ms": T0,
    }
    fields.update(changes)
    return propose_measure(**fields)


def proposed_licence(**changes: Any) -> Licence:
    fields: dict[str, Any] = {
        "id": "L1",
        "measure": prohibition(),
        "reference": "national authorisation 2022/17",
        "purposes": {"GDDS"},
        "counterparties": {PARTNER},
        "currencies": {"EUR"},
        "amount_max": Decimal("100"),
        "total_max": Decimal("250"),
        "valid_from_ms": FROM,
        "valid_until_ms": UNTIL,
        "officer": "carol",
        "now_ms": T0,
    }
    fields.update(changes)
    return propose_licence(**fields)


def licence(**changes: Any) -> Licence:
    return approve_licence(proposed_licence(**changes), officer="dave", now_ms=T0 + 1)


def message(
    amount: str | None = "100",
    currency: str | None = "EUR",
    purposes: tuple[str, ...] = ("GDDS",),
    sender: str = PARTNER + "XXX",
    parties: tuple[Party, ...] = (),
) -> MessageFacts:
    return MessageFacts(
        sender=sender,
        receiver=CENTRAL + "XXX",
        parties=parties,
        purposes=purposes,
        amount=None if amount is None else Decimal(amount),
        currency=currency,
    )


def covers(lic: Licence, facts: MessageFacts, used: str = "0", at: int = FROM) -> bool:
    return licence_covers(lic, facts, entity_bic8s=ENTITY, used_total=Decimal(used), now_ms=at)


# --- proposal and approval ---------------------------------------------------------------


def test_disconnections_admit_no_licences() -> None:
    disconnection = prohibition(kind="disconnect")
    with pytest.raises(Refused, match="disconnections admit no licences"):
        proposed_licence(measure=disconnection)


def test_lifted_measure_admits_no_licences() -> None:
    active = approve(prohibition(), officer="bob", now_ms=T0, links=())
    lifting = propose_lift(active, officer="bob", effective_ms=T0 + 5, now_ms=T0)
    lifted = approve(lifting, officer="alice", now_ms=T0 + 1, links=())
    assert proposed_licence(measure=lifted, now_ms=T0 + 4).measure_id == "CB"  # not yet
    with pytest.raises(Refused, match="lifted"):
        proposed_licence(measure=lifted, now_ms=T0 + 5)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"purposes": {"gdds"}}, "purpose code 'gdds'"),
        ({"purposes": {"GOODS"}}, "1 to 4"),
        ({"purposes": {""}}, "purpose code"),
        ({"currencies": {"eur"}}, "currency 'eur'"),
        ({"currencies": {"EURO"}}, "3 uppercase letters"),
        ({"counterparties": {"partdeff"}}, "counterparty"),
        ({"counterparties": {"PARTXXFF"}}, "country"),
        ({"amount_max": Decimal(0)}, "amount_max must be a positive amount"),
        ({"total_max": Decimal("-1")}, "total_max must be a positive amount"),
        ({"amount_max": Decimal("NaN")}, "amount_max"),
        ({"valid_until_ms": FROM}, "must be after valid_from_ms"),
        ({"currencies": {"EUR", "USD"}}, "at most one currency"),
        ({"amount_max": Decimal("300")}, "exceeds total_max"),
        ({"reference": ""}, "reference"),
        ({"purposes": "GDDS"}, "list of codes"),
        ({"currencies": "EUR"}, "list of codes"),
        ({"counterparties": PARTNER}, "list of codes"),
    ],
)
def test_invalid_licences_are_bad_requests(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(BadRequest, match=words):
        proposed_licence(**changes)


def test_a_cap_without_a_currency_counts_any_currency_at_face_value() -> None:
    licence = proposed_licence(currencies=set())
    assert licence.currencies == frozenset() and licence.amount_max is not None


def test_counterparty_branch_is_stored_as_bic8() -> None:
    assert proposed_licence(counterparties={"PARTDEFF123"}).counterparties == {PARTNER}


def test_several_currencies_without_caps() -> None:
    lic = proposed_licence(currencies={"EUR", "USD"}, amount_max=None, total_max=None)
    assert lic.currencies == {"EUR", "USD"}


def test_licence_four_eyes() -> None:
    with pytest.raises(Refused, match="four-eyes: carol proposed this licence"):
        approve_licence(proposed_licence(), officer="carol", now_ms=T0)
    approved = licence()
    assert approved.status is LicenceStatus.ACTIVE
    assert (approved.approved_by, approved.approved_ms) == ("dave", T0 + 1)
    with pytest.raises(Refused, match="nothing pending"):
        approve_licence(approved, officer="erin", now_ms=T0 + 2)


# --- scope ---------------------------------------------------------------------------------


def test_proposed_licence_covers_nothing() -> None:
    assert not covers(proposed_licence(), message())
    assert covers(licence(), message())


def test_validity_is_inclusive_of_both_ends() -> None:
    lic = licence()
    assert not covers(lic, message(), at=FROM - 1)
    assert covers(lic, message(), at=FROM)
    assert covers(lic, message(), at=UNTIL)
    assert not covers(lic, message(), at=UNTIL + 1)
    assert covers(licence(valid_until_ms=None), message(), at=UNTIL * 2)


def test_purposes() -> None:
    lic = licence(purposes={"GDDS", "SUPP"})
    assert covers(lic, message(purposes=("CASH", "SUPP")))
    assert not covers(lic, message(purposes=("CASH",)))
    assert not covers(lic, message(purposes=()))
    assert covers(licence(purposes=set()), message(purposes=()))


def test_counterparties_are_every_institution_outside_the_entity() -> None:
    lic = licence(counterparties={PARTNER, PARTNER2})
    assert covers(lic, message(sender=PARTNER2 + "XXX"))
    assert not covers(lic, message(sender=THIRD))
    via_third = (Party("IntrmyAgt1", THIRD, None, None),)
    assert not covers(lic, message(parties=via_third))
    inside = (Party("CdtrAgt", "CENTRUMMXXX", None, None), Party("Dbtr", None, "Ivanov", None))
    assert covers(lic, message(parties=inside))
    assert covers(licence(counterparties=set()), message(sender=THIRD, parties=via_third))


def test_currencies() -> None:
    assert not covers(licence(), message(currency="USD"))
    assert not covers(licence(), message(currency=None))
    any_currency = licence(currencies=set(), amount_max=None, total_max=None)
    assert covers(any_currency, message(currency="CHF"))


def test_amount_per_message() -> None:
    lic = licence(total_max=None)
    assert covers(lic, message(amount="100"))
    assert not covers(lic, message(amount="100.01"))
    assert not covers(lic, message(amount=None))  # a cap needs an amount to check
    uncapped = licence(amount_max=None, total_max=None)
    assert covers(uncapped, message(amount=None))


def test_total_cap_counts_what_was_used() -> None:
    lic = licence()
    assert covers(lic, message(amount="100"), used="150")  # exactly reaches 250
    assert not covers(lic, message(amount="100"), used="150.01")
    assert not covers(lic, message(amount=None), used="0")
