"""Good-guy exceptions with four-eyes: the lifecycle the store records.

    PROPOSED --(a second officer approves)--> ACTIVE --(any officer withdraws)--> WITHDRAWN
    PROPOSED --(any officer withdraws)--> WITHDRAWN
    ACTIVE --(expires_ms passes)--> EXPIRED

An exception loosens screening, so putting one in force takes two officers (the
proposer can never approve it). Withdrawing one tightens screening again, so one
officer suffices. Only an ACTIVE exception clears hits (``GoodGuy`` and
``decision.without_good_guys`` do the clearing).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from finmesh.domain import limits
from finmesh.domain.errors import BadRequest, Refused
from finmesh.domain.screening.model import GoodGuy

GoodGuyStatus = Literal["proposed", "active", "withdrawn", "expired"]
CLEARED_FOR_CHARS_MAX = 140
"""Longest counterparty name (ISO 20022 Max140Text) an exception may be cleared for."""
LIST_FIELD_CHARS_MAX = 200
"""Longest list name or entry id an exception may name."""


@dataclass(frozen=True)
class GoodGuyRecord:
    """A good-guy exception as stored, with who proposed, approved and withdrew it."""

    id: str
    list_name: str
    entry_id: str
    cleared_for: str
    """A BIC (8 or 11 characters) or a counterparty name (see ``GoodGuy``)."""
    reason: str
    expires_ms: int | None
    proposed_by: str
    proposed_ms: int
    approved_by: str | None = None
    approved_ms: int | None = None
    withdrawn_by: str | None = None
    withdrawn_ms: int | None = None

    def status(self, now_ms: int) -> GoodGuyStatus:
        if self.withdrawn_by is not None:
            return "withdrawn"
        if self.approved_by is None:
            return "proposed"
        if self.expires_ms is not None and now_ms >= self.expires_ms:
            return "expired"
        return "active"

    def value(self) -> GoodGuy:
        return GoodGuy(self.id, self.list_name, self.entry_id, self.cleared_for, self.expires_ms)


def _text(value: str, what: str, longest: int) -> str:
    text = value.strip()
    if not text:
        raise BadRequest(f"{what} is required")
    if len(text) > longest:
        raise BadRequest(f"{what} longer than {longest} characters")
    return text


def propose(
    *,
    id: str,
    list_name: str,
    entry_id: str,
    cleared_for: str,
    reason: str,
    expires_ms: int | None,
    officer: str,
    now_ms: int,
) -> GoodGuyRecord:
    """A new exception awaiting a second officer; validated field by field."""
    if expires_ms is not None and expires_ms <= now_ms:
        raise BadRequest("an exception's expiry must be in the future")
    return GoodGuyRecord(
        id=id,
        list_name=_text(list_name, "list name", LIST_FIELD_CHARS_MAX),
        entry_id=_text(entry_id, "entry id", LIST_FIELD_CHARS_MAX),
        cleared_for=_text(cleared_for, "counterparty (BIC or name)", CLEARED_FOR_CHARS_MAX),
        reason=_text(reason, "reason", limits.REASON_CHARS_MAX),
        expires_ms=expires_ms,
        proposed_by=officer,
        proposed_ms=now_ms,
    )


def approve(record: GoodGuyRecord, *, officer: str, now_ms: int) -> GoodGuyRecord:
    """Put a proposed exception in force (four-eyes: never by its proposer)."""
    status = record.status(now_ms)
    if status != "proposed":
        raise Refused(f"good-guy exception {record.id} is {status}, not awaiting approval")
    if officer == record.proposed_by:
        raise Refused(
            f"four-eyes: {officer} proposed good-guy exception {record.id} and cannot approve it"
        )
    return replace(record, approved_by=officer, approved_ms=now_ms)


def withdraw(record: GoodGuyRecord, *, officer: str, now_ms: int) -> GoodGuyRecord:
    """End an exception (proposed, active or expired); one officer is enough."""
    if record.withdrawn_by is not None:
        raise Refused(f"good-guy exception {record.id} is already withdrawn")
    return replace(record, withdrawn_by=officer, withdrawn_ms=now_ms)
