"""Certificate signing requests (PKCS#10): how a bank or operator gets a certificate
without the network ever holding its private key.

The requester makes its own P-256 key and a CSR signed with it (``finmesh participant
csr``, or ``openssl req``); the network CA checks the request's self-signature, which
proves the requester holds the key, and its key type, then certifies the public key
under the subject *it* decides (the BIC it onboards, the operator name it registers).
The subject written in the request is only a hint, reported back, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from finmesh.identity import pki

CSR_BYTES_MAX = 16_384
"""Largest request file read, in bytes: a P-256 CSR is under 600."""


class BadCsr(pki.PkiError):
    """A certificate signing request is unreadable, forged or of the wrong key type."""

    code = "bad_csr"


@dataclass(frozen=True)
class CheckedCsr:
    """A request whose self-signature holds and whose key the network can certify."""

    public_key_pem: bytes
    requested_subject: str
    """The CN the requester wrote (empty if none): a hint, never the certified name."""


def make_csr(key: ec.EllipticCurvePrivateKey, subject: str) -> bytes:
    """A PEM PKCS#10 request for ``key`` naming ``subject`` as CN, signed with SHA-256."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    request = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return request.public_bytes(serialization.Encoding.PEM)


def _load(data: bytes) -> x509.CertificateSigningRequest:
    if len(data) > CSR_BYTES_MAX:
        raise BadCsr(f"{BadCsr.code}: the request is {len(data)} bytes; at most {CSR_BYTES_MAX}")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_csr(data)
        return x509.load_der_x509_csr(data)
    except (ValueError, TypeError) as exc:
        raise BadCsr(f"{BadCsr.code}: not a PKCS#10 request (PEM or DER): {exc}") from None


def _describe(public: object) -> str:
    if isinstance(public, rsa.RSAPublicKey):
        return f"RSA {public.key_size}"
    if isinstance(public, ec.EllipticCurvePublicKey):
        return f"EC {public.curve.name}"
    return type(public).__name__


def check_csr(data: bytes) -> CheckedCsr:
    """Parse a request and refuse it unless its self-signature verifies and its key is
    ECDSA P-256 (the only key type the network certifies)."""
    request = _load(data)
    try:
        public = request.public_key()
    except (ValueError, TypeError) as exc:
        raise BadCsr(f"{BadCsr.code}: the request's public key is unreadable: {exc}") from None
    if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(
        public.curve, ec.SECP256R1
    ):
        raise BadCsr(
            f"{BadCsr.code}: the request's key is {_describe(public)}; the network certifies"
            " ECDSA P-256 (prime256v1) keys only"
        )
    if not request.is_signature_valid:
        raise BadCsr(
            f"{BadCsr.code}: the request's signature does not verify with its own key"
            " (altered, or not signed by the key it carries)"
        )
    names = request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CheckedCsr(
        public_key_pem=pki.public_key_pem(public),
        requested_subject=str(names[0].value) if names else "",
    )
