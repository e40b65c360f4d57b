"""Trust service: RMA authorizations, certificate revocation and rotation.

Institutions grant and revoke the authorizations where they are the receiver (the
participant API and `finmesh rma`); operators read them all and revoke certificates
(the operator API and `finmesh cert revoke`); the network CA's holder rotates a
participant's key offline (`finmesh cert rotate`). The store records each change with
its audit entry and bumps the trust version; the caches here are keyed by that version,
so a change is seen by the next batch, request or delivery page.

Revocation and messages already accepted: a message ACKed before its sender's
certificate was revoked stays deliverable (the network took custody when the
certificate was good). Its delivery carries the certificate that signed it and says
``revoked``, so the receiver decides. After a rotation, a message signed with the old
key is delivered with the old certificate (status ``rotated``) for
CERT_ROTATION_GRACE_SECONDS; after that the old certificate is no longer offered and
such a message no longer verifies at the receiver.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from finmesh.config import NetworkConfig
from finmesh.domain import limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import AuthenticationFailed, BadRequest, InvalidBic, NotFound
from finmesh.domain.policy import rma
from finmesh.domain.policy.rma import Authorization, GrantIndex, RmaEdit
from finmesh.identity import pki
from finmesh.identity.ca import CertificateAuthority
from finmesh.identity.profile import issue_participant_profile
from finmesh.node.clock import Clock
from finmesh.node.compliance import READ_ROLES, require, require_any
from finmesh.node.members import Members, MembersAt
from finmesh.store.port import AuditNote, Delivery, RetiredCertificate, Store

OPERATOR_ROLE = "operator"
"""The role that may revoke certificates."""

Direction = Literal["granted", "received", "all"]
CertStatus = Literal["current", "rotated", "revoked"]


class CertificateRevoked(AuthenticationFailed):
    """The request was signed under a certificate the network has revoked."""


@dataclass(frozen=True)
class CertStates:
    """Retired certificates at one trust version: what deliveries and status need."""

    version: int
    retired: Mapping[str, tuple[RetiredCertificate, ...]]
    """subject (BIC11) -> its revoked and recently rotated certificates"""
    revoked: frozenset[tuple[str, str]]
    """(subject, serial) of every revoked certificate"""


class Trust:
    """What institutions, operators, intake and delivery ask about trust."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._grants: GrantIndex | None = None
        self._certs: CertStates | None = None
        self.members = Members(store)
        """Participants' current certificates, as authentication and routing read them."""

    # caches, keyed by the trust version (read first: see Guard.trust_version)

    def grants(self) -> GrantIndex:
        version = self.store.trust_version()
        cached = self._grants
        if cached is not None and cached.version == version:
            return cached
        with self._lock:
            # what is read after the version is at least as new as it: a change in
            # between fails the batch's commit check, never passes it unseen
            fresh = GrantIndex.build(version, self.store.rma_grants())
            self._grants = fresh
            return fresh

    def certificates(self) -> CertStates:
        version = self.store.trust_version()
        cached = self._certs
        if cached is not None and cached.version == version:
            return cached
        with self._lock:
            found = self.store.retired_certificates(self.clock())
            by_subject: dict[str, list[RetiredCertificate]] = {}
            for cert in found:
                by_subject.setdefault(cert.subject, []).append(cert)
            fresh = CertStates(
                version=version,
                retired=MappingProxyType({s: tuple(c) for s, c in by_subject.items()}),
                revoked=frozenset((c.subject, c.serial) for c in found if c.revoked_ms is not None),
            )
            self._certs = fresh
            return fresh

    # institutions: their own authorizations

    def grant(
        self,
        caller: str,
        correspondent: str,
        types: Sequence[str],
        valid_from_ms: int | None,
        valid_until_ms: int | None,
    ) -> Authorization:
        """Authorize ``correspondent`` to send the caller ``types``; granting the same
        terms again returns the existing authorization and changes nothing."""
        sender = self._correspondent(correspondent)
        draft = rma.new_authorization(  # validated before an id is spent
            id="G-0",
            receiver=caller[:8],
            sender=sender,
            types=types,
            valid_from_ms=valid_from_ms,
            valid_until_ms=valid_until_ms,
            granted_by=caller,
            now_ms=self.clock(),
        )
        result: list[Authorization] = []

        def change(
            current: list[Authorization], now: int, new_id: Callable[[], str]
        ) -> tuple[RmaEdit, AuditNote]:
            same = [g for g in current if g.same_terms(draft)]
            new = same[0] if same else replace(draft, id=new_id(), granted_ms=now)
            result.append(new)
            edit = RmaEdit() if same else rma.grant(current, new)
            return edit, AuditNote(caller, "rma.grant", new.id, grant_json(new))

        self.store.rma_update(draft.receiver, sender, change, self.clock)
        return result[0]

    def revoke(self, caller: str, correspondent: str, types: Sequence[str]) -> RmaEdit:
        """Revoke the caller's authorizations of ``correspondent`` (the listed types, or
        all); the next message they do not cover is refused."""
        receiver, sender = caller[:8], self._bic8(correspondent, "correspondent")

        def change(
            current: list[Authorization], now: int, new_id: Callable[[], str]
        ) -> tuple[RmaEdit, AuditNote]:
            edit = rma.revoke(current, types)
            details = {
                "receiver": receiver,
                "sender": sender,
                "types": sorted(set(types)),
                "deleted": list(edit.delete),
                "narrowed": [grant_json(g) for g in edit.upsert],
            }
            return edit, AuditNote(caller, "rma.revoke", sender, details)

        return self.store.rma_update(receiver, sender, change, self.clock)

    def listed(self, caller: str, direction: Direction) -> list[Authorization]:
        """The caller's authorizations: those it granted, those granted to it, or both."""
        bic8 = caller[:8]
        found = self.grants().involving(bic8)
        if direction == "granted":
            return [g for g in found if g.receiver == bic8]
        if direction == "received":
            return [g for g in found if g.sender == bic8]
        return found

    # operators

    def all_grants(self, roles: Iterable[str], bic: str | None) -> list[Authorization]:
        require_any(roles, READ_ROLES)
        return self.grants().involving(None if bic is None else self._bic8(bic, "bic"))

    def revoke_certificate(
        self, operator: str, roles: Iterable[str], bic: str, reason: str | None
    ) -> RetiredCertificate:
        """Revoke the institution's current certificate: refused from its next request."""
        require(roles, OPERATOR_ROLE)
        bic11 = parse_bic(bic, "bic").bic11
        return self.store.revoke_certificate(bic11, operator, reason, self.clock())

    # request authentication and deliveries

    def check_not_revoked(self, identity: pki.CertIdentity, at: MembersAt) -> None:
        """CertificateRevoked if the certificate is revoked (``at``: the request's view
        of the participants, read once for all its checks)."""
        if at.revoked(identity):
            raise CertificateRevoked(
                f"the certificate of {identity.subject} (serial {identity.serial}) is revoked"
            )

    # helpers

    def _correspondent(self, text: str) -> str:
        bic8 = self._bic8(text, "correspondent")
        if not self.store.institutions_with_bic8(bic8):
            raise NotFound(f"correspondent {bic8} is not in the directory")
        return bic8

    @staticmethod
    def _bic8(text: str, what: str) -> str:
        return parse_bic(text, what).bic8


def parse_bic(text: str, what: str) -> Bic:
    try:
        return Bic.parse(text)
    except InvalidBic as exc:
        raise BadRequest(f"{what}: {exc}") from None


def signer(delivery: Delivery, states: CertStates, now_ms: int) -> tuple[bytes, CertStatus]:
    """The sender certificate that verifies this delivery, and its status. Only a
    sender with retired certificates costs a signature check here."""
    current = delivery.sender_cert_pem
    serial = pki.certificate_identity(current).serial
    revoked = (delivery.sender, serial) in states.revoked
    status: CertStatus = "revoked" if revoked else "current"
    retired = [
        c
        for c in states.retired.get(delivery.sender, ())
        if c.serial != serial and (c.revoked_ms is not None or _in_grace(c, now_ms))
    ]
    if not retired or pki.verify_signature(current, delivery.payload, delivery.signature):
        return current, status
    for cert in retired:
        if pki.verify_signature(cert.cert_pem, delivery.payload, delivery.signature):
            return cert.cert_pem, "revoked" if cert.revoked_ms is not None else "rotated"
    return current, status


def _in_grace(cert: RetiredCertificate, now_ms: int) -> bool:
    return cert.usable_until_ms is not None and now_ms < cert.usable_until_ms


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds as an ISO 8601 UTC instant ("2026-11-25T17:00:00.000Z")."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def grant_json(g: Authorization) -> dict[str, Any]:
    return {
        "id": g.id,
        "receiver": g.receiver,
        "sender": g.sender,
        "types": list(g.types),
        "valid_from": iso(g.valid_from_ms),
        "valid_until": iso(g.valid_until_ms),
        "valid_from_ms": g.valid_from_ms,
        "valid_until_ms": g.valid_until_ms,
        "granted_by": g.granted_by,
        "granted_ms": g.granted_ms,
    }


def retired_json(c: RetiredCertificate) -> dict[str, Any]:
    return {
        "bic": c.subject,
        "serial": c.serial,
        "rotated_ms": c.rotated_ms,
        "usable_until_ms": c.usable_until_ms,
        "revoked_ms": c.revoked_ms,
        "revoked_by": c.revoked_by,
    }


# offline: key rotation with the network CA (like onboarding)


def rotate_participant(
    config: NetworkConfig,
    store: Store,
    ca: CertificateAuthority,
    bic: str,
    actor: str,
    now_ms: int,
    public_key_pem: bytes | None = None,
) -> tuple[Path, RetiredCertificate, str]:
    """Issue a new certificate to a participant (for the key of its CSR, given as
    ``public_key_pem``, or else a new key made here), write them into its profile
    folder and register the certificate as current; the previous one stays usable for
    verifying older messages for CERT_ROTATION_GRACE_SECONDS. Returns the profile
    folder, the retired certificate and the new serial.

    The profile is written first: if registering fails, running the rotation again
    recovers (the old key is gone either way; that is the point of rotating)."""
    bic11 = parse_bic(bic, "bic").bic11
    if store.participant_cert(bic11) is None:
        raise NotFound(f"{bic11} is not a participant")
    institution = store.institution(bic11)
    folder = config.participants / bic11
    name = institution.name if institution else ""
    cert_pem = issue_participant_profile(
        folder, config.url, ca, bic11, name, overwrite=True, public_key_pem=public_key_pem
    )
    serial = pki.certificate_identity(cert_pem).serial
    grace_ms = limits.CERT_ROTATION_GRACE_SECONDS * 1000
    old = store.rotate_certificate(bic11, cert_pem, serial, actor, now_ms, grace_ms)
    return folder, old, serial
