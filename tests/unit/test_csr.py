"""Certificate signing requests (finmesh.identity.csr): what the CA accepts and refuses."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from finmesh.identity import csr, pki
from finmesh.identity.ca import CertificateAuthority


def test_a_request_is_certified_for_the_ca_chosen_subject() -> None:
    key = pki.generate_key()
    checked = csr.check_csr(csr.make_csr(key, "SOMEONEELSE"))
    assert checked.requested_subject == "SOMEONEELSE"
    ca = CertificateAuthority.create("test CA")
    cert = ca.issue("BANKDEFFXXX", checked.public_key_pem, kind="participant")
    assert pki.certificate_identity(cert).subject == "BANKDEFFXXX"
    assert pki.keys_match(key, cert)


def test_der_and_subjectless_requests_are_read() -> None:
    key = pki.generate_key()
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).sign(
        key, hashes.SHA256()
    )
    checked = csr.check_csr(request.public_bytes(serialization.Encoding.DER))
    assert checked.requested_subject == ""


@pytest.mark.parametrize(
    ("key", "words"),
    [(ec.generate_private_key(ec.SECP384R1()), "EC secp384r1"),
     (ed25519.Ed25519PrivateKey.generate(), "Ed25519PublicKey")],
)
def test_other_key_types_are_refused(key: object, words: str) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    request = x509.CertificateSigningRequestBuilder().subject_name(name).sign(
        key, algorithm  # type: ignore[arg-type]
    )
    with pytest.raises(csr.BadCsr, match=words):
        csr.check_csr(request.public_bytes(serialization.Encoding.PEM))


def test_junk_and_oversize_requests_are_refused() -> None:
    with pytest.raises(csr.BadCsr, match="not a PKCS#10 request"):
        csr.check_csr(b"hello")
    with pytest.raises(csr.BadCsr, match="at most 16384"):
        csr.check_csr(b"-----BEGIN CERTIFICATE REQUEST-----" + b"A" * 20_000)
