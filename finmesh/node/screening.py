"""Sanctions screening service: lists, officers' screening, good-guy exceptions, and the
intake-side screening state.

Officers act through here (the operator API and the ``finmesh lists|screen|goodguy``
commands call it): a compliance officer loads a list (parsed whole first: a malformed
file is refused with the line or element at fault and nothing is stored), any operator
role reads the lists and screens a name, and good-guy exceptions take two compliance
officers (``finmesh.domain.screening.goodguys``). The store records each change with its
audit entry and bumps the screening and policy versions.

Intake asks ``active(policy_version)`` once per batch for what to screen against. The
answer is cached by the screening version and re-read only when the policy version
moved (every list load and good-guy change moves both), so with nothing changed a batch
costs no query, and with no list loaded it costs nothing else either. After a change the
first batch rebuilds the index synchronously (100,000 entries take seconds): a message
is always screened against the lists in force at its commit, because a load that
commits after the batch read its policy version fails the batch's Guard and the batch
is screened again. The node that served a load builds the new index before answering.
The screening of each message itself is in ``finmesh.node.intake_screening``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from finmesh.domain.errors import BadRequest
from finmesh.domain.screening import goodguys
from finmesh.domain.screening.decision import (
    HOLD_THRESHOLD,
    ScreeningResult,
)
from finmesh.domain.screening.goodguys import GoodGuyRecord
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import ListVersion, Query, content_digest
from finmesh.node.compliance import COMPLIANCE, READ_ROLES, require, require_any
from finmesh.node.intake_screening import ActiveScreening, hit_json, versions_json
from finmesh.sanctions import parse_list
from finmesh.store.port import (
    AuditNote,
    LoadedList,
    ScreeningRecord,
    ScreeningState,
    Store,
)

LIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A list's name: 1-64 letters, digits, "_", "." or "-" (it appears in URLs)."""
LABEL_CHARS_MAX = 200
"""Longest label of a list version (a file name, a publication date)."""

Clock = Callable[[], int]


@dataclass(frozen=True)
class _Built:
    """The cached state: the screening version it was read at, and what it gives."""

    version: int
    active: ActiveScreening | None
    """None when no list is loaded: nothing to screen."""


class ScreeningService:
    """Officers' screening actions, and the per-node cache of the screening index."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._current: tuple[int | None, _Built] | None = None
        """(the policy version at which the state was last known current, the state):
        one attribute, so a reader never pairs one state with another's version."""

    # intake

    def active(self, policy_version: int) -> ActiveScreening | None:
        """The screening state for a batch whose policy snapshot is ``policy_version``
        (read before this call: a change committed after it fails the batch's Guard)."""
        current = self._current
        if current is not None and current[0] == policy_version:
            return current[1].active
        with self._lock:
            current = self._current
            if current is None or current[0] != policy_version:
                built = None if current is None else current[1]
                if built is None or built.version != self.store.screening_version():
                    built = self._build(self.store.screening_state(), built)
                current = self._current = (policy_version, built)
            return current[1].active

    def warm(self) -> None:
        """Build the index for the state in the store now (after a change on this node)."""
        with self._lock:
            before = None if self._current is None else self._current[1]
            self._current = (None, self._build(self.store.screening_state(), before))

    def _build(self, state: ScreeningState, before: _Built | None) -> _Built:
        if not state.lists:
            return _Built(state.version, None)
        exceptions = tuple(
            g.value() for g in state.good_guys if g.approved_by and g.withdrawn_by is None
        )
        old = before.active if before is not None else None
        if old is not None and old.lists == state.lists:  # only exceptions changed
            return _Built(state.version, ActiveScreening(state.version, old.index, exceptions,
                                                         state.lists))
        versions = [
            ListVersion(x.list_name, x.number, x.label, x.digest,
                        self.store.list_entries(x.list_name, x.number))
            for x in state.lists
        ]
        index = ScreeningIndex.build(versions)
        active = ActiveScreening(state.version, index, exceptions, state.lists)
        self.store.forget_screened(active.scope)  # the memo of older lists or matchers
        return _Built(state.version, active)

    # lists

    def load_list(
        self, officer: str, roles: Iterable[str], list_name: str, fmt: str, data: bytes,
        label: str | None,
    ) -> LoadedList:
        """Parse ``data`` whole (ListFormatError names the line or element at fault) and
        store it as the next version of ``list_name``; then build the index here."""
        require(roles, COMPLIANCE)
        if not LIST_NAME.fullmatch(list_name):
            raise BadRequest(f"list name {list_name!r}: 1-64 of A-Z a-z 0-9 _ . - expected")
        text = (label or f"{fmt} upload").strip()
        if len(text) > LABEL_CHARS_MAX:
            raise BadRequest(f"label longer than {LABEL_CHARS_MAX} characters")
        entries = parse_list(data, fmt)
        digest = content_digest(entries)
        loaded = self.store.load_list(list_name, text, fmt, entries, digest, officer,
                                      self.clock())
        self.warm()
        return loaded

    def lists(self, roles: Iterable[str]) -> dict[str, Any]:
        require_any(roles, READ_ROLES)
        versions = self.store.list_versions()
        active = {(x.list_name, x.number) for x in self.store.screening_state().lists}
        return {
            "lists": [list_json(x, (x.list_name, x.number) in active) for x in versions],
            "threshold": HOLD_THRESHOLD,
        }

    def screen_name(
        self, roles: Iterable[str], name: str, country: str | None, bic: str | None
    ) -> dict[str, Any]:
        """Screen one name (with optional country and BIC evidence) as intake would."""
        require_any(roles, READ_ROLES)
        query = Query("officer", name=name.strip() or None, bic=(bic or "").upper() or None,
                      countries=(country.upper(),) if country else ())
        if query.name is None and query.bic is None:
            raise BadRequest("give a name or a BIC to screen")
        active = self.active(self.store.policy_version())
        if active is None:
            return {"decision": "clear", "hits": [], "cleared": [], "versions": []}
        return result_json(active.screen([query], self.clock()))

    # good-guy exceptions

    def propose_good_guy(
        self, officer: str, roles: Iterable[str], *, list_name: str, entry_id: str,
        cleared_for: str, reason: str, expires_ms: int | None,
    ) -> GoodGuyRecord:
        require(roles, COMPLIANCE)
        now = self.clock()
        draft = goodguys.propose(id="GG-0", list_name=list_name, entry_id=entry_id,
                                 cleared_for=cleared_for, reason=reason,
                                 expires_ms=expires_ms, officer=officer, now_ms=now)
        record = replace(draft, id=self.store.next_good_guy_id())
        note = AuditNote(officer, "goodguy.propose", record.id, good_guy_json(record, now))
        self.store.save_good_guy(record, note, now)
        return record

    def approve_good_guy(self, officer: str, roles: Iterable[str], gid: str) -> GoodGuyRecord:
        require(roles, COMPLIANCE)

        def change(current: GoodGuyRecord, now: int) -> tuple[GoodGuyRecord, AuditNote]:
            after = goodguys.approve(current, officer=officer, now_ms=now)
            return after, AuditNote(officer, "goodguy.approve", gid, good_guy_json(after, now))

        return self.store.update_good_guy(gid, change, self.clock)

    def withdraw_good_guy(self, officer: str, roles: Iterable[str], gid: str) -> GoodGuyRecord:
        require(roles, COMPLIANCE)

        def change(current: GoodGuyRecord, now: int) -> tuple[GoodGuyRecord, AuditNote]:
            after = goodguys.withdraw(current, officer=officer, now_ms=now)
            return after, AuditNote(officer, "goodguy.withdraw", gid, good_guy_json(after, now))

        return self.store.update_good_guy(gid, change, self.clock)

    def good_guys(self, roles: Iterable[str]) -> list[dict[str, Any]]:
        require_any(roles, READ_ROLES)
        now = self.clock()
        return [good_guy_json(g, now) for g in self.store.good_guys()]

    # holds

    def with_result(self, hold: dict[str, Any]) -> dict[str, Any]:
        """A hold's JSON with the screening result of its message (None: not screened)."""
        record = self.store.screening_result(hold["sender"], hold["message"])
        return {**hold, "screening": None if record is None else record_json(record)}


def result_json(result: ScreeningResult) -> dict[str, Any]:
    return {
        "decision": result.decision,
        "hits": [hit_json(h) for h in result.hits],
        "cleared": [hit_json(h, True) for h in result.cleared],
        "versions": versions_json(result),
        "threshold": HOLD_THRESHOLD,
    }


def record_json(record: ScreeningRecord) -> dict[str, Any]:
    return {
        "decision": record.decision,
        "versions": json.loads(record.versions_json),
        "hits": json.loads(record.hits_json),
    }


def list_json(x: LoadedList, active: bool) -> dict[str, Any]:
    return {
        "list": x.list_name,
        "version": x.number,
        "label": x.label,
        "digest": x.digest,
        "entries": x.entry_count,
        "format": x.format,
        "loaded_ms": x.loaded_ms,
        "loaded_by": x.loaded_by,
        "active": active,
    }


def good_guy_json(g: GoodGuyRecord, now_ms: int) -> dict[str, Any]:
    return {
        "id": g.id,
        "list": g.list_name,
        "entry": g.entry_id,
        "cleared_for": g.cleared_for,
        "reason": g.reason,
        "expires_ms": g.expires_ms,
        "status": g.status(now_ms),
        "proposed_by": g.proposed_by,
        "proposed_ms": g.proposed_ms,
        "approved_by": g.approved_by,
        "approved_ms": g.approved_ms,
        "withdrawn_by": g.withdrawn_by,
        "withdrawn_ms": g.withdrawn_ms,
    }
