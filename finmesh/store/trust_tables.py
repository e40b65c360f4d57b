"""The store's trust tables: RMA authorizations and retired (rotated or revoked)
participant certificates. A mixin written against two names only, so any SQL store can
carry it:

``self._write()``
    context manager: one write transaction, yielding a handle whose
    ``execute(sql, params)`` returns a cursor (fetchone / fetchall / rowcount);
``self._conn()``
    a handle for reads outside a write transaction.

Every change bumps the trust version and appends its audit entry in the same
transaction, so intake, which checks authorizations against a cached copy tagged with
the version it read, commits a batch only if the version is still the same (see
Guard.trust_version and check_trust).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from finmesh.domain.errors import NotFound, Refused
from finmesh.domain.policy import rma
from finmesh.domain.policy.rma import Authorization, RmaEdit
from finmesh.store import queries
from finmesh.store.policy_tables import append_audit
from finmesh.store.port import AuditNote, Guard, PolicyChanged, RetiredCertificate, RmaChange

T = queries.load("trust_queries.sql")
VERSION = "version"
GRANT_ID = "grant_id"


class TrustTables:
    """Mixin: trust state over ``_write`` / ``_conn`` (see the module docstring)."""

    _conn: Callable[[], Any]
    _write: Callable[[], AbstractContextManager[Any]]

    # versions

    def trust_version(self) -> int:
        return trust_version(self._conn())

    # RMA

    def rma_grants(self) -> list[Authorization]:
        return [_grant(r) for r in self._conn().execute(T["all_grants"], ()).fetchall()]

    def rma_update(
        self, receiver: str, sender: str, change: RmaChange, clock: Callable[[], int]
    ) -> RmaEdit:
        """Apply ``change`` to the pair's authorizations as they stand inside the write
        transaction: concurrent grants and revocations never act on a stale view."""
        with self._write() as db:
            rows = db.execute(T["pair_grants"], (receiver, sender)).fetchall()
            now = clock()
            edit, note = change([_grant(r) for r in rows], now, lambda: _new_grant_id(db))
            if edit.empty:
                return edit
            for grant in edit.upsert:
                db.execute(T["upsert_grant"], _grant_row(grant))
            for grant_id in edit.delete:
                db.execute(T["delete_grant"], (grant_id,))
            _changed(db, note, now)
        return edit

    def rma_grant_pairs(self, bic8s: Sequence[str], actor: str, now_ms: int) -> int:
        """Authorize every ordered pair of ``bic8s`` for every type (those without an
        authorization yet); one audit entry names them all. Returns how many were added."""
        with self._write() as db:
            current = [_grant(r) for r in db.execute(T["all_grants"], ()).fetchall()]
            added = rma.all_pairs(
                bic8s, current, granted_by=actor, now_ms=now_ms, new_id=lambda: _new_grant_id(db)
            )
            if not added:
                return 0
            for grant in added:
                db.execute(T["upsert_grant"], _grant_row(grant))
            details = {"institutions": sorted(set(bic8s)), "pairs": len(added), "types": []}
            _changed(db, AuditNote(actor, "rma.grant.all_pairs", "network", details), now_ms)
        return len(added)

    # certificates

    def certificate_revoked(self, bic11: str, serial: str) -> bool:
        row = self._conn().execute(T["certificate_revoked"], (bic11, serial)).fetchone()
        return row is not None

    def retired_certificates(self, now_ms: int) -> list[RetiredCertificate]:
        """Revoked certificates, and rotated ones still within their grace period."""
        rows = self._conn().execute(T["retired_in_use"], (now_ms,)).fetchall()
        return [_retired(r) for r in rows]

    def revoke_certificate(
        self, bic11: str, actor: str, reason: str | None, now_ms: int
    ) -> RetiredCertificate:
        """Put the participant's current certificate on the revoked list."""
        with self._write() as db:
            pem, serial = _current(db, bic11)
            if db.execute(T["certificate_revoked"], (bic11, serial)).fetchone() is not None:
                raise Refused(f"the certificate of {bic11} (serial {serial}) is already revoked")
            db.execute(T["retire_revoked"], (serial, bic11, pem.decode(), now_ms, actor))
            note = AuditNote(actor, "cert.revoke", bic11, {"serial": serial, "reason": reason})
            _changed(db, note, now_ms)
            revoked = _retired(db.execute(T["retired_certificate"], (bic11, serial)).fetchone())
        return revoked

    def rotate_certificate(
        self, bic11: str, cert_pem: bytes, serial: str, actor: str, now_ms: int, grace_ms: int
    ) -> RetiredCertificate:
        """Make ``cert_pem`` the participant's current certificate; the previous one is
        kept as rotated until now + ``grace_ms`` (a revoked one stays revoked)."""
        with self._write() as db:
            old_pem, old_serial = _current(db, bic11)
            if old_serial == serial:
                raise Refused(f"certificate {serial} is already the current one of {bic11}")
            until = now_ms + grace_ms
            db.execute(T["retire_rotated"], (old_serial, bic11, old_pem.decode(), now_ms, until))
            db.execute(T["set_current_certificate"], (cert_pem, serial, bic11))
            details = {"old_serial": old_serial, "new_serial": serial, "usable_until_ms": until}
            _changed(db, AuditNote(actor, "cert.rotate", bic11, details), now_ms)
            old = _retired(db.execute(T["retired_certificate"], (bic11, old_serial)).fetchone())
        return old


def trust_version(db: Any) -> int:
    row = db.execute(T["get_counter"], (VERSION,)).fetchone()
    return int(row[0]) if row else 0


def check_trust(db: Any, guard: Guard) -> None:
    """Inside a write transaction: refuse a commit evaluated against another trust
    version (a guard without one is not about trust)."""
    if guard.trust_version is not None and trust_version(db) != guard.trust_version:
        raise PolicyChanged("RMA authorizations or certificates changed during evaluation")


def _bump(db: Any, name: str) -> int:
    return int(db.execute(T["bump_counter"], (name,)).fetchone()[0])


def _new_grant_id(db: Any) -> str:
    return f"G-{_bump(db, GRANT_ID)}"


def _changed(db: Any, note: AuditNote, now_ms: int) -> None:
    _bump(db, VERSION)
    append_audit(db, note, now_ms)


def _current(db: Any, bic11: str) -> tuple[bytes, str]:
    row = db.execute(T["current_certificate"], (bic11,)).fetchone()
    if row is None:
        raise NotFound(f"{bic11} is not a participant")
    return bytes(row[0]), str(row[1])


def _grant_row(g: Authorization) -> tuple[object, ...]:
    return (
        g.id,
        g.receiver,
        g.sender,
        json.dumps(list(g.types)),
        g.valid_from_ms,
        g.valid_until_ms,
        g.granted_by,
        g.granted_ms,
    )


def _grant(row: Sequence[Any]) -> Authorization:
    grant_id, receiver, sender, types, valid_from, valid_until, granted_by, granted_ms = row
    return Authorization(
        id=str(grant_id),
        receiver=str(receiver),
        sender=str(sender),
        types=tuple(json.loads(types)),
        valid_from_ms=None if valid_from is None else int(valid_from),
        valid_until_ms=None if valid_until is None else int(valid_until),
        granted_by=str(granted_by),
        granted_ms=int(granted_ms),
    )


def _retired(row: Sequence[Any]) -> RetiredCertificate:
    serial, subject, pem, rotated, until, revoked, revoked_by = row
    return RetiredCertificate(
        serial=str(serial),
        subject=str(subject),
        cert_pem=str(pem).encode(),
        rotated_ms=rotated,
        usable_until_ms=until,
        revoked_ms=revoked,
        revoked_by=revoked_by,
    )
