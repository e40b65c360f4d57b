"""The policy tables of the SQL stores: operators, measures, licences, holds, audit.

Every change to policy state appends its audit entry in the same transaction and bumps
the policy version, so an intake batch evaluated against an older version is refused
at commit (see Guard) and evaluated again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from finmesh.domain.audit import AuditEntry, AuditHead, next_entry
from finmesh.domain.errors import NotFound
from finmesh.domain.holds import Hold, HoldState
from finmesh.domain.iso20022 import Party
from finmesh.domain.policy.evaluate import PolicySnapshot
from finmesh.domain.policy.impact import TrafficRecord
from finmesh.domain.policy.licences import Licence
from finmesh.domain.policy.measures import Measure
from finmesh.domain.policy.screening import MessageFacts
from finmesh.domain.reasons import Reason
from finmesh.store import codec, queries
from finmesh.store.handle import Handle
from finmesh.store.port import AuditNote, Guard, PolicyChanged, StalePolicy

Q = queries.load("queries.sql")
PAYMENT_Q = queries.load("payment_queries.sql")
POLICY_VERSION = "policy_version"
USAGE_VERSION = "licence_usage_version"


MeasureChange = Callable[[Measure, int, list[Measure]], tuple[Measure, AuditNote]]
"""(measure as stored, now_ms, every measure) -> (measure to store, its audit note)"""
LicenceChange = Callable[[Licence, int], tuple[Licence, AuditNote]]


class PolicyTables:
    """Mixin for the SQL stores (finmesh.store.sql_store); relies on their _conn, _read
    and _write."""

    _conn: Callable[[], Handle]
    _read: Callable[[], AbstractContextManager[Handle]]
    _write: Callable[[], AbstractContextManager[Handle]]

    # operators

    def add_operator(self, name: str, cert_pem: bytes, roles: tuple[str, ...], now_ms: int) -> None:
        with self._write() as db:
            db.execute(Q["insert_operator"], (name, cert_pem, json.dumps(list(roles)), now_ms))

    def operator_cert(self, name: str) -> bytes | None:
        row = self._conn().execute(Q["operator"], (name,)).fetchone()
        return bytes(row[0]) if row else None

    def operator_roles(self, name: str) -> tuple[str, ...]:
        row = self._conn().execute(Q["operator"], (name,)).fetchone()
        return tuple(json.loads(row[1])) if row else ()

    # policy state

    def policy_version(self) -> int:
        return policy_version(self._conn())

    def policy_versions(self) -> tuple[int, int]:
        """(policy version, licence usage version): a snapshot is current while both are."""
        rows = self._conn().execute(Q["get_metas"], (POLICY_VERSION, USAGE_VERSION)).fetchall()
        found = {str(key): int(value) for key, value in rows}
        return found.get(POLICY_VERSION, 0), found.get(USAGE_VERSION, 0)

    def policy_snapshot(self) -> PolicySnapshot:
        with self._read() as db:  # one consistent read of version, measures and licences
            version = policy_version(db)
            measures = tuple(codec.load_measure(r[0]) for r in db.execute(Q["all_measures"]))
            rows = db.execute(Q["all_licences"]).fetchall()
        licences = tuple(codec.load_licence(r[0]) for r in rows)
        used = {lic.id: Decimal(r[1]) for lic, r in zip(licences, rows, strict=True)}
        return PolicySnapshot(
            measures=measures, licences=licences, licence_used=used, version=version
        )

    def measure(self, measure_id: str) -> Measure:
        row = self._conn().execute(Q["measure"], (measure_id,)).fetchone()
        if row is None:
            raise NotFound(f"no measure {measure_id}")
        return codec.load_measure(row[0])

    def licence(self, licence_id: str) -> tuple[Licence, Decimal]:
        row = self._conn().execute(Q["licence"], (licence_id,)).fetchone()
        if row is None:
            raise NotFound(f"no licence {licence_id}")
        return codec.load_licence(row[0]), Decimal(row[1])

    def next_id(self, kind: str) -> int:
        with self._write() as db:
            return int(db.execute(Q["next_seq"], ("ids", kind)).fetchone()[0])

    def save_measure(self, measure: Measure, note: AuditNote, now_ms: int) -> None:
        with self._write() as db:
            db.execute(Q["upsert_measure"], (measure.id, codec.dumps(measure)))
            _changed(db, note, now_ms)

    def update_measure(
        self, measure_id: str, change: MeasureChange, clock: Callable[[], int]
    ) -> Measure:
        """Apply ``change`` to the measure as it stands inside the write transaction, at
        the clock's instant there: two approvals can never both act on one state, and an
        instant fixed here cannot precede a commit that was already made."""
        with self._write() as db:
            row = db.execute(Q["measure"], (measure_id,)).fetchone()
            if row is None:
                raise NotFound(f"no measure {measure_id}")
            others = [codec.load_measure(r[0]) for r in db.execute(Q["all_measures"])]
            now = clock()
            after, note = change(codec.load_measure(row[0]), now, others)
            db.execute(Q["upsert_measure"], (after.id, codec.dumps(after)))
            _changed(db, note, now)
        return after

    def save_licence(self, licence: Licence, note: AuditNote, now_ms: int) -> None:
        with self._write() as db:
            db.execute(Q["upsert_licence"], (licence.id, licence.measure_id, codec.dumps(licence)))
            _changed(db, note, now_ms)

    def update_licence(
        self, licence_id: str, change: LicenceChange, clock: Callable[[], int]
    ) -> Licence:
        with self._write() as db:
            row = db.execute(Q["licence"], (licence_id,)).fetchone()
            if row is None:
                raise NotFound(f"no licence {licence_id}")
            now = clock()
            after, note = change(codec.load_licence(row[0]), now)
            db.execute(Q["upsert_licence"], (after.id, after.measure_id, codec.dumps(after)))
            _changed(db, note, now)
        return after

    def return_queued(self, measure: Measure, now_ms: int, detail: str) -> int:
        """Return to their senders the messages queued for the measure's institutions and
        never handed out. Run at the instant and again after it, it also catches what
        reached those queues later (a hold released meanwhile). One transaction."""
        db = self._conn()
        first = db.execute(Q["enforced"], (measure.id,)).fetchone()[0] is None
        bounds = [(b, b + "~") for b in sorted(measure.covered)]
        if not first and not any(
            db.execute(Q["has_unassigned_in"], lo_hi).fetchone() for lo_hi in bounds
        ):
            return 0
        returned = 0
        reason = Reason.RETURNED
        with self._write() as db:
            # decided again under the write lock: another node may have enforced meanwhile
            first = db.execute(Q["enforced"], (measure.id,)).fetchone()[0] is None
            for lo, hi in bounds:
                rows = db.execute(Q["queued_unassigned_in"], (lo, hi)).fetchall()
                for receiver, seq, message_id, sender in rows:
                    db.execute(Q["mark_returned"], (receiver, seq))
                    notice(
                        db, sender, "returned", message_id, reason.code, detail, now_ms, measure.id
                    )
                    returned += 1
            if first:
                db.execute(Q["mark_enforced"], (now_ms, measure.id))
            if first or returned:
                note = AuditNote("network", "measure.enforce", measure.id, {"returned": returned})
                append_audit(db, note, now_ms)
        return returned

    # holds

    def holds(self) -> list[Hold]:
        return [codec.load_hold(r[0]) for r in self._conn().execute(Q["holds"]).fetchall()]

    def hold(self, hold_id: int) -> Hold:
        row = self._conn().execute(Q["hold"], (hold_id,)).fetchone()
        if row is None:
            raise NotFound(f"no hold {hold_id}")
        return codec.load_hold(row[0])

    def save_hold(
        self,
        before: Hold,
        after: Hold,
        note: AuditNote,
        now_ms: int,
        obsolete_ms: int,
        returned: tuple[str, str] | None = None,
    ) -> None:
        """Record a decision; a final release queues the message (or, when ``returned``
        gives (measure id, detail) of the measure that cut its receiver off, returns it), a final
        rejection tells its sender. Refused if someone else decided in the meantime."""
        with self._write() as db:
            current = codec.load_hold(db.execute(Q["hold"], (before.id,)).fetchone()[0])
            if current != before:
                raise StalePolicy(f"hold {before.id} changed meanwhile; look again")
            db.execute(Q["update_hold"], (codec.dumps(after), after.id))
            if after.state is HoldState.RELEASED:
                _, sender, receiver, _ = db.execute(Q["hold_message"], (after.id,)).fetchone()
                notice(
                    db, sender, "released", after.id, None, after.reason, now_ms, after.measure_id
                )
                if returned is not None:  # the receiver was cut off meanwhile
                    cut_by, detail = returned
                    code = Reason.RETURNED.code
                    notice(db, sender, "returned", after.id, code, detail, now_ms, cut_by)
                else:
                    seq = next_seq(db, receiver, "queue")
                    db.execute(Q["insert_queue"], (receiver, seq, after.id, obsolete_ms))
            elif after.state is HoldState.REJECTED:
                reason = Reason.HOLD_REJECTED
                notice(
                    db,
                    after.sender,
                    "rejected",
                    after.id,
                    reason.code,
                    after.reason,
                    now_ms,
                    after.measure_id,
                )
            append_audit(db, note, now_ms)

    # impact

    def traffic_count(self, from_ms: int, to_ms: int) -> int:
        return int(self._conn().execute(Q["traffic_count"], (from_ms, to_ms)).fetchone()[0])

    def traffic(self, from_ms: int, to_ms: int) -> Iterator[TrafficRecord]:
        for row in self._conn().execute(Q["traffic"], (from_ms, to_ms)):
            yield traffic_record(row)

    def queued_traffic(self) -> list[TrafficRecord]:
        return [traffic_record(r) for r in self._conn().execute(Q["queued_traffic"])]

    # audit

    def audit_page(self, after: int, limit: int) -> list[AuditEntry]:
        rows = self._conn().execute(Q["audit_page"], (after, limit)).fetchall()
        return [audit_entry(r) for r in rows]

    def audit_entries(self) -> list[AuditEntry]:
        return [audit_entry(r) for r in self._conn().execute(Q["audit_entries"]).fetchall()]


def policy_version(db: Handle) -> int:
    row = db.execute(Q["get_meta"], (POLICY_VERSION,)).fetchone()
    return int(row[0]) if row else 0


def check_guard(db: Handle, guard: Guard) -> None:
    if policy_version(db) != guard.version:
        raise PolicyChanged("policy changed during evaluation")
    if guard.valid_until_ms is not None and guard.clock() >= guard.valid_until_ms:
        raise PolicyChanged("a measure or licence instant passed during evaluation")
    for licence_id, assumed in guard.licence_used.items():
        row = db.execute(Q["licence"], (licence_id,)).fetchone()
        if row is None or Decimal(row[1]) != assumed:
            raise PolicyChanged(f"licence {licence_id} was drawn on during evaluation")


def bump_version(db: Handle) -> None:
    db.execute(Q["set_meta"], (POLICY_VERSION, str(policy_version(db) + 1)))


def bump_usage(db: Handle) -> None:
    row = db.execute(Q["get_meta"], (USAGE_VERSION,)).fetchone()
    db.execute(Q["set_meta"], (USAGE_VERSION, str((int(row[0]) if row else 0) + 1)))


def _changed(db: Handle, note: AuditNote, now_ms: int) -> None:
    bump_version(db)
    append_audit(db, note, now_ms)


_appended = threading.local()
"""The audit head this thread's open transaction appended, for the store to anchor
after COMMIT (see finmesh.store.audit_head)."""


def take_appended() -> AuditHead | None:
    head: AuditHead | None = getattr(_appended, "head", None)
    _appended.head = None
    return head


def append_audit(db: Handle, note: AuditNote, now_ms: int) -> AuditEntry:
    row = db.execute(Q["last_audit"]).fetchone()
    entry = next_entry(
        audit_entry(row) if row else None,
        at_ms=now_ms,
        actor=note.actor,
        action=note.action,
        subject=note.subject,
        details=note.details,
    )
    db.execute(
        Q["insert_audit"],
        (
            entry.seq,
            entry.at_ms,
            entry.actor,
            entry.action,
            entry.subject,
            json.dumps(dict(entry.details), sort_keys=True),
            entry.prev_hash,
            entry.hash,
        ),
    )
    _appended.head = AuditHead(entry.seq, entry.hash)
    return entry


def next_seq(db: Handle, owner: str, kind: str) -> int:
    return int(db.execute(Q["next_seq"], (owner, kind)).fetchone()[0])


NETWORK_STEPS = {"rejected": "network_reject", "returned": "network_return"}
"""Notice kinds that are the network's own step in a tracked payment's flow."""


def notice(
    db: Handle,
    owner: str,
    kind: str,
    message_id: int,
    reason: str | None,
    detail: str | None,
    now_ms: int,
    measure_id: str | None = None,
) -> None:
    seq = next_seq(db, owner, "notice")
    db.execute(
        Q["insert_notice"], (owner, seq, kind, message_id, reason, detail, now_ms, measure_id)
    )
    step = NETWORK_STEPS.get(kind)
    if step is not None:  # the payment's history shows what the network did with it
        db.execute(PAYMENT_Q["network_event"], (now_ms, step, reason, message_id))


def audit_entry(row: tuple[Any, ...]) -> AuditEntry:
    seq, at_ms, actor, action, subject, details, prev_hash, digest = row
    return AuditEntry(
        seq=seq,
        at_ms=at_ms,
        actor=actor,
        action=action,
        subject=subject,
        details=json.loads(details),
        prev_hash=prev_hash,
        hash=digest,
    )


def traffic_record(row: tuple[Any, ...]) -> TrafficRecord:
    biz_msg_id, received_ms, sender, receiver, parties, purposes, amount, currency = row
    facts = MessageFacts(
        sender=sender,
        receiver=receiver,
        parties=tuple(Party(**p) for p in json.loads(parties)),
        purposes=tuple(json.loads(purposes)),
        amount=None if amount is None else Decimal(amount),
        currency=currency,
    )
    return TrafficRecord(biz_msg_id=biz_msg_id, received_ms=received_ms, facts=facts)
