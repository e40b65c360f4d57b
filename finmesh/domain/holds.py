"""Held messages and their four-eyes disposition.

    HELD --(officer 1 proposes release|reject, with a reason)--> HELD + pending
    HELD + pending --(officer 2 confirms the same decision)--> RELEASED | REJECTED

The proposer can never confirm their own proposal; a confirmation must name the same
decision (a disagreement is refused and leaves the proposal standing).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from finmesh.domain import limits
from finmesh.domain.errors import BadRequest, Refused

Decision = Literal["release", "reject"]


class HoldState(StrEnum):
    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Hold:
    id: int
    biz_msg_id: str
    sender: str
    receiver: str
    measure_id: str
    created_ms: int
    priority: str = "NORMAL"
    state: HoldState = HoldState.HELD
    pending: Decision | None = None
    pending_by: str | None = None
    pending_reason: str | None = None
    decided_by: str | None = None
    decided_ms: int | None = None
    reason: str | None = None

    @property
    def final(self) -> bool:
        return self.state is not HoldState.HELD


def decide(
    hold: Hold, *, officer: str, decision: Decision, reason: str | None, now_ms: int
) -> Hold:
    """Record one officer's decision; the second matching one makes it final."""
    if hold.final:
        raise Refused(f"hold {hold.id} is already {hold.state.value}")
    if hold.pending is None:
        text = (reason or "").strip()
        if not text:
            raise BadRequest("a reason is required to propose releasing or rejecting a hold")
        if len(text) > limits.REASON_CHARS_MAX:
            raise BadRequest(f"reason longer than {limits.REASON_CHARS_MAX} characters")
        return replace(hold, pending=decision, pending_by=officer, pending_reason=text)
    if hold.pending_by == officer:
        raise Refused(
            f"four-eyes: {officer} proposed to {hold.pending} hold {hold.id} and cannot confirm it"
        )
    if decision != hold.pending:
        raise Refused(
            f"{hold.pending_by} proposed to {hold.pending} hold {hold.id}; "
            f"a second officer can confirm that, not {decision} it"
        )
    final = HoldState.RELEASED if decision == "release" else HoldState.REJECTED
    note = hold.pending_reason if not reason else f"{hold.pending_reason}; {reason.strip()}"
    return replace(hold, state=final, decided_by=officer, decided_ms=now_ms, reason=note)


def decision_replayed(hold: Hold, officer: str, decision: Decision) -> bool:
    """True when ``officer``'s ``decision`` is the one that made ``hold`` final: a
    confirmation retried after its answer was lost gets the hold as it stands. (A
    retried proposal stays refused: it cannot be told from a self-confirmation.)"""
    final = HoldState.RELEASED if decision == "release" else HoldState.REJECTED
    return hold.state is final and hold.decided_by == officer
