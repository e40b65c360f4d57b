"""Compliance service: measures, licences, holds, impact analysis and the audit trail.

Officers act through here (the operator API and CLI call it). Domain rules decide
(four-eyes, lifecycles, coverage); the store records each change atomically with its
audit entry; this module glues them and keeps a policy snapshot cache for intake.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from finmesh.domain import admission, limits
from finmesh.domain.audit import ChainVerdict, verify_with_head
from finmesh.domain.bic import Bic
from finmesh.domain.errors import BadRequest, InvalidBic, Refused
from finmesh.domain.holds import Decision, Hold, decide
from finmesh.domain.policy import licences as lic
from finmesh.domain.policy import measures as ms
from finmesh.domain.policy.evaluate import PolicySnapshot
from finmesh.domain.policy.impact import impact
from finmesh.domain.policy.licences import Licence
from finmesh.domain.policy.measures import Measure, MeasureStatus
from finmesh.node.clock import Clock
from finmesh.store.port import AuditNote, Store

COMPLIANCE = "compliance"
SETTLE_SECONDS_MAX = 0.005
READ_ROLES = frozenset({"compliance", "auditor", "operator"})


class Forbidden(Refused):
    """The operator lacks the role an action needs."""


class Compliance:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int], PolicySnapshot] | None = None

    # the snapshot intake and authentication evaluate against

    def snapshot(self) -> PolicySnapshot:
        key = self.store.policy_versions()
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            fresh = self.store.policy_snapshot()
            self._cached = (key, fresh)
            return fresh

    # measures

    def propose_measure(
        self,
        officer: str,
        roles: Iterable[str],
        *,
        kind: str,
        bic: str,
        name: str | None,
        with_subsidiaries: bool,
        action: str,
        reference: str,
        effective_ms: int | None,
    ) -> Measure:
        require(roles, COMPLIANCE)
        bic8 = _bic(bic).bic8
        known = bool(self.store.institutions_with_bic8(bic8))
        if kind == "disconnect" and not known:
            # a typo would make a measure that cuts off nobody
            raise BadRequest(f"{bic8} is not in the directory: nothing to disconnect")
        if kind == "prohibit" and not name:
            name = self._directory_name(bic8)
        now = self.clock()
        draft = ms.propose_measure(  # validated before an id is spent
            id="M-0",
            kind=kind,  # type: ignore[arg-type]
            bic8=bic8,
            name=name,
            with_subsidiaries=with_subsidiaries,
            action=action,  # type: ignore[arg-type]
            reference=reference,
            effective_ms=now if effective_ms is None else effective_ms,
            officer=officer,
            now_ms=now,
        )
        measure = replace(draft, id=f"M-{self.store.next_id('measure')}")
        self.store.save_measure(measure, _note(officer, "measure.propose", measure), now)
        return measure

    def approve_measure(self, officer: str, roles: Iterable[str], measure_id: str) -> Measure:
        require(roles, COMPLIANCE)
        links = self.store.ownership_links()

        def change(current: Measure, now: int, others: list[Measure]) -> tuple[Measure, AuditNote]:
            # now + 1: a batch committed just before this transaction was evaluated at
            # an instant <= now, so the measure starts strictly after it
            after = ms.approve(
                current,
                officer=officer,
                now_ms=now + 1,
                links=links,
                co_listed=ms.co_listed(others, current.id),
            )
            lifted = after.status is MeasureStatus.LIFTED
            return after, _note(
                officer, "measure.lift.approve" if lifted else "measure.approve", after
            )

        after = self.store.update_measure(measure_id, change, self.clock)
        self._settle(
            after.lift_effective_ms if after.status is MeasureStatus.LIFTED else after.effective_ms
        )
        self.enforce_due()
        return after

    def refuse_measure(
        self, officer: str, roles: Iterable[str], measure_id: str, reason: str
    ) -> Measure:
        """A second officer refuses a proposed measure or a proposed lift, with a reason."""
        require(roles, COMPLIANCE)

        def change(current: Measure, now: int, others: list[Measure]) -> tuple[Measure, AuditNote]:
            lift = current.status is MeasureStatus.LIFT_PROPOSED
            after = ms.refuse(current, officer=officer, reason=reason, now_ms=now)
            note = _note(officer, "measure.lift.refuse" if lift else "measure.refuse", after)
            return after, replace(note, details={**note.details, "reason": reason.strip()})

        return self.store.update_measure(measure_id, change, self.clock)

    def _settle(self, instant: int | None) -> None:
        """An approval "effective now" takes effect 1 ms after its commit; wait that
        millisecond out so the caller sees it in force (bounded: a simulated clock
        does not move)."""
        deadline = time.monotonic() + SETTLE_SECONDS_MAX
        while instant is not None and self.clock() < instant and time.monotonic() < deadline:
            if instant - self.clock() > 1000 * SETTLE_SECONDS_MAX:
                return  # a future instant: nothing to wait for
            time.sleep(0.0005)

    def lift_measure(
        self, officer: str, roles: Iterable[str], measure_id: str, effective_ms: int | None
    ) -> Measure:
        require(roles, COMPLIANCE)

        def change(current: Measure, now: int, others: list[Measure]) -> tuple[Measure, AuditNote]:
            after = ms.propose_lift(
                current,
                officer=officer,
                effective_ms=now if effective_ms is None else effective_ms,
                now_ms=now,
            )
            return after, _note(officer, "measure.lift.propose", after)

        return self.store.update_measure(measure_id, change, self.clock)

    def measures(self, roles: Iterable[str]) -> list[dict[str, Any]]:
        require_any(roles, READ_ROLES)
        snap, now = self.snapshot(), self.clock()
        return [measure_json(m, now) for m in snap.measures]

    def impact(
        self, roles: Iterable[str], measure_id: str, from_ms: int, to_ms: int
    ) -> dict[str, object]:
        require_any(roles, READ_ROLES)
        if to_ms <= from_ms:
            raise BadRequest("--to must be after --from")
        examined = self.store.traffic_count(from_ms, to_ms)
        if examined > limits.IMPACT_MESSAGES_MAX:
            raise BadRequest(
                f"{examined} messages in that period; analyse at most "
                f"{limits.IMPACT_MESSAGES_MAX} at a time (choose a shorter period)"
            )
        measure = self.store.measure(measure_id)
        covered = measure.covered or ms.covered_bic8s(
            measure.bic8, measure.with_subsidiaries, self.store.ownership_links()
        )
        licences = [x for x in self.snapshot().licences if x.measure_id == measure_id]
        return impact(
            measure,
            covered,
            self.store.traffic(from_ms, to_ms),
            self.store.queued_traffic(),
            licences,
            period_from_ms=from_ms,
            period_to_ms=to_ms,
        )

    def enforce_due(self) -> int:
        """Return messages queued for institutions whose disconnection is now in force."""
        now, returned = self.clock(), 0
        for m in self.snapshot().in_force(now):
            if m.kind == "disconnect":
                returned += self.store.return_queued(m, now, _returned_detail(m))
        return returned

    # licences

    def propose_licence(
        self,
        officer: str,
        roles: Iterable[str],
        *,
        measure_id: str,
        reference: str,
        purposes: Sequence[str],
        counterparties: Sequence[str],
        currencies: Sequence[str],
        amount_max: Decimal | None,
        total_max: Decimal | None,
        valid_from_ms: int | None,
        valid_until_ms: int | None,
    ) -> Licence:
        require(roles, COMPLIANCE)
        now = self.clock()
        draft = lic.propose_licence(  # validated before an id is spent
            id="L-0",
            measure=self.store.measure(measure_id),
            reference=reference,
            purposes=purposes,
            counterparties=counterparties,
            currencies=currencies,
            amount_max=amount_max,
            total_max=total_max,
            valid_from_ms=now if valid_from_ms is None else valid_from_ms,
            valid_until_ms=valid_until_ms,
            officer=officer,
            now_ms=now,
        )
        licence = replace(draft, id=f"L-{self.store.next_id('licence')}")
        self.store.save_licence(licence, _note(officer, "licence.propose", licence), now)
        return licence

    def approve_licence(self, officer: str, roles: Iterable[str], licence_id: str) -> Licence:
        require(roles, COMPLIANCE)

        def change(current: Licence, now: int) -> tuple[Licence, AuditNote]:
            after = lic.approve_licence(current, officer=officer, now_ms=now)
            return after, _note(officer, "licence.approve", after)

        return self.store.update_licence(licence_id, change, self.clock)

    def licences(self, roles: Iterable[str]) -> list[dict[str, Any]]:
        require_any(roles, READ_ROLES)
        snap = self.snapshot()
        return [licence_json(x, snap.licence_used.get(x.id, Decimal(0))) for x in snap.licences]

    # holds

    def holds(self, roles: Iterable[str], state: str | None = "held") -> list[dict[str, Any]]:
        require_any(roles, READ_ROLES)
        return [hold_json(h) for h in self.store.holds() if state is None or h.state.value == state]

    def decide_hold(
        self,
        officer: str,
        roles: Iterable[str],
        hold_id: int,
        decision: Decision,
        reason: str | None,
    ) -> Hold:
        require(roles, COMPLIANCE)
        now = self.clock()
        before = self.store.hold(hold_id)
        after = decide(before, officer=officer, decision=decision, reason=reason, now_ms=now)
        action = f"hold.{decision}.{'confirm' if after.final else 'propose'}"
        note = AuditNote(
            officer,
            action,
            str(hold_id),
            {
                "message": after.biz_msg_id,
                "measure": after.measure_id,
                "reason": reason or after.pending_reason,
            },
        )
        # the obsolescence period runs from the release
        obsolete = now + 1000 * admission.obsolescence_seconds(after.priority)
        snapshot = self.snapshot()
        # either side cut off meanwhile: the message goes back, it is not delivered
        cut_off = snapshot.disconnected(after.receiver[:8], now) or snapshot.disconnected(
            after.sender[:8], now
        )
        returned = (cut_off.id, _returned_detail(cut_off)) if cut_off else None
        self.store.save_hold(before, after, note, now, obsolete, returned)
        return after

    # audit

    def verify_audit(self) -> ChainVerdict:
        head = self.store.audit_head()  # read first: entries appended meanwhile are fine
        return verify_with_head(self.store.audit_entries(), head)

    def _directory_name(self, bic8: str) -> str | None:
        found = self.store.institutions_with_bic8(bic8)
        head = [i for i in found if i.bic.branch is None] or found
        return head[0].name if head else None


def _returned_detail(m: Measure) -> str:
    return f"measure {m.id} ({m.reference})"


def require(roles: Iterable[str], role: str) -> None:
    if role not in set(roles):
        raise Forbidden(f"this action needs the {role} role")


def require_any(roles: Iterable[str], allowed: frozenset[str]) -> None:
    if not allowed & set(roles):
        raise Forbidden(f"this action needs one of the roles {sorted(allowed)}")


def _bic(text: str) -> Bic:
    try:
        return Bic.parse(text)
    except InvalidBic as exc:
        raise BadRequest(str(exc)) from exc


def _note(officer: str, action: str, value: Measure | Licence) -> AuditNote:
    details = measure_json(value, None) if isinstance(value, Measure) else licence_json(value, None)
    return AuditNote(officer, action, value.id, details)


def measure_json(m: Measure, now_ms: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": m.id,
        "kind": m.kind,
        "bic": m.bic8,
        "name": m.name,
        "with_subsidiaries": m.with_subsidiaries,
        "action": m.action,
        "reference": m.reference,
        "effective_ms": m.effective_ms,
        "status": m.status.value,
        "proposed_by": m.proposed_by,
        "approved_by": m.approved_by,
        "covered": sorted(m.covered),
        "lift_effective_ms": m.lift_effective_ms,
        "lift_proposed_by": m.lift_proposed_by,
        "lift_approved_by": m.lift_approved_by,
        "refused_by": m.refused_by,
        "refusal": m.refusal,
    }
    if now_ms is not None:
        data["in_force"] = m.in_force(now_ms)
    return data


def licence_json(x: Licence, used: Decimal | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": x.id,
        "measure": x.measure_id,
        "reference": x.reference,
        "purposes": sorted(x.purposes),
        "counterparties": sorted(x.counterparties),
        "currencies": sorted(x.currencies),
        "amount_max": None if x.amount_max is None else str(x.amount_max),
        "total_max": None if x.total_max is None else str(x.total_max),
        "valid_from_ms": x.valid_from_ms,
        "valid_until_ms": x.valid_until_ms,
        "status": x.status.value,
        "proposed_by": x.proposed_by,
        "approved_by": x.approved_by,
    }
    if used is not None:
        data["used_total"] = str(used)
    return data


def hold_json(h: Hold) -> dict[str, Any]:
    return {
        "id": h.id,
        "message": h.biz_msg_id,
        "sender": h.sender,
        "receiver": h.receiver,
        "measure": h.measure_id,
        "state": h.state.value,
        "pending": h.pending,
        "pending_by": h.pending_by,
        "pending_reason": h.pending_reason,
        "decided_by": h.decided_by,
        "reason": h.reason,
        "created_ms": h.created_ms,
    }
