"""The network PKI (finmesh.identity.pki) and local profiles (finmesh.identity.profile)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from finmesh.domain.errors import AuthenticationFailed, FinmeshError, InvalidBic
from finmesh.identity import pki
from finmesh.identity.ca import CertificateAuthority
from finmesh.identity.profile import ProfileError, load_profile, write_profile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BIC = "BANKDEFFXXX"


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority.create("finmesh test CA", now=NOW)


@pytest.fixture(scope="module")
def participant_key() -> ec.EllipticCurvePrivateKey:
    return pki.generate_key()


@pytest.fixture(scope="module")
def participant_cert(
    ca: CertificateAuthority, participant_key: ec.EllipticCurvePrivateKey
) -> bytes:
    return ca.issue(
        BIC, pki.public_key_pem(participant_key), kind="participant",
        display_name="Bank of Tests", now=NOW,
    )


@pytest.fixture(scope="module")
def operator_key() -> ec.EllipticCurvePrivateKey:
    return pki.generate_key()


@pytest.fixture(scope="module")
def operator_cert(ca: CertificateAuthority, operator_key: ec.EllipticCurvePrivateKey) -> bytes:
    return ca.issue(
        "alice", pki.public_key_pem(operator_key), kind="operator",
        roles=("operator", "auditor"), now=NOW,
    )


# --- CA ----------------------------------------------------------------------------


def test_ca_certificate_is_a_constrained_self_signed_ca(ca: CertificateAuthority) -> None:
    cert = x509.load_pem_x509_certificate(ca.cert_pem)
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert cert.issuer == cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "finmesh test CA"
    cert.verify_directly_issued_by(cert)
    assert cert.not_valid_after_utc - NOW == timedelta(days=3650)


def test_ca_load_roundtrip(ca: CertificateAuthority) -> None:
    loaded = CertificateAuthority.load(ca.key_pem, ca.cert_pem)
    assert loaded.cert_pem == ca.cert_pem
    key = pki.generate_key()
    cert = loaded.issue(BIC, pki.public_key_pem(key), kind="participant", now=NOW)
    pki.verify_issued_by(cert, ca.cert_pem, now=NOW, kind="participant")


def test_ca_load_rejects_a_key_that_does_not_match(ca: CertificateAuthority) -> None:
    with pytest.raises(pki.PkiError, match="does not match"):
        CertificateAuthority.load(pki.key_to_pem(pki.generate_key()), ca.cert_pem)


def test_ca_load_rejects_a_leaf_certificate(
    participant_key: ec.EllipticCurvePrivateKey, participant_cert: bytes
) -> None:
    with pytest.raises(pki.PkiError, match="not a CA"):
        CertificateAuthority.load(pki.key_to_pem(participant_key), participant_cert)


# --- issuance ----------------------------------------------------------------------


def test_participant_certificate_binds_the_bic(
    ca: CertificateAuthority, participant_cert: bytes
) -> None:
    cert = x509.load_pem_x509_certificate(participant_cert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == BIC
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        "Bank of Tests"
    )
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert not basic.ca and usage.digital_signature and not usage.key_cert_sign
    identity = pki.certificate_identity(participant_cert)
    assert identity.subject == BIC
    assert identity.kind == "participant"
    assert identity.roles == ()
    assert identity.display_name == "Bank of Tests"
    assert identity.serial == f"{cert.serial_number:x}"
    assert identity.fingerprint == pki.fingerprint(participant_cert)
    assert len(identity.fingerprint) == 64
    assert identity.not_before <= NOW < identity.not_after
    assert identity.not_after - NOW == timedelta(days=825)
    pki.verify_issued_by(participant_cert, ca.cert_pem, now=NOW, kind="participant")


def test_serials_are_random(
    ca: CertificateAuthority, participant_key: ec.EllipticCurvePrivateKey
) -> None:
    pem = pki.public_key_pem(participant_key)
    serials = {
        pki.certificate_identity(ca.issue(BIC, pem, kind="participant", now=NOW)).serial
        for _ in range(5)
    }
    assert len(serials) == 5
    assert all(len(s) > 20 for s in serials)


def test_operator_certificate_carries_roles(operator_cert: bytes) -> None:
    identity = pki.certificate_identity(operator_cert)
    assert identity.subject == "alice"
    assert identity.kind == "operator"
    assert identity.roles == ("operator", "auditor")


def test_issue_rejects_a_non_bic_participant(
    ca: CertificateAuthority, participant_key: ec.EllipticCurvePrivateKey
) -> None:
    pem = pki.public_key_pem(participant_key)
    for bad in ("BANKDEFF", "bankdeffxxx", "BANKDEFFXXXX", "alice"):
        with pytest.raises(InvalidBic):
            ca.issue(bad, pem, kind="participant", now=NOW)


def test_issue_rejects_bad_roles_and_names(
    ca: CertificateAuthority, participant_key: ec.EllipticCurvePrivateKey
) -> None:
    pem = pki.public_key_pem(participant_key)
    with pytest.raises(pki.PkiError, match="no roles"):
        ca.issue(BIC, pem, kind="participant", roles=("operator",), now=NOW)
    with pytest.raises(pki.PkiError, match="unknown operator roles"):
        ca.issue("bob", pem, kind="operator", roles=("root",), now=NOW)
    with pytest.raises(pki.PkiError, match="operator name"):
        ca.issue("bob smith", pem, kind="operator", now=NOW)
    long_name = ca.issue(BIC, pem, kind="participant", display_name="x" * 140, now=NOW)
    assert pki.certificate_identity(long_name).display_name == "x" * 64
    with pytest.raises(pki.PkiError, match="valid_days"):
        ca.issue(BIC, pem, kind="participant", valid_days=0, now=NOW)


def test_issue_rejects_a_non_p256_key(ca: CertificateAuthority) -> None:
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    from cryptography.hazmat.primitives import serialization

    pem = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(pki.PkiError, match="P-256"):
        ca.issue(BIC, pem, kind="participant", now=NOW)
    with pytest.raises(pki.PkiError, match="public key"):
        ca.issue(BIC, b"garbage", kind="participant", now=NOW)


def test_leaf_never_outlives_the_ca(participant_key: ec.EllipticCurvePrivateKey) -> None:
    short = CertificateAuthority.create("short CA", now=NOW, valid_days=10)
    cert = short.issue(BIC, pki.public_key_pem(participant_key), kind="participant", now=NOW)
    assert pki.certificate_identity(cert).not_after == short.certificate.not_valid_after_utc


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CertificateAuthority.create("x", now=datetime(2026, 1, 1))


# --- verify_issued_by --------------------------------------------------------------


def test_kind_confusion_is_rejected_both_ways(
    ca: CertificateAuthority, participant_cert: bytes, operator_cert: bytes
) -> None:
    with pytest.raises(AuthenticationFailed, match="participant certificate, operator expected"):
        pki.verify_issued_by(participant_cert, ca.cert_pem, now=NOW, kind="operator")
    with pytest.raises(AuthenticationFailed, match="operator certificate, participant expected"):
        pki.verify_issued_by(operator_cert, ca.cert_pem, now=NOW, kind="participant")
    pki.verify_issued_by(operator_cert, ca.cert_pem, now=NOW, kind="operator")


def test_certificate_from_another_ca_is_rejected(
    participant_key: ec.EllipticCurvePrivateKey, ca: CertificateAuthority
) -> None:
    rogue = CertificateAuthority.create("rogue CA", now=NOW)
    cert = rogue.issue(BIC, pki.public_key_pem(participant_key), kind="participant", now=NOW)
    with pytest.raises(AuthenticationFailed, match="not by the network CA"):
        pki.verify_issued_by(cert, ca.cert_pem, now=NOW)


def test_certificate_from_a_ca_with_the_same_name_is_rejected(
    participant_key: ec.EllipticCurvePrivateKey, ca: CertificateAuthority
) -> None:
    impostor = CertificateAuthority.create("finmesh test CA", now=NOW)
    cert = impostor.issue(BIC, pki.public_key_pem(participant_key), kind="participant", now=NOW)
    with pytest.raises(AuthenticationFailed, match="signature does not verify"):
        pki.verify_issued_by(cert, ca.cert_pem, now=NOW)


def test_expired_and_not_yet_valid_certificates_are_rejected(
    ca: CertificateAuthority, participant_cert: bytes
) -> None:
    identity = pki.certificate_identity(participant_cert)
    with pytest.raises(AuthenticationFailed, match="certificate expired at"):
        pki.verify_issued_by(
            participant_cert, ca.cert_pem, now=identity.not_after + timedelta(seconds=1)
        )
    with pytest.raises(AuthenticationFailed, match="not yet valid"):
        pki.verify_issued_by(
            participant_cert, ca.cert_pem, now=identity.not_before - timedelta(seconds=1)
        )
    pki.verify_issued_by(participant_cert, ca.cert_pem, now=identity.not_after)


def test_the_ca_itself_is_not_a_leaf(ca: CertificateAuthority) -> None:
    with pytest.raises(AuthenticationFailed, match="CA certificate, not"):
        pki.verify_issued_by(ca.cert_pem, ca.cert_pem, now=NOW)


def test_a_leaf_is_not_a_ca(participant_cert: bytes, operator_cert: bytes) -> None:
    with pytest.raises(AuthenticationFailed, match="not a CA certificate"):
        pki.verify_issued_by(operator_cert, participant_cert, now=NOW)


def test_certificate_without_a_kind_is_rejected(ca: CertificateAuthority) -> None:
    # Signed by the real CA key but built without the kind policy.
    from cryptography.hazmat.primitives import hashes

    ca_key = pki.load_key(ca.key_pem)
    key = pki.generate_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BIC)]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    with pytest.raises(AuthenticationFailed, match="no finmesh kind"):
        pki.verify_issued_by(cert, ca.certificate, now=NOW, kind="participant")


# --- signatures --------------------------------------------------------------------


def test_key_pem_roundtrip() -> None:
    key = pki.generate_key()
    again = pki.load_key(pki.key_to_pem(key))
    assert again.private_numbers() == key.private_numbers()
    with pytest.raises(pki.PkiError):
        pki.load_key(b"not a key")
    with pytest.raises(pki.PkiError, match="P-256"):
        pki.load_key(pki.key_to_pem(ec.generate_private_key(ec.SECP384R1())))


def test_sign_verify_roundtrip(
    participant_key: ec.EllipticCurvePrivateKey, participant_cert: bytes
) -> None:
    data = os.urandom(4096)
    signature = pki.sign(participant_key, data)
    assert pki.verify_signature(participant_cert, data, signature)
    assert pki.verify_signature(pki.load_certificate(participant_cert), data, signature)


def test_tampered_data_or_signature_fails(
    participant_key: ec.EllipticCurvePrivateKey, participant_cert: bytes, operator_cert: bytes
) -> None:
    data = b"pacs.008 payload"
    signature = pki.sign(participant_key, data)
    assert not pki.verify_signature(participant_cert, data + b" ", signature)
    flipped = bytearray(signature)
    flipped[-1] ^= 0x01
    assert not pki.verify_signature(participant_cert, data, bytes(flipped))
    assert not pki.verify_signature(operator_cert, data, signature)


@pytest.mark.parametrize(
    ("cert", "data", "signature"),
    [
        (b"", b"x", b"y"),
        (b"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n", b"x", b"y"),
        (None, b"x", b"y"),
        ("a string", b"x", b"y"),
        ("CERT", None, b"y"),
        ("CERT", b"x", None),
        ("CERT", b"x", b""),
        ("CERT", b"x", b"\x30\x06\x02\x01\x00\x02\x01\x00"),
        ("CERT", b"x", os.urandom(72)),
        ("CERT", "text", b"y"),
    ],
)
def test_verify_signature_never_raises(
    participant_cert: bytes, cert: object, data: object, signature: object
) -> None:
    if cert == "CERT":
        cert = participant_cert
    assert pki.verify_signature(cert, data, signature) is False  # type: ignore[arg-type]


def test_verify_issued_by_defaults_to_the_current_time(
    participant_cert: bytes, ca: CertificateAuthority
) -> None:
    # Issued at NOW (2026-06-01) for 825 days; expiry depends on today's date.
    if datetime.now(UTC) < pki.certificate_identity(participant_cert).not_after:
        pki.verify_issued_by(participant_cert, ca.cert_pem, kind="participant")
    old = CertificateAuthority.create("old", now=datetime(2001, 1, 1, tzinfo=UTC))
    cert = old.issue(
        BIC, pki.public_key_pem(pki.generate_key()), kind="participant",
        now=datetime(2001, 1, 1, tzinfo=UTC), valid_days=1,
    )
    with pytest.raises(AuthenticationFailed, match="expired"):
        pki.verify_issued_by(cert, old.cert_pem)


def test_identity_modules_import_in_any_order() -> None:
    # Each module may be imported first: none depends on being imported after another.
    modules = ("request_auth", "pki", "ca", "profile", "keystore", "csr", "message_signature")
    for module in (f"finmesh.identity.{m}" for m in modules):
        subprocess.run(
            [sys.executable, "-c", f"import {module}"], check=True,
            cwd=Path(__file__).resolve().parents[2],
        )


def test_verify_signature_is_false_for_a_non_ec_certificate(ca: CertificateAuthority) -> None:
    from cryptography.hazmat.primitives import hashes

    ed = ed25519.Ed25519PrivateKey.generate()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ed")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ed")]))
        .public_key(ed.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .sign(pki.load_key(ca.key_pem), hashes.SHA256())
    )
    assert pki.verify_signature(cert, b"x", ed.sign(b"x")) is False


def test_loaded_certificates_are_cached(participant_cert: bytes) -> None:
    assert pki.load_certificate(participant_cert) is pki.load_certificate(bytes(participant_cert))


# --- profiles ----------------------------------------------------------------------


def _write_participant(
    folder: Path, ca: CertificateAuthority, key: ec.EllipticCurvePrivateKey, cert: bytes
) -> None:
    write_profile(
        folder, key=key, cert_pem=cert, ca_pem=ca.cert_pem, subject=BIC,
        kind="participant", url="http://127.0.0.1:8470",
    )


def test_profile_roundtrip(
    tmp_path: Path,
    ca: CertificateAuthority,
    participant_key: ec.EllipticCurvePrivateKey,
    participant_cert: bytes,
) -> None:
    folder = tmp_path / "bank"
    _write_participant(folder, ca, participant_key, participant_cert)
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [
        "ca.pem", "cert.pem", "key.pem", "profile.json"
    ]
    profile = load_profile(folder)
    assert profile.folder == folder
    assert profile.subject == BIC
    assert profile.kind == "participant"
    assert profile.url == "http://127.0.0.1:8470"
    assert profile.roles == ()
    assert profile.cert_pem == participant_cert
    assert profile.ca_pem == ca.cert_pem
    assert profile.key.private_numbers() == participant_key.private_numbers()
    assert "PRIVATE" not in repr(profile)


def test_operator_profile_roundtrip(
    tmp_path: Path,
    ca: CertificateAuthority,
    operator_key: ec.EllipticCurvePrivateKey,
    operator_cert: bytes,
) -> None:
    write_profile(
        tmp_path, key=operator_key, cert_pem=operator_cert, ca_pem=ca.cert_pem,
        subject="alice", kind="operator", url="https://node.example:8470",
        roles=("auditor", "operator"),
    )
    profile = load_profile(tmp_path)
    assert profile.kind == "operator"
    assert set(profile.roles) == {"operator", "auditor"}


def test_write_profile_refuses_a_mismatched_key(
    tmp_path: Path, ca: CertificateAuthority, participant_cert: bytes
) -> None:
    with pytest.raises(ProfileError, match="does not match"):
        _write_participant(tmp_path / "p", ca, pki.generate_key(), participant_cert)
    assert not (tmp_path / "p").exists()


def test_write_profile_refuses_wrong_subject_kind_roles_or_ca(
    tmp_path: Path,
    ca: CertificateAuthority,
    participant_key: ec.EllipticCurvePrivateKey,
    participant_cert: bytes,
) -> None:
    base = {
        "key": participant_key, "cert_pem": participant_cert, "ca_pem": ca.cert_pem,
        "subject": BIC, "kind": "participant", "url": "http://127.0.0.1:8470",
    }
    cases: list[tuple[dict[str, object], str]] = [
        ({"subject": "OTHRDEFFXXX"}, "names 'BANKDEFFXXX'"),
        ({"kind": "operator"}, "is a participant certificate"),
        ({"kind": "admin"}, "kind must be one of"),
        ({"roles": ("operator",)}, "roles"),
        ({"url": "ftp://x"}, "url must be"),
        ({"ca_pem": CertificateAuthority.create("rogue", now=NOW).cert_pem}, "network CA"),
    ]
    for change, message in cases:
        with pytest.raises(ProfileError, match=message):
            write_profile(tmp_path / "p", **{**base, **change})  # type: ignore[arg-type]


def test_write_profile_refuses_to_overwrite(
    tmp_path: Path,
    ca: CertificateAuthority,
    participant_key: ec.EllipticCurvePrivateKey,
    participant_cert: bytes,
) -> None:
    _write_participant(tmp_path, ca, participant_key, participant_cert)
    with pytest.raises(ProfileError, match="already exists"):
        _write_participant(tmp_path, ca, participant_key, participant_cert)
    write_profile(
        tmp_path, key=participant_key, cert_pem=participant_cert, ca_pem=ca.cert_pem,
        subject=BIC, kind="participant", url="http://10.0.0.1:9000", overwrite=True,
    )
    assert load_profile(tmp_path).url == "http://10.0.0.1:9000"


def test_load_profile_detects_a_swapped_key(
    tmp_path: Path,
    ca: CertificateAuthority,
    participant_key: ec.EllipticCurvePrivateKey,
    participant_cert: bytes,
) -> None:
    _write_participant(tmp_path, ca, participant_key, participant_cert)
    key_path = tmp_path / "key.pem"
    key_path.write_bytes(pki.key_to_pem(pki.generate_key()))
    key_path.chmod(0o600)
    with pytest.raises(ProfileError, match=r"key\.pem does not match the public key in cert\.pem"):
        load_profile(tmp_path)


def test_load_profile_names_what_is_missing_or_wrong(
    tmp_path: Path,
    ca: CertificateAuthority,
    participant_key: ec.EllipticCurvePrivateKey,
    participant_cert: bytes,
    operator_cert: bytes,
) -> None:
    with pytest.raises(ProfileError, match="no such profile folder"):
        load_profile(tmp_path / "absent")
    _write_participant(tmp_path, ca, participant_key, participant_cert)

    (tmp_path / "ca.pem").unlink()
    with pytest.raises(ProfileError, match=r"missing ca\.pem"):
        load_profile(tmp_path)
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem)

    (tmp_path / "key.pem").chmod(0o644)
    with pytest.raises(ProfileError, match="chmod 600"):
        load_profile(tmp_path)
    (tmp_path / "key.pem").chmod(0o600)

    (tmp_path / "cert.pem").write_bytes(operator_cert)
    with pytest.raises(ProfileError):
        load_profile(tmp_path)
    (tmp_path / "cert.pem").write_bytes(participant_cert)

    (tmp_path / "profile.json").write_text('{"subject": "BANKDEFFXXX", "kind": "participant"}')
    with pytest.raises(ProfileError, match="'url'"):
        load_profile(tmp_path)
    (tmp_path / "profile.json").write_text("{not json")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profile(tmp_path)
    (tmp_path / "profile.json").unlink()
    with pytest.raises(ProfileError, match=r"missing profile\.json"):
        load_profile(tmp_path)


def test_profile_errors_are_finmesh_errors() -> None:
    assert issubclass(ProfileError, FinmeshError)
    assert issubclass(pki.PkiError, FinmeshError)
