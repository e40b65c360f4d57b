"""The network's certificate authority: its key and self-signed certificate, and the
participant and operator certificates it issues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from finmesh.domain.errors import InvalidBic
from finmesh.identity.pki import (
    _BACKDATE,
    _BIC11,
    _CURVE,
    _HASH,
    _OPERATOR_NAME,
    KINDS,
    OPERATOR_ROLES,
    POLICY_OIDS,
    Kind,
    PkiError,
    _is_ca,
    _utc,
    cert_to_pem,
    generate_key,
    key_to_pem,
    keys_match,
    load_certificate,
    load_key,
)


def _check_subject(subject: str, kind: Kind) -> str:
    if kind == "participant":
        if not _BIC11.fullmatch(subject):
            raise InvalidBic(f"participant subject must be a BIC11 (11 characters): {subject!r}")
    elif not _OPERATOR_NAME.fullmatch(subject):
        raise PkiError(
            f"operator name must be 1-64 of A-Z a-z 0-9 . _ @ - (first alphanumeric): {subject!r}"
        )
    return subject


class CertificateAuthority:
    """The network CA: a P-256 key and its self-signed certificate."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        if not _is_ca(cert):
            raise PkiError("certificate is not a CA certificate")
        if not keys_match(key, cert):
            raise PkiError("CA key does not match the CA certificate")
        self._key = key
        self._cert = cert

    @classmethod
    def create(
        cls, name: str, *, now: datetime | None = None, valid_days: int = 3650
    ) -> CertificateAuthority:
        if not name.strip():
            raise PkiError("CA name must not be empty")
        at = _utc(now)
        key = generate_key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        public = key.public_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(at - _BACKDATE)
            .not_valid_after(at + timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, _HASH())
        )
        return cls(key, cert)

    @classmethod
    def load(
        cls, key_pem: bytes, cert_pem: bytes, passphrase: bytes | None = None
    ) -> CertificateAuthority:
        return cls(load_key(key_pem, passphrase), load_certificate(cert_pem))

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def cert_pem(self) -> bytes:
        return cert_to_pem(self._cert)

    @property
    def key_pem(self) -> bytes:
        """The CA key unencrypted: for tests and in-memory use, never for a file."""
        return key_to_pem(self._key)

    def encrypted_key_pem(self, passphrase: bytes) -> bytes:
        """The CA key as encrypted PKCS#8: what goes on disk."""
        if not passphrase:
            raise PkiError("the CA key is written encrypted: a passphrase is needed")
        return key_to_pem(self._key, passphrase)

    def issue(
        self,
        subject: str,
        public_key_pem: bytes,
        *,
        kind: Kind,
        roles: Sequence[str] = (),
        display_name: str = "",
        valid_days: int = 825,
        now: datetime | None = None,
    ) -> bytes:
        """Issue a participant or operator certificate; return it as PEM.

        The certificate never outlives the CA: its end is clamped to the CA's.
        """
        if kind not in KINDS:
            raise PkiError(f"kind must be one of {KINDS}, not {kind!r}")
        _check_subject(subject, kind)
        role_list = list(dict.fromkeys(roles))
        if kind == "participant" and role_list:
            raise PkiError("participant certificates carry no roles")
        unknown = [r for r in role_list if r not in OPERATOR_ROLES]
        if unknown:
            raise PkiError(f"unknown operator roles {unknown}; known: {list(OPERATOR_ROLES)}")
        # The directory's names run to 140 characters but X.520 bounds organizationName at
        # 64; the O attribute is only a label (the directory holds the full name), so cut it.
        display_name = display_name.strip()[:64]
        if valid_days <= 0:
            raise PkiError("valid_days must be positive")
        try:
            public = serialization.load_pem_public_key(public_key_pem)
        except (ValueError, TypeError) as exc:
            raise PkiError(f"not a readable PEM public key: {exc}") from None
        if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(
            public.curve, _CURVE
        ):
            raise PkiError("public key is not ECDSA P-256")
        at = _utc(now)
        if at > self._cert.not_valid_after_utc:
            raise PkiError("the CA certificate has expired; it cannot issue")

        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, subject)]
        if display_name:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, display_name))
        attrs += [x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, r) for r in role_list]
        not_after = min(at + timedelta(days=valid_days), self._cert.not_valid_after_utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attrs))
            .issuer_name(self._cert.subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(max(at - _BACKDATE, self._cert.not_valid_before_utc))
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(POLICY_OIDS[kind], None)]),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
            .sign(self._key, _HASH())
        )
        return cert_to_pem(cert)
