"""Measures: the operator's disconnections and prohibitions, and their four-eyes lifecycle.

A measure names one institution (by BIC8, optionally with the entities it owns more than
50 %, EU Reg 2022/345 Annex XIV style) and either disconnects it from the network or
prohibits transactions in which it appears (Reg 2022/334 style). Every step that changes
what the network does needs a second officer::

    propose_measure (officer A)
            |
            v
        PROPOSED --approve (officer B != A)--> ACTIVE
            |                                    |
            | refuse (officer B != A)            | propose_lift (officer C)
            v                                    v
         REFUSED                           LIFT_PROPOSED --approve (officer D != C)--> LIFTED
                                                 |
                                                 | refuse (officer D != C): back to ACTIVE
                                                 v
                                               ACTIVE

A refusal is a decision of the second officer as an approval is, with a reason; the
audit trail keeps it. Nothing else moves: approving a measure that is not pending, or
lifting one that is not ACTIVE, is Refused. A measure is *in force* from
``effective_ms`` (inclusive) once approved, through LIFT_PROPOSED (a proposed lift
changes nothing yet), until
``lift_effective_ms`` (exclusive) once the lift is approved. Approval is never
retroactive: an instant already past when the second officer approves becomes the
approval instant, so no message is judged by a rule that did not exist when it arrived.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal, get_args

from finmesh.domain.bic import Bic
from finmesh.domain.directory import OwnershipLink, owned_more_than_half
from finmesh.domain.errors import BadRequest, InvalidBic, Refused
from finmesh.domain.limits import REASON_CHARS_MAX

MeasureKind = Literal["disconnect", "prohibit"]
Action = Literal["reject", "hold"]

MEASURE_KINDS: tuple[str, ...] = get_args(MeasureKind)
ACTIONS: tuple[str, ...] = get_args(Action)

REFERENCE_CHARS_MAX = 200
"""Longest legal reference ("Reg (EU) 2022/345 Annex XIV"), in characters."""

NAME_CHARS_MAX = 140
"""Longest entity name, in characters (ISO 20022 names are Max140Text)."""

ID_CHARS_MAX = 64
"""Longest measure or licence identifier, in characters."""


class MeasureStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    LIFT_PROPOSED = "lift_proposed"
    LIFTED = "lifted"
    REFUSED = "refused"


_APPROVED = frozenset({MeasureStatus.ACTIVE, MeasureStatus.LIFT_PROPOSED, MeasureStatus.LIFTED})


@dataclass(frozen=True)
class Measure:
    """One disconnection or prohibition. `covered` is fixed when the measure is approved."""

    id: str
    kind: MeasureKind
    bic8: str
    name: str | None
    """The entity's name as listed, matched against parties that carry no BIC."""
    with_subsidiaries: bool
    action: Action
    """What happens to a caught message; disconnections always reject."""
    reference: str
    effective_ms: int
    proposed_by: str
    proposed_ms: int
    status: MeasureStatus = MeasureStatus.PROPOSED
    approved_by: str | None = None
    approved_ms: int | None = None
    covered: frozenset[str] = frozenset()
    """BIC8s the measure applies to: `bic8`, plus its majority-owned entities if asked."""
    lift_effective_ms: int | None = None
    lift_proposed_by: str | None = None
    lift_approved_by: str | None = None
    lift_proposed_ms: int | None = None
    lift_approved_ms: int | None = None
    refused_by: str | None = None
    refused_ms: int | None = None
    refusal: str | None = None
    """Why the second officer refused the proposal (a refused lift leaves no trace here:
    the measure is active again, and the audit trail holds the refusal)."""

    @property
    def approved(self) -> bool:
        return self.status in _APPROVED

    def in_force(self, now_ms: int) -> bool:
        """True when the measure applies to a message handled at `now_ms`."""
        if not self.approved or now_ms < self.effective_ms:
            return False
        if self.status is MeasureStatus.LIFTED and self.lift_effective_ms is not None:
            return now_ms < self.lift_effective_ms
        return True


def check_text(value: object, what: str, max_chars: int) -> str:
    """`value` stripped, or BadRequest when it is not text, empty or too long."""
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise BadRequest(f"{what} must not be empty")
    if len(text) > max_chars:
        raise BadRequest(f"{what} has {len(text)} characters, at most {max_chars} allowed")
    return text


def check_instant(value: object, what: str) -> int:
    """`value` as milliseconds since the epoch, or BadRequest."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{what} must be an integer number of milliseconds")
    if value < 0:
        raise BadRequest(f"{what} must not be before the epoch, got {value}")
    return value


def check_bic8(value: object, what: str) -> str:
    """`value` as a valid BIC8 (an institution, not a branch), or BadRequest."""
    if not isinstance(value, str) or len(value.strip()) != 8:
        raise BadRequest(f"{what} must be a BIC8 (8 characters), got {value!r}")
    try:
        return Bic.parse(value).bic8
    except InvalidBic as exc:
        raise BadRequest(f"{what}: {exc}") from None


def propose_measure(
    *,
    id: str,
    kind: MeasureKind,
    bic8: str,
    name: str | None,
    with_subsidiaries: bool,
    action: Action,
    reference: str,
    effective_ms: int,
    officer: str,
    now_ms: int,
) -> Measure:
    """A new PROPOSED measure, or BadRequest naming the first invalid field."""
    if kind not in MEASURE_KINDS:
        raise BadRequest(f"measure kind must be one of {', '.join(MEASURE_KINDS)}, got {kind!r}")
    if action not in ACTIONS:
        raise BadRequest(f"measure action must be one of {', '.join(ACTIONS)}, got {action!r}")
    if kind == "disconnect" and action != "reject":
        raise BadRequest("a disconnection can only reject: held traffic would still flow later")
    if not isinstance(with_subsidiaries, bool):
        raise BadRequest("with_subsidiaries must be true or false")
    return Measure(
        id=check_text(id, "measure id", ID_CHARS_MAX),
        kind=kind,
        bic8=check_bic8(bic8, "measure bic8"),
        name=None if name is None or not name.strip() else check_text(name, "name", NAME_CHARS_MAX),
        with_subsidiaries=with_subsidiaries,
        action=action,
        reference=check_text(reference, "reference", REFERENCE_CHARS_MAX),
        effective_ms=check_instant(effective_ms, "effective_ms"),
        proposed_by=check_text(officer, "officer", NAME_CHARS_MAX),
        proposed_ms=check_instant(now_ms, "now_ms"),
    )


def covered_bic8s(
    bic8: str,
    with_subsidiaries: bool,
    links: Iterable[OwnershipLink],
    co_listed: frozenset[str] = frozenset(),
) -> frozenset[str]:
    """`bic8`, plus every BIC8 it owns more than 50 % (directly, indirectly, in aggregate).

    ``co_listed`` are the institutions already cut off with their subsidiaries by other
    measures: holdings are aggregated across listed owners (as the EU's guidance on
    ownership does), so an entity owned 30 % by this one and 30 % by a co-listed one is
    captured now. Entities the co-listed ones capture on their own stay theirs.
    """
    entity = bic8[:8]
    if not with_subsidiaries:
        return frozenset({entity})
    links = list(links)
    others = co_listed - {entity}
    joint = owned_more_than_half([entity, *others], links)
    alone = owned_more_than_half(others, links) if others else set()
    return frozenset({entity} | (joint - alone - others))


def _four_eyes(proposer: str | None, officer: str, what: str, verb: str = "approve") -> str:
    approver = check_text(officer, "officer", NAME_CHARS_MAX)
    if approver == proposer:
        raise Refused(f"four-eyes: {proposer} proposed {what} and cannot {verb} it")
    return approver


def approve(
    measure: Measure,
    *,
    officer: str,
    now_ms: int,
    links: Iterable[OwnershipLink],
    co_listed: frozenset[str] = frozenset(),
) -> Measure:
    """Approve what is pending: the measure itself, or its lift.

    PROPOSED -> ACTIVE fixes `covered` from the ownership links as they are now and moves
    a past `effective_ms` to `now_ms`. LIFT_PROPOSED -> LIFTED does the same for the lift.
    """
    now_ms = check_instant(now_ms, "now_ms")
    if measure.status is MeasureStatus.PROPOSED:
        approver = _four_eyes(measure.proposed_by, officer, "this")
        return replace(
            measure,
            status=MeasureStatus.ACTIVE,
            approved_by=approver,
            approved_ms=now_ms,
            effective_ms=max(measure.effective_ms, now_ms),
            covered=covered_bic8s(measure.bic8, measure.with_subsidiaries, links, co_listed),
        )
    if measure.status is MeasureStatus.LIFT_PROPOSED:
        approver = _four_eyes(measure.lift_proposed_by, officer, "this lift")
        proposed = measure.lift_effective_ms if measure.lift_effective_ms is not None else now_ms
        return replace(
            measure,
            status=MeasureStatus.LIFTED,
            lift_approved_by=approver,
            lift_approved_ms=now_ms,
            lift_effective_ms=max(proposed, now_ms),
        )
    raise Refused(
        f"measure {measure.id} has nothing pending approval (it is {measure.status.value})"
    )


def refuse(measure: Measure, *, officer: str, reason: str, now_ms: int) -> Measure:
    """Refuse what is pending, by a second officer with a reason: a proposal becomes
    REFUSED (never in force), a proposed lift is dropped (the measure stays ACTIVE)."""
    now_ms = check_instant(now_ms, "now_ms")
    why = check_text(reason, "reason", REASON_CHARS_MAX)
    if measure.status is MeasureStatus.PROPOSED:
        refuser = _four_eyes(measure.proposed_by, officer, "this", "refuse")
        return replace(
            measure, status=MeasureStatus.REFUSED, refused_by=refuser, refused_ms=now_ms,
            refusal=why,
        )  # fmt: skip
    if measure.status is MeasureStatus.LIFT_PROPOSED:
        _four_eyes(measure.lift_proposed_by, officer, "this lift", "refuse")
        return replace(
            measure, status=MeasureStatus.ACTIVE, lift_effective_ms=None,
            lift_proposed_by=None, lift_proposed_ms=None,
        )  # fmt: skip
    raise Refused(
        f"measure {measure.id} has nothing pending a decision (it is {measure.status.value})"
    )


def propose_lift(measure: Measure, *, officer: str, effective_ms: int, now_ms: int) -> Measure:
    """ACTIVE -> LIFT_PROPOSED: the measure stays in force until a second officer approves."""
    if measure.status is not MeasureStatus.ACTIVE:
        raise Refused(
            f"only an active measure can be lifted; measure {measure.id} is {measure.status.value}"
        )
    return replace(
        measure,
        status=MeasureStatus.LIFT_PROPOSED,
        lift_effective_ms=check_instant(effective_ms, "lift effective_ms"),
        lift_proposed_by=check_text(officer, "officer", NAME_CHARS_MAX),
        lift_proposed_ms=check_instant(now_ms, "now_ms"),
    )


def co_listed(measures: Iterable[Measure], excluding: str) -> frozenset[str]:
    """BIC8s cut off with their subsidiaries by approved, unlifted disconnections other
    than ``excluding``: the owners whose holdings aggregate with a new measure's."""
    live = (MeasureStatus.ACTIVE, MeasureStatus.LIFT_PROPOSED)
    return frozenset(
        m.bic8
        for m in measures
        if m.id != excluding and m.kind == "disconnect" and m.with_subsidiaries and m.status in live
    )
