"""Licences: exemptions that let chosen transactions through a prohibition.

Modelled on national authorisations under Reg (EU) 2022/334 and US General License 8
(energy payments with listed banks for limited periods): a licence belongs to one
prohibition and narrows what it lets through by purpose code, counterparty, currency,
amount per message, total amount and validity period. Each dimension left empty means
"any". Disconnections admit no licences: an institution off the network cannot send or
receive anything at all.

    propose_licence            approve_licence
   -----------------> PROPOSED ---------------> ACTIVE
                    (officer A)    (B != A)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from finmesh.domain.bic import Bic
from finmesh.domain.errors import BadRequest, InvalidBic, Refused
from finmesh.domain.policy.measures import (
    ID_CHARS_MAX,
    NAME_CHARS_MAX,
    REFERENCE_CHARS_MAX,
    Measure,
    MeasureStatus,
    check_instant,
    check_text,
)
from finmesh.domain.policy.screening import MessageFacts

_PURPOSE_CODE = re.compile(r"[A-Z0-9]{1,4}")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


class LicenceStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"


@dataclass(frozen=True)
class Licence:
    """One exemption from one prohibition. Empty sets and None caps mean "any"."""

    id: str
    measure_id: str
    reference: str
    purposes: frozenset[str]
    """ISO 20022 Purp/Cd or CtgyPurp/Cd codes; the message must carry one of them."""
    counterparties: frozenset[str]
    """BIC8s allowed on the other side: every institution in the message not covered by
    the measure must be one of them."""
    currencies: frozenset[str]
    amount_max: Decimal | None
    """Largest amount of one message."""
    total_max: Decimal | None
    """Largest sum of the amounts of all messages let through by this licence."""
    valid_from_ms: int
    valid_until_ms: int | None
    """Last instant the licence covers (inclusive); None for no end."""
    proposed_by: str
    proposed_ms: int
    status: LicenceStatus = LicenceStatus.PROPOSED
    approved_by: str | None = None
    approved_ms: int | None = None

    def valid_at(self, now_ms: int) -> bool:
        if now_ms < self.valid_from_ms:
            return False
        return self.valid_until_ms is None or now_ms <= self.valid_until_ms


def _as_set(codes: Iterable[str], what: str) -> frozenset[str]:
    # A bare string is iterable too, and "GDDS" would become the codes G, D and S.
    if isinstance(codes, str):
        raise BadRequest(f"{what} must be a list of codes, not the single text {codes!r}")
    return frozenset(codes)


def _purposes(codes: Iterable[str]) -> frozenset[str]:
    result = _as_set(codes, "purposes")
    for code in sorted(result):
        if not isinstance(code, str) or not _PURPOSE_CODE.fullmatch(code):
            raise BadRequest(
                f"purpose code {code!r} must be 1 to 4 uppercase letters or digits"
                " (an ISO 20022 purpose or category purpose code, e.g. GDDS, SUPP)"
            )
    return result


def _currencies(codes: Iterable[str]) -> frozenset[str]:
    result = _as_set(codes, "currencies")
    for code in sorted(result):
        if not isinstance(code, str) or not _CURRENCY_CODE.fullmatch(code):
            raise BadRequest(f"currency {code!r} must be 3 uppercase letters (ISO 4217)")
    return result


def _counterparties(codes: Iterable[str]) -> frozenset[str]:
    result: set[str] = set()
    for code in _as_set(codes, "counterparties"):
        if not isinstance(code, str):
            raise BadRequest(f"counterparty must be a BIC, got {code!r}")
        try:
            # A branch BIC11 is accepted and stored as its institution's BIC8.
            result.add(Bic.parse(code).bic8)
        except InvalidBic as exc:
            raise BadRequest(f"counterparty: {exc}") from None
    return frozenset(result)


def _cap(value: Decimal | None, what: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise BadRequest(f"{what} must be a positive amount, got {value}")
    return value


def propose_licence(
    *,
    id: str,
    measure: Measure,
    reference: str,
    purposes: Iterable[str],
    counterparties: Iterable[str],
    currencies: Iterable[str],
    amount_max: Decimal | None,
    total_max: Decimal | None,
    valid_from_ms: int,
    valid_until_ms: int | None,
    officer: str,
    now_ms: int,
) -> Licence:
    """A new PROPOSED licence of `measure`; BadRequest names the first invalid field."""
    if measure.kind != "prohibit":
        raise Refused(f"measure {measure.id} is a disconnection: disconnections admit no licences")
    if measure.status is MeasureStatus.LIFTED and (
        measure.lift_effective_ms is None or measure.lift_effective_ms <= now_ms
    ):
        raise Refused(f"measure {measure.id} is lifted: there is nothing left to exempt from")
    currency_set = _currencies(currencies)
    amount_cap = _cap(amount_max, "amount_max")
    total_cap = _cap(total_max, "total_max")
    # A cap with one currency pins the licence to it. Without a currency a cap counts
    # amounts of any currency at face value (an officer may cap a licence scoped by
    # purpose alone); several currencies with a cap cannot be compared and are refused.
    if (amount_cap is not None or total_cap is not None) and len(currency_set) > 1:
        raise BadRequest(
            "an amount cap (amount_max or total_max) allows at most one currency,"
            f" got {len(currency_set)}: amounts in different currencies cannot be compared"
        )
    if amount_cap is not None and total_cap is not None and amount_cap > total_cap:
        raise BadRequest(f"amount_max {amount_cap} exceeds total_max {total_cap}")
    start = check_instant(valid_from_ms, "valid_from_ms")
    end = None if valid_until_ms is None else check_instant(valid_until_ms, "valid_until_ms")
    if end is not None and end <= start:
        raise BadRequest(f"valid_until_ms {end} must be after valid_from_ms {start}")
    return Licence(
        id=check_text(id, "licence id", ID_CHARS_MAX),
        measure_id=measure.id,
        reference=check_text(reference, "reference", REFERENCE_CHARS_MAX),
        purposes=_purposes(purposes),
        counterparties=_counterparties(counterparties),
        currencies=currency_set,
        amount_max=amount_cap,
        total_max=total_cap,
        valid_from_ms=start,
        valid_until_ms=end,
        proposed_by=check_text(officer, "officer", NAME_CHARS_MAX),
        proposed_ms=check_instant(now_ms, "now_ms"),
    )


def approve_licence(licence: Licence, *, officer: str, now_ms: int) -> Licence:
    """PROPOSED -> ACTIVE, by an officer other than the proposer."""
    if licence.status is not LicenceStatus.PROPOSED:
        raise Refused(f"licence {licence.id} has nothing pending approval (it is active)")
    approver = check_text(officer, "officer", NAME_CHARS_MAX)
    if approver == licence.proposed_by:
        raise Refused(
            f"four-eyes: {licence.proposed_by} proposed this licence and cannot approve it"
        )
    return replace(
        licence,
        status=LicenceStatus.ACTIVE,
        approved_by=approver,
        approved_ms=check_instant(now_ms, "now_ms"),
    )


def licence_covers(
    licence: Licence,
    facts: MessageFacts,
    *,
    entity_bic8s: frozenset[str],
    used_total: Decimal,
    now_ms: int,
) -> bool:
    """True when the ACTIVE, valid `licence` lets this message through.

    `entity_bic8s` are the institutions the measure covers; every other institution in
    the message is a counterparty. `used_total` is what the licence already let through.
    """
    return not licence_gaps(
        licence, facts, entity_bic8s=entity_bic8s, used_total=used_total, now_ms=now_ms
    )


def licence_gaps(
    licence: Licence,
    facts: MessageFacts,
    *,
    entity_bic8s: frozenset[str],
    used_total: Decimal,
    now_ms: int,
) -> str:
    """Why `licence` does not cover the message ("" when it does), for the decision detail."""
    if licence.status is not LicenceStatus.ACTIVE:
        return f"licence {licence.id} is not approved"
    if not licence.valid_at(now_ms):
        return f"licence {licence.id} is not valid at {now_ms}"
    if licence.purposes and not licence.purposes.intersection(facts.purposes):
        shown = ", ".join(facts.purposes) or "none"
        return f"licence {licence.id} does not cover purpose {shown}"
    if licence.counterparties:
        others = sorted(facts.institution_bic8s() - entity_bic8s - licence.counterparties)
        if others:
            return f"licence {licence.id} does not cover counterparty {', '.join(others)}"
    if licence.currencies and facts.currency not in licence.currencies:
        return f"licence {licence.id} does not cover currency {facts.currency}"
    capped = licence.amount_max is not None or licence.total_max is not None
    if capped and facts.amount is None:
        return f"licence {licence.id} has an amount cap and the message states no amount"
    amount = facts.amount if facts.amount is not None else Decimal(0)
    if licence.amount_max is not None and amount > licence.amount_max:
        return f"licence {licence.id} allows at most {licence.amount_max} per message"
    if licence.total_max is not None and used_total + amount > licence.total_max:
        left = max(licence.total_max - used_total, Decimal(0))
        return f"licence {licence.id} has {left} of {licence.total_max} left"
    return ""


def approval_replayed(licence: Licence, officer: str) -> bool:
    """True when ``licence`` is active by ``officer``'s approval (a retried approve)."""
    return licence.status is LicenceStatus.ACTIVE and licence.approved_by == officer
