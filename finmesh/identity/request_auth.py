"""Signed HTTP requests: how a participant or operator proves who sent a request.

The node uses these instead of mutual TLS. Four headers travel with each request:

``Finmesh-Subject``
    BIC11 of the participant, or the operator name.
``Finmesh-Timestamp``
    Unix time in milliseconds, ASCII digits only.
``Finmesh-Nonce``
    128 random bits as 32 lowercase hex digits.
``Finmesh-Signature``
    Standard base64 (with padding) of the DER ECDSA P-256/SHA-256 signature over the
    canonical request below.

Canonical request (version 1): UTF-8, lines joined by a single ``\\n``, no trailing newline::

    finmesh-req-v1
    <subject>
    <METHOD, upper case>
    <target: path plus "?" and query string, exactly as sent on the wire>
    <timestamp, decimal ms>
    <nonce>
    <sha256 of the raw body, lowercase hex>

The subject is signed too, so a signature can never be re-attributed to another subject.

Replay protection is split. ``verify_request`` rejects timestamps more than
``REQUEST_CLOCK_SKEW_SECONDS`` from the node's clock; the CALLER must reject a nonce it
has already accepted from the same subject, and must remember accepted nonces for at
least ``2 * REQUEST_CLOCK_SKEW_SECONDS`` (any older request fails the timestamp check).
Record the nonce only after ``verify_request`` succeeds, so forged requests cannot fill
the nonce store.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from finmesh.domain.errors import AuthenticationFailed
from finmesh.domain.limits import REQUEST_CLOCK_SKEW_SECONDS
from finmesh.identity import pki

CANONICAL_VERSION = "finmesh-req-v1"

HEADER_SUBJECT = "Finmesh-Subject"
HEADER_TIMESTAMP = "Finmesh-Timestamp"
HEADER_NONCE = "Finmesh-Nonce"
HEADER_SIGNATURE = "Finmesh-Signature"
HEADERS = (HEADER_SUBJECT, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)

# Strict shapes: anything lenient (int() accepts " 1_0 " and non-ASCII digits) would let
# two different header strings mean the same signed value.
_SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_TIMESTAMP = re.compile(r"[0-9]{1,16}")
_NONCE = re.compile(r"[0-9a-f]{32}")
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{1,200}={0,2}")
_METHOD = re.compile(r"[A-Z]{1,16}")
# The wire form of a request target is printable ASCII without spaces (RFC 9112); a
# decoded path with non-ASCII characters means the caller signed the wrong string.
_TARGET = re.compile(r"[\x21-\x7e]{1,8192}")


@dataclass(frozen=True)
class VerifiedRequest:
    """A request whose signature, certificate and freshness held. Check the nonce next."""

    subject: str
    nonce: str
    timestamp_ms: int
    identity: pki.CertIdentity


def canonical_request(
    subject: str, method: str, target: str, timestamp_ms: int, nonce: str, body: bytes
) -> bytes:
    """The exact bytes a request signature covers (see the module docstring)."""
    if not _TARGET.fullmatch(target):
        raise ValueError(f"target must be the request target as sent (printable ASCII): {target!r}")
    for name, value in (("subject", subject), ("method", method), ("nonce", nonce)):
        if "\n" in value or "\r" in value:
            # A newline inside a field would let two different requests share a canonical form.
            raise ValueError(f"{name} must not contain a line break")
    return "\n".join(
        (
            CANONICAL_VERSION,
            subject,
            method.upper(),
            target,
            str(timestamp_ms),
            nonce,
            hashlib.sha256(body).hexdigest(),
        )
    ).encode("utf-8")


def sign_request(
    key: ec.EllipticCurvePrivateKey,
    subject: str,
    method: str,
    target: str,
    body: bytes,
    *,
    now_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers that authenticate this request as ``subject``; merge them into the request.

    ``target`` must be what goes on the wire: path plus ``?query`` if any, already encoded.
    """
    timestamp = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    nonce = secrets.token_hex(16) if nonce is None else nonce
    message = canonical_request(subject, method, target, timestamp, nonce, body)
    return {
        HEADER_SUBJECT: subject,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: base64.b64encode(pki.sign(key, message)).decode("ascii"),
    }


def _finmesh_headers(headers: Mapping[str, str]) -> dict[str, str]:
    wanted = {h.lower() for h in HEADERS}
    found: dict[str, str] = {}
    # items() rather than get(): a multi-valued mapping (Starlette's Headers) yields every
    # copy, and two copies of an auth header must be refused, not silently pick one.
    for name, value in headers.items():
        lower = name.lower()
        if lower not in wanted:
            continue
        if lower in found:
            raise AuthenticationFailed(f"header {name} appears more than once")
        found[lower] = value
    return found


def verify_request(
    headers: Mapping[str, str],
    method: str,
    target: str,
    body: bytes,
    *,
    certificate_for: Callable[[str], bytes | None],
    ca_cert_pem: bytes,
    now_ms: int,
    expected_kind: str,
) -> VerifiedRequest:
    """Authenticate a signed request, or raise AuthenticationFailed saying why.

    Cheap checks run before the certificate lookup and signature verification, so junk
    costs the node little. ``certificate_for`` maps a subject to its current certificate
    PEM (None if unknown). The caller must then check and record the nonce.
    """
    checked = check_headers(
        headers,
        method,
        target,
        certificate_for=certificate_for,
        ca_cert_pem=ca_cert_pem,
        now_ms=now_ms,
        expected_kind=expected_kind,
    )
    return verify_body(checked, body)


@dataclass(frozen=True)
class CheckedHeaders:
    """A request whose headers, freshness and certificate hold; its body is unread."""

    subject: str
    method: str
    target: str
    timestamp_ms: int
    nonce: str
    signature: bytes
    cert: x509.Certificate
    identity: pki.CertIdentity


def check_headers(
    headers: Mapping[str, str],
    method: str,
    target: str,
    *,
    certificate_for: Callable[[str], bytes | None],
    ca_cert_pem: bytes,
    now_ms: int,
    expected_kind: str,
) -> CheckedHeaders:
    """Everything verify_request checks except the signature, which needs the body: a
    node calls this before it reads (and buffers) the body of an unknown caller."""
    kind = pki.as_kind(expected_kind)
    found = _finmesh_headers(headers)
    missing = [h for h in HEADERS if h.lower() not in found]
    if missing:
        raise AuthenticationFailed(f"missing header {', '.join(missing)}")
    subject = found[HEADER_SUBJECT.lower()]
    timestamp_text = found[HEADER_TIMESTAMP.lower()]
    nonce = found[HEADER_NONCE.lower()]
    signature_text = found[HEADER_SIGNATURE.lower()]

    if not _SUBJECT.fullmatch(subject):
        raise AuthenticationFailed(f"malformed header {HEADER_SUBJECT}: {subject[:80]!r}")
    if not _TIMESTAMP.fullmatch(timestamp_text):
        raise AuthenticationFailed(
            f"malformed header {HEADER_TIMESTAMP}: expected unix milliseconds,"
            f" got {timestamp_text[:80]!r}"
        )
    if not _NONCE.fullmatch(nonce):
        raise AuthenticationFailed(
            f"malformed header {HEADER_NONCE}: expected 32 lowercase hex digits, got {nonce[:80]!r}"
        )
    if not _SIGNATURE.fullmatch(signature_text):
        raise AuthenticationFailed(f"malformed header {HEADER_SIGNATURE}: not base64")
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        raise AuthenticationFailed(f"malformed header {HEADER_SIGNATURE}: not base64") from None
    upper_method = method.upper()
    if not _METHOD.fullmatch(upper_method):
        raise AuthenticationFailed(f"malformed request method {method[:20]!r}")
    if not _TARGET.fullmatch(target):
        raise AuthenticationFailed(
            f"malformed request target {target[:80]!r}: must be printable ASCII as sent"
        )

    timestamp_ms = int(timestamp_text)
    skew_ms = timestamp_ms - now_ms
    if abs(skew_ms) > REQUEST_CLOCK_SKEW_SECONDS * 1000:
        direction = "in the future" if skew_ms > 0 else "in the past"
        raise AuthenticationFailed(
            f"timestamp outside the allowed window: {abs(skew_ms) / 1000:.3f} s {direction},"
            f" allowed ±{REQUEST_CLOCK_SKEW_SECONDS} s"
        )

    cert, identity = check_certificate(
        subject, certificate_for(subject), ca_cert_pem, now_ms=now_ms, kind=kind
    )
    return CheckedHeaders(
        subject=subject,
        method=upper_method,
        target=target,
        timestamp_ms=timestamp_ms,
        nonce=nonce,
        signature=signature,
        cert=cert,
        identity=identity,
    )


def check_certificate(
    subject: str, cert_pem: bytes | None, ca_cert_pem: bytes, *, now_ms: int, kind: pki.Kind
) -> tuple[x509.Certificate, pki.CertIdentity]:
    """The certificate on record for ``subject``: issued by the network CA, of ``kind``,
    valid at ``now_ms`` and naming ``subject`` (console sign-in codes check the same)."""
    if cert_pem is None:
        raise AuthenticationFailed(f"unknown subject {subject!r}: no certificate on record")
    try:
        cert = pki.load_certificate(cert_pem)
        ca_cert = pki.load_certificate(ca_cert_pem)
    except pki.PkiError as exc:
        raise AuthenticationFailed(f"certificate for {subject!r} is unreadable: {exc}") from None
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    try:
        pki.verify_issued_by(cert, ca_cert, now=now, kind=kind)
        identity = pki.certificate_identity(cert)
    except AuthenticationFailed as exc:
        raise AuthenticationFailed(f"certificate for {subject!r} refused: {exc}") from None
    if identity.subject != subject:
        raise AuthenticationFailed(
            f"subject mismatch: header says {subject!r}, certificate names {identity.subject!r}"
        )
    return cert, identity


def verify_body(checked: CheckedHeaders, body: bytes) -> VerifiedRequest:
    """The signature over the request with its body: the last step of verify_request."""
    message = canonical_request(
        checked.subject,
        checked.method,
        checked.target,
        checked.timestamp_ms,
        checked.nonce,
        body,
    )
    if not pki.verify_signature(checked.cert, message, checked.signature):
        raise AuthenticationFailed(f"bad signature for subject {checked.subject!r}")
    return VerifiedRequest(
        subject=checked.subject,
        nonce=checked.nonce,
        timestamp_ms=checked.timestamp_ms,
        identity=checked.identity,
    )
