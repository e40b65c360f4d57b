"""Impact analysis: what a measure would have stopped, had it been in force over a period.

Officers read this before approving: how many messages and how much value the measure
catches, which counterparties and country corridors lose traffic, how much of it the
licences already drafted would let through, and (for a disconnection) how many queued
messages would be returned undelivered to their senders.

The measure is judged as if in force over the whole period, whatever its effective
instant and status; licences are applied as they stand at each message's time, their
totals accumulating in time order from zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from finmesh.domain.errors import BadRequest
from finmesh.domain.policy.licences import Licence, licence_covers
from finmesh.domain.policy.measures import Measure
from finmesh.domain.policy.screening import MessageFacts, locate

QUEUED_IDS_SHOWN = 100
"""How many ids of queued messages to return the report lists."""


@dataclass(frozen=True)
class TrafficRecord:
    """One stored message, as impact analysis needs it."""

    biz_msg_id: str
    received_ms: int
    facts: MessageFacts


class _Values:
    """Sums of amounts per currency."""

    def __init__(self) -> None:
        self.sums: dict[str, Decimal] = {}

    def add(self, facts: MessageFacts) -> None:
        if facts.amount is not None and facts.currency:
            self.sums[facts.currency] = self.sums.get(facts.currency, Decimal(0)) + facts.amount

    def as_json(self) -> dict[str, str]:
        return {currency: format(total, "f") for currency, total in sorted(self.sums.items())}


class _Tally:
    """Messages and value for one counterparty or corridor."""

    def __init__(self) -> None:
        self.messages = 0
        self.value = _Values()

    def add(self, facts: MessageFacts) -> None:
        self.messages += 1
        self.value.add(facts)


def _catches(measure: Measure, covered: frozenset[str], facts: MessageFacts) -> bool:
    if measure.kind == "disconnect":
        return facts.sender_bic8 in covered or facts.receiver_bic8 in covered
    return locate(facts, covered, measure.name) is not None


def _licensed(
    licences: Sequence[Licence],
    facts: MessageFacts,
    covered: frozenset[str],
    used: dict[str, Decimal],
    at_ms: int,
) -> bool:
    for licence in licences:
        used_total = used.get(licence.id, Decimal(0))
        if licence_covers(
            licence, facts, entity_bic8s=covered, used_total=used_total, now_ms=at_ms
        ):
            if facts.amount is not None:
                used[licence.id] = used_total + facts.amount
            return True
    return False


def impact(
    measure: Measure,
    covered: frozenset[str],
    traffic: Iterable[TrafficRecord],
    queued: Iterable[TrafficRecord],
    licences: Sequence[Licence],
    *,
    period_from_ms: int,
    period_to_ms: int,
) -> dict[str, object]:
    """A JSON-able report of `measure` applied to `traffic` received in [from, to).

    `covered` is passed in because a proposed measure has not fixed its own yet (see
    covered_bic8s). Only licences of this measure count; disconnections have none.
    """
    if period_to_ms <= period_from_ms:
        raise BadRequest(f"period ends ({period_to_ms}) before it starts ({period_from_ms})")
    own_licences = (
        [licence for licence in licences if licence.measure_id == measure.id]
        if measure.kind == "prohibit"
        else []
    )
    window = sorted(
        (r for r in traffic if period_from_ms <= r.received_ms < period_to_ms),
        key=lambda record: (record.received_ms, record.biz_msg_id),
    )
    stopped = licensed = 0
    value_stopped = _Values()
    counterparties: dict[str, _Tally] = {}
    corridors: dict[tuple[str, str], _Tally] = {}
    used: dict[str, Decimal] = {}
    for record in window:
        facts = record.facts
        if not _catches(measure, covered, facts):
            continue
        if _licensed(own_licences, facts, covered, used, record.received_ms):
            licensed += 1
            continue
        stopped += 1
        value_stopped.add(facts)
        for bic8 in dict.fromkeys((facts.sender_bic8, facts.receiver_bic8)):
            if bic8 not in covered:
                counterparties.setdefault(bic8, _Tally()).add(facts)
        corridor = (facts.sender[4:6], facts.receiver[4:6])
        corridors.setdefault(corridor, _Tally()).add(facts)

    returned: list[str] = []
    if measure.kind == "disconnect":
        returned = [r.biz_msg_id for r in queued if r.facts.receiver_bic8 in covered]

    return {
        "measure": measure.id,
        "kind": measure.kind,
        "covered_institutions": sorted(covered),
        "period": {"from_ms": period_from_ms, "to_ms": period_to_ms},
        "messages_examined": len(window),
        "messages_stopped": stopped,
        "held": stopped if measure.action == "hold" else 0,
        "rejected": stopped if measure.action == "reject" else 0,
        "licensed": licensed,
        "value_stopped": value_stopped.as_json(),
        "counterparties": [
            {"bic8": bic8, "messages": tally.messages, "value": tally.value.as_json()}
            for bic8, tally in sorted(
                counterparties.items(), key=lambda item: (-item[1].messages, item[0])
            )
        ],
        "corridors": [
            {
                "from": pair[0],
                "to": pair[1],
                "messages": tally.messages,
                "value": tally.value.as_json(),
            }
            for pair, tally in sorted(
                corridors.items(), key=lambda item: (-item[1].messages, item[0])
            )
        ],
        "queued_to_return": len(returned),
        "queued_ids": returned[:QUEUED_IDS_SHOWN],
    }
