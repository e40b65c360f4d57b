"""The policy decision for one message: pass, reject or hold, with the rule that decided.

Order of the rules, first match wins:

1. A disconnection in force covering the sender's or the receiver's BIC8 rejects (P01).
   No licence lifts a disconnection.
2. Every prohibition in force whose entity appears in the message (by BIC in any role,
   or by its listed name for parties without a BIC) must be covered by an approved
   licence of that same measure. Each one that is not stops the message with its
   measure's action; a reject (P02) dominates a hold.
3. Otherwise the message passes, naming the licences it relied on, if any.

Everything is decided from a PolicySnapshot and the instant passed in: the same inputs
always give the same decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Literal

from finmesh.domain.policy.licences import Licence, LicenceStatus, licence_gaps
from finmesh.domain.policy.measures import Measure, MeasureStatus
from finmesh.domain.policy.screening import Appearance, MessageFacts, locate
from finmesh.domain.reasons import Reason

Outcome = Literal["pass", "reject", "hold"]

NOTHING_USED: Mapping[str, Decimal] = MappingProxyType({})

_GAPS_SHOWN = 3
"""How many licences' reasons for not covering a message go into a decision's detail."""


@dataclass(frozen=True)
class PolicySnapshot:
    """Every measure and licence at one version, with what each licence has let through."""

    measures: tuple[Measure, ...] = ()
    licences: tuple[Licence, ...] = ()
    licence_used: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    """Licence id -> sum of the amounts of messages it has let through so far."""
    version: int = 0

    @cached_property
    def licences_by_measure(self) -> Mapping[str, tuple[Licence, ...]]:
        grouped: dict[str, list[Licence]] = {}
        for licence in self.licences:
            grouped.setdefault(licence.measure_id, []).append(licence)
        return {measure_id: tuple(found) for measure_id, found in grouped.items()}

    def in_force(self, now_ms: int) -> tuple[Measure, ...]:
        return tuple(measure for measure in self.measures if measure.in_force(now_ms))

    def disconnected(self, bic8: str, now_ms: int) -> Measure | None:
        """The disconnection in force covering `bic8` (BIC11 accepted), if any."""
        entity = bic8[:8]
        for measure in self.measures:
            if (
                measure.kind == "disconnect"
                and entity in _covered(measure)
                and measure.in_force(now_ms)
            ):
                return measure
        return None

    def next_change_after(self, now_ms: int) -> int | None:
        """The earliest instant after `now_ms` at which a decision could change, if any.

        Only approved measures and licences count: an approval makes a new snapshot.
        """
        instants: list[int] = []
        for measure in self.measures:
            if not measure.approved:
                continue
            instants.append(measure.effective_ms)
            if measure.status is MeasureStatus.LIFTED and measure.lift_effective_ms is not None:
                instants.append(measure.lift_effective_ms)
        for licence in self.licences:
            if licence.status is not LicenceStatus.ACTIVE:
                continue
            instants.append(licence.valid_from_ms)
            if licence.valid_until_ms is not None:
                instants.append(licence.valid_until_ms + 1)
        return min((instant for instant in instants if instant > now_ms), default=None)


@dataclass(frozen=True)
class PolicyDecision:
    """What policy says about one message. `reason` is set exactly when it is rejected."""

    outcome: Outcome
    reason: Reason | None
    measure_id: str | None
    """The measure that rejected or held the message."""
    licence_id: str | None
    """The (first) licence that let the message through a prohibition."""
    detail: str
    licence_ids: tuple[str, ...] = ()
    """Every licence the pass relied on, one per licensed measure: each one's used total
    grows by the message's amount (see add_usage)."""


PASS = PolicyDecision("pass", None, None, None, "no measure applies")


def _covered(measure: Measure) -> frozenset[str]:
    # An approved measure always has `covered`; the fallback keeps a hand-built one safe.
    return measure.covered or frozenset({measure.bic8})


def _disconnection(facts: MessageFacts, measure: Measure) -> PolicyDecision | None:
    covered = _covered(measure)
    for side, bic in (("sender", facts.sender), ("receiver", facts.receiver)):
        if bic[:8] in covered:
            return PolicyDecision(
                "reject",
                Reason.DISCONNECTED,
                measure.id,
                None,
                f"{side} {bic} is disconnected by measure {measure.id} ({measure.reference})",
            )
    return None


def _licence_for(
    measure: Measure,
    facts: MessageFacts,
    snapshot: PolicySnapshot,
    now_ms: int,
    used_in_batch: Mapping[str, Decimal],
) -> tuple[Licence | None, str]:
    """The first licence of `measure` covering the message, or None and why none does."""
    gaps: list[str] = []
    for licence in snapshot.licences_by_measure.get(measure.id, ()):
        used = snapshot.licence_used.get(licence.id, Decimal(0))
        used += used_in_batch.get(licence.id, Decimal(0))
        gap = licence_gaps(
            licence, facts, entity_bic8s=_covered(measure), used_total=used, now_ms=now_ms
        )
        if not gap:
            return licence, ""
        gaps.append(gap)
    if not gaps:
        return None, f"measure {measure.id} has no licence"
    shown = "; ".join(gaps[:_GAPS_SHOWN])
    more = len(gaps) - _GAPS_SHOWN
    return None, shown + (f"; and {more} more licence(s)" if more > 0 else "")


def _stopped(
    outcome: Outcome, stops: list[tuple[Measure, Appearance, str]], first: int
) -> PolicyDecision:
    measure, found, why = stops[first]
    others = [other.id for index, (other, _, _) in enumerate(stops) if index != first]
    detail = (
        f"{found.describe()} is prohibited by measure {measure.id} ({measure.reference}):"
        f" {why}" + (f"; also caught by {', '.join(others)}" if others else "")
    )
    reason = Reason.PROHIBITED if outcome == "reject" else None
    return PolicyDecision(outcome, reason, measure.id, None, detail)


def evaluate(
    facts: MessageFacts,
    snapshot: PolicySnapshot,
    now_ms: int,
    used_in_batch: Mapping[str, Decimal] = NOTHING_USED,
) -> PolicyDecision:
    """Decide one message at `now_ms`.

    `used_in_batch` holds, per licence id, the amounts already let through earlier in the
    same batch and not yet counted in `snapshot.licence_used`.
    """
    in_force = snapshot.in_force(now_ms)
    for measure in in_force:
        if measure.kind == "disconnect":
            decision = _disconnection(facts, measure)
            if decision is not None:
                return decision

    stops: list[tuple[Measure, Appearance, str]] = []
    licensed: list[tuple[Measure, Licence]] = []
    for measure in in_force:
        if measure.kind != "prohibit":
            continue
        found = locate(facts, _covered(measure), measure.name)
        if found is None:
            continue
        licence, why = _licence_for(measure, facts, snapshot, now_ms, used_in_batch)
        if licence is None:
            stops.append((measure, found, why))
        else:
            licensed.append((measure, licence))

    for index, (measure, _, _) in enumerate(stops):
        if measure.action == "reject":
            return _stopped("reject", stops, index)
    if stops:
        return _stopped("hold", stops, 0)
    if not licensed:
        return PASS
    uses = [f"licence {licence.id} of measure {measure.id}" for measure, licence in licensed]
    return PolicyDecision(
        "pass",
        None,
        None,
        licensed[0][1].id,
        "let through by " + ", ".join(uses),
        tuple(dict.fromkeys(licence.id for _, licence in licensed)),
    )


def add_usage(
    used: Mapping[str, Decimal], decision: PolicyDecision, facts: MessageFacts
) -> dict[str, Decimal]:
    """`used` plus this message's amount for every licence `decision` relied on.

    Feed the result back as `used_in_batch` for the next message of the same batch.
    """
    total = dict(used)
    if decision.outcome == "pass" and facts.amount is not None:
        for licence_id in decision.licence_ids:
            total[licence_id] = total.get(licence_id, Decimal(0)) + facts.amount
    return total
