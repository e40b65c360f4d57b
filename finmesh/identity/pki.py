"""The network's public key infrastructure: one CA, participant and operator certificates.

Keys are ECDSA P-256 with SHA-256. A certificate's *kind* (participant or operator) is
carried as exactly one certificate policy under finmesh's private OID arc, so a
participant certificate can never be accepted where an operator's is expected, and the
reverse. Participants are named by their BIC11 (subject CN, display name in O);
operators by a short name (CN) with their roles as OU entries.

Revocation is not modelled here: the node's directory decides which certificate is
current for a subject (``request_auth.verify_request`` asks it through ``certificate_for``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Literal, get_args

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from finmesh.domain.errors import AuthenticationFailed, FinmeshError
from finmesh.domain.limits import REQUEST_CLOCK_SKEW_SECONDS

Kind = Literal["participant", "operator"]
KINDS: tuple[Kind, ...] = get_args(Kind)

OPERATOR_ROLES: tuple[str, ...] = ("operator", "compliance", "auditor")
"""Roles an operator certificate may carry; the operator API authorises on these."""

# A UUID-derived arc (ITU-T X.667, "2.25.<uuid>") needs no registration and cannot
# collide with anyone else's policy OIDs.
FINMESH_OID_ARC = "2.25.236481138481810371359291409914418236949"
POLICY_OIDS: dict[Kind, x509.ObjectIdentifier] = {
    "participant": x509.ObjectIdentifier(FINMESH_OID_ARC + ".1.1"),
    "operator": x509.ObjectIdentifier(FINMESH_OID_ARC + ".1.2"),
}
_KIND_BY_OID: dict[x509.ObjectIdentifier, Kind] = {oid: k for k, oid in POLICY_OIDS.items()}

_BIC11 = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}[A-Z0-9]{3}")
_OPERATOR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_CURVE = ec.SECP256R1
_HASH = hashes.SHA256
_ECDSA = ec.ECDSA(hashes.SHA256())

# Certificates start slightly in the past so a node whose clock runs behind the CA's
# still accepts a certificate issued a moment ago.
_BACKDATE = timedelta(seconds=REQUEST_CLOCK_SKEW_SECONDS)

CertLike = bytes | x509.Certificate


class PkiError(FinmeshError):
    """A key or certificate is unusable for what was asked of it."""


class KeyLocked(PkiError):
    """A private key is encrypted at rest and no passphrase was given."""

    code = "passphrase_required"


class WrongPassphrase(PkiError):
    """The passphrase given does not decrypt the private key."""

    code = "bad_passphrase"


@dataclass(frozen=True)
class CertIdentity:
    """Who a certificate names, and for how long."""

    subject: str
    """BIC11 for a participant, the operator name for an operator."""
    kind: Kind
    roles: tuple[str, ...]
    serial: str
    """Serial number, lowercase hex."""
    fingerprint: str
    """SHA-256 of the DER encoding, lowercase hex."""
    not_before: datetime
    not_after: datetime
    display_name: str = ""


# --- keys and raw signatures -------------------------------------------------------


def generate_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(_CURVE())


def key_to_pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with ``passphrase`` when one is given (PBES2, AES-256-CBC,
    chosen by cryptography's BestAvailableEncryption), plain PKCS#8 otherwise."""
    if passphrase is not None and not passphrase:
        raise PkiError("an empty passphrase encrypts nothing")
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_key_pem(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM: what a participant hands the CA to be certified."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def is_encrypted_pem(pem: bytes) -> bool:
    """True for an encrypted PKCS#8 key (or a legacy OpenSSL-encrypted one)."""
    return b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in pem or b"Proc-Type: 4,ENCRYPTED" in pem


def load_key(pem: bytes, passphrase: bytes | None = None) -> ec.EllipticCurvePrivateKey:
    """Load a P-256 private key, decrypting it with ``passphrase`` if it is encrypted.

    An unencrypted key loads whatever ``passphrase`` says (so one environment can hold a
    passphrase for the operator key and still use a plain participant key). Raises
    KeyLocked (encrypted, no passphrase), WrongPassphrase, or PkiError."""
    encrypted = is_encrypted_pem(pem)
    if encrypted and not passphrase:
        raise KeyLocked("the private key is encrypted and no passphrase was given")
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase if encrypted else None)
    except (ValueError, TypeError) as exc:
        if encrypted:
            raise WrongPassphrase("the passphrase does not decrypt the private key") from None
        raise PkiError(f"not a readable PEM private key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, _CURVE):
        raise PkiError("private key is not ECDSA P-256")
    return key


def sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """DER-encoded ECDSA/SHA-256 signature over ``data``."""
    return key.sign(data, _ECDSA)


def verify_signature(cert: CertLike, data: bytes, signature: bytes) -> bool:
    """True only if ``signature`` is a valid signature of ``data`` by the certificate's key.

    Returns False on any bad input (unparsable certificate, wrong key type, garbage
    signature, wrong argument types) and never raises: callers treat "cannot check"
    exactly like "does not verify".
    """
    try:
        public = _public_key(_as_cert(cert))
        if public is None:
            return False
        public.verify(signature, data, _ECDSA)
    except Exception:  # any failure to verify is a non-verification, by contract
        return False
    return True


def keys_match(key: ec.EllipticCurvePrivateKey, cert: CertLike) -> bool:
    """True if ``key`` is the private half of the certificate's public key."""
    public = _public_key(_as_cert(cert))
    return public is not None and public.public_numbers() == key.public_key().public_numbers()


# --- certificates ------------------------------------------------------------------


@lru_cache(maxsize=4096)
def load_certificate(pem: bytes) -> x509.Certificate:
    """Parse a PEM certificate, cached: requests present the same few certificates."""
    try:
        return x509.load_pem_x509_certificate(pem)
    except (ValueError, TypeError) as exc:
        raise PkiError(f"not a readable PEM certificate: {exc}") from None


def cert_to_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _as_cert(cert: CertLike) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    if isinstance(cert, bytes):
        return load_certificate(cert)
    raise PkiError(f"expected PEM bytes or a certificate, got {type(cert).__name__}")


@lru_cache(maxsize=4096)
def _public_key(cert: x509.Certificate) -> ec.EllipticCurvePublicKey | None:
    # Decoding the public point costs about as much as hashing a small request; cache it.
    public = cert.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, _CURVE):
        return public
    return None


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return now.astimezone(UTC)


def _kind_of(cert: x509.Certificate) -> Kind:
    try:
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        raise AuthenticationFailed(
            f"certificate {cert.serial_number:x} carries no finmesh kind policy"
        ) from None
    kinds = {
        _KIND_BY_OID[p.policy_identifier] for p in policies if p.policy_identifier in _KIND_BY_OID
    }
    if len(kinds) != 1:
        raise AuthenticationFailed(
            f"certificate {cert.serial_number:x} must carry exactly one finmesh kind policy,"
            f" found {sorted(kinds) or 'none'}"
        )
    return kinds.pop()


@lru_cache(maxsize=4096)
def _identity(cert: x509.Certificate) -> CertIdentity:
    kind = _kind_of(cert)
    subject = _first(cert.subject, NameOID.COMMON_NAME)
    if not subject:
        raise AuthenticationFailed(f"certificate {cert.serial_number:x} has no subject CN")
    roles = tuple(
        str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    )
    return CertIdentity(
        subject=subject,
        kind=kind,
        roles=roles if kind == "operator" else (),
        serial=f"{cert.serial_number:x}",
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        display_name=_first(cert.subject, NameOID.ORGANIZATION_NAME),
    )


def certificate_identity(cert: CertLike) -> CertIdentity:
    """The identity a certificate binds; AuthenticationFailed if it is not a finmesh leaf."""
    return _identity(_as_cert(cert))


@lru_cache(maxsize=4096)
def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


@lru_cache(maxsize=4096)
def _signed_by(cert: x509.Certificate, ca_cert: x509.Certificate) -> bool:
    # The CA's signature over a certificate never changes, so it is checked once per
    # (certificate, CA) pair instead of on every request; validity times are not cached.
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def check_issuer(cert: CertLike, ca_cert: CertLike) -> None:
    """Raise AuthenticationFailed unless ``ca_cert`` is a CA that signed ``cert``.

    Checks names and signatures only, not validity periods (see verify_issued_by).
    """
    leaf, ca = _as_cert(cert), _as_cert(ca_cert)
    if not _is_ca(ca):
        raise AuthenticationFailed("the network CA certificate is not a CA certificate")
    if leaf.issuer != ca.subject:
        raise AuthenticationFailed(
            f"certificate was issued by {leaf.issuer.rfc4514_string()!r},"
            f" not by the network CA {ca.subject.rfc4514_string()!r}"
        )
    if not _signed_by(leaf, ca):
        raise AuthenticationFailed("certificate signature does not verify with the network CA key")


def verify_issued_by(
    cert: CertLike,
    ca_cert: CertLike,
    *,
    now: datetime | None = None,
    kind: Kind | None = None,
) -> None:
    """Raise AuthenticationFailed unless ``cert`` is a valid finmesh leaf of ``ca_cert`` at ``now``.

    Checks, in order: issuer name, CA signature, leaf (not a CA), validity of the CA and
    of the certificate at ``now`` (default: the current time), and, if ``kind`` is given,
    that the certificate is of that kind.
    """
    leaf, ca = _as_cert(cert), _as_cert(ca_cert)
    at = _utc(now)
    check_issuer(leaf, ca)
    if _is_ca(leaf):
        raise AuthenticationFailed(
            "certificate is a CA certificate, not a participant's or operator's"
        )
    if at > ca.not_valid_after_utc:
        raise AuthenticationFailed(
            f"the network CA certificate expired at {ca.not_valid_after_utc}"
        )
    if at < leaf.not_valid_before_utc:
        raise AuthenticationFailed(
            f"certificate is not yet valid (valid from {leaf.not_valid_before_utc}, now {at})"
        )
    if at > leaf.not_valid_after_utc:
        raise AuthenticationFailed(f"certificate expired at {leaf.not_valid_after_utc} (now {at})")
    identity = _identity(leaf)
    if kind is not None and identity.kind != kind:
        raise AuthenticationFailed(f"certificate is a {identity.kind} certificate, {kind} expected")


def fingerprint(cert: CertLike) -> str:
    """SHA-256 of the certificate's DER encoding, lowercase hex."""
    return hashlib.sha256(_as_cert(cert).public_bytes(serialization.Encoding.DER)).hexdigest()


def as_kind(value: str) -> Kind:
    """Narrow a string to a Kind, or raise PkiError."""
    if value not in KINDS:
        raise PkiError(f"kind must be one of {list(KINDS)}, not {value!r}")
    return value
