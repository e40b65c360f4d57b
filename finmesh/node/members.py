"""Participants as request authentication and routing read them: once per trust
version, not once per request.

A request read its sender's certificate three times and whether it was revoked twice,
and its group read the receiver's the same way (issue 16: 20 SQL statements for one
message). What these reads return changes only with the trust version: a rotation and
a revocation bump it in their own transaction (see store/trust_tables.py), and a
participant, once registered, never leaves nor changes its BIC. So what was read is
kept until the version moves. Each view still reads the version first (one indexed
row), so a revocation is refused from the next request on, in every worker process and
on every node; what a view reads after that is at least as new as the version it is
tagged with (the argument of ``Trust.grants``). BICs that are not participants are not
remembered: one registered a moment later is found at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from finmesh.domain.errors import AuthenticationFailed
from finmesh.identity import pki
from finmesh.store.port import Store


@dataclass(frozen=True)
class Member:
    """A participant's current certificate and whether it is revoked."""

    bic11: str
    cert_pem: bytes
    serial: str | None
    """None for a certificate that cannot be read (authentication says why)."""
    revoked: bool


class MembersAt:
    """The participants as of one trust version (see the module docstring)."""

    def __init__(self, store: Store, version: int, bic8s: dict[str, str]) -> None:
        self.store = store
        self.version = version
        self._members: dict[str, Member] = {}
        self._bic8s = bic8s  # shared by every view: a BIC8's participant never changes

    def member(self, bic11: str) -> Member | None:
        found = self._members.get(bic11)
        if found is None:
            found = self._read(bic11)
            if found is not None:
                self._members[bic11] = found
        return found

    def cert_pem(self, bic11: str) -> bytes | None:
        """The participant's current certificate (None: not a participant)."""
        member = self.member(bic11)
        return None if member is None else member.cert_pem

    def for_bic8(self, bic8: str) -> str | None:
        """The participant (BIC11) connected under ``bic8``, or None."""
        found = self._bic8s.get(bic8)
        if found is None:
            found = self.store.participant_for_bic8(bic8)
            if found is not None:
                self._bic8s[bic8] = found
        return found

    def revoked(self, identity: pki.CertIdentity) -> bool:
        """Whether the certificate ``identity`` names is on the revoked list."""
        member = self.member(identity.subject)
        if member is not None and member.serial == identity.serial:
            return member.revoked
        return self.store.certificate_revoked(identity.subject, identity.serial)

    def _read(self, bic11: str) -> Member | None:
        cert = self.store.participant_cert(bic11)
        if cert is None:
            return None
        try:
            serial: str | None = pki.certificate_identity(cert).serial
        except (pki.PkiError, AuthenticationFailed):
            serial = None
        revoked = serial is not None and self.store.certificate_revoked(bic11, serial)
        return Member(bic11, cert, serial, revoked)


class Members:
    """Hands out the view of the current trust version."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._bic8s: dict[str, str] = {}
        self._current = MembersAt(store, -1, self._bic8s)

    def now(self) -> MembersAt:
        version = self.store.trust_version()
        current = self._current
        if current.version == version:
            return current
        fresh = MembersAt(self.store, version, self._bic8s)
        if version > current.version:  # never back to an older view
            self._current = fresh
        return fresh
