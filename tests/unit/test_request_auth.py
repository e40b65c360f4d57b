"""Signed requests (finmesh.identity.request_auth): every way verification can fail, and succeed."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from finmesh.domain.errors import AuthenticationFailed
from finmesh.domain.limits import REQUEST_CLOCK_SKEW_SECONDS
from finmesh.identity import pki
from finmesh.identity.ca import CertificateAuthority
from finmesh.identity.request_auth import (
    VerifiedRequest,
    canonical_request,
    sign_request,
    verify_request,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
BIC = "BANKDEFFXXX"
OTHER_BIC = "OTHRGB2LXXX"
TARGET = "/v1/messages?after=42&limit=10"
BODY = b"<Envelope>payload</Envelope>"


class Net:
    """A CA with two participants and one operator, and a directory lookup."""

    def __init__(self) -> None:
        self.ca = CertificateAuthority.create("test CA", now=NOW)
        self.key = pki.generate_key()
        self.other_key = pki.generate_key()
        self.operator_key = pki.generate_key()
        self.certs: dict[str, bytes] = {
            BIC: self.ca.issue(BIC, pki.public_key_pem(self.key), kind="participant", now=NOW),
            OTHER_BIC: self.ca.issue(
                OTHER_BIC, pki.public_key_pem(self.other_key), kind="participant", now=NOW
            ),
            "alice": self.ca.issue(
                "alice", pki.public_key_pem(self.operator_key), kind="operator",
                roles=("compliance",), now=NOW,
            ),
        }

    def lookup(self, subject: str) -> bytes | None:
        return self.certs.get(subject)

    def verify(
        self,
        headers: dict[str, str],
        *,
        method: str = "POST",
        target: str = TARGET,
        body: bytes = BODY,
        now_ms: int = NOW_MS,
        expected_kind: str = "participant",
        certificate_for: Callable[[str], bytes | None] | None = None,
        ca_cert_pem: bytes | None = None,
    ) -> VerifiedRequest:
        return verify_request(
            headers, method, target, body,
            certificate_for=certificate_for or self.lookup,
            ca_cert_pem=ca_cert_pem or self.ca.cert_pem,
            now_ms=now_ms, expected_kind=expected_kind,
        )


@pytest.fixture(scope="module")
def net() -> Net:
    return Net()


def signed(key: ec.EllipticCurvePrivateKey, subject: str = BIC, **kw: object) -> dict[str, str]:
    options: dict[str, object] = {"method": "POST", "target": TARGET, "body": BODY,
                                  "now_ms": NOW_MS}
    options.update(kw)
    return sign_request(
        key, subject, str(options["method"]), str(options["target"]),
        options["body"],  # type: ignore[arg-type]
        now_ms=options["now_ms"],  # type: ignore[arg-type]
        nonce=options.get("nonce"),  # type: ignore[arg-type]
    )


def refused(net: Net, headers: dict[str, str], match: str, **kw: object) -> None:
    with pytest.raises(AuthenticationFailed, match=match):
        net.verify(headers, **kw)  # type: ignore[arg-type]


# --- the format --------------------------------------------------------------------


def test_headers_and_canonical_form(net: Net) -> None:
    nonce = "0123456789abcdef0123456789abcdef"
    headers = sign_request(net.key, BIC, "post", TARGET, BODY, now_ms=NOW_MS, nonce=nonce)
    assert set(headers) == {
        "Finmesh-Subject", "Finmesh-Timestamp", "Finmesh-Nonce", "Finmesh-Signature"
    }
    assert headers["Finmesh-Subject"] == BIC
    assert headers["Finmesh-Timestamp"] == str(NOW_MS)
    assert headers["Finmesh-Nonce"] == nonce
    expected = (
        f"finmesh-req-v1\n{BIC}\nPOST\n{TARGET}\n{NOW_MS}\n{nonce}\n"
        f"{hashlib.sha256(BODY).hexdigest()}"
    ).encode()
    assert canonical_request(BIC, "post", TARGET, NOW_MS, nonce, BODY) == expected
    signature = base64.b64decode(headers["Finmesh-Signature"], validate=True)
    assert pki.verify_signature(net.certs[BIC], expected, signature)


def test_nonces_are_fresh_128_bit_hex(net: Net) -> None:
    nonces = {sign_request(net.key, BIC, "GET", "/", b"")["Finmesh-Nonce"] for _ in range(20)}
    assert len(nonces) == 20
    assert all(len(n) == 32 and int(n, 16) >= 0 for n in nonces)


def test_sign_request_refuses_an_unsendable_target(net: Net) -> None:
    with pytest.raises(ValueError, match="target"):
        sign_request(net.key, BIC, "GET", "/a\nb", b"")
    with pytest.raises(ValueError, match="target"):
        sign_request(net.key, BIC, "GET", "/caf\u00e9", b"")


# --- success -----------------------------------------------------------------------


def test_roundtrip(net: Net) -> None:
    headers = signed(net.key)
    verified = net.verify(headers)
    assert verified.subject == BIC
    assert verified.nonce == headers["Finmesh-Nonce"]
    assert verified.timestamp_ms == NOW_MS
    assert verified.identity.subject == BIC
    assert verified.identity.kind == "participant"


def test_operator_roundtrip(net: Net) -> None:
    verified = net.verify(signed(net.operator_key, "alice"), expected_kind="operator")
    assert verified.identity.roles == ("compliance",)


def test_empty_body_and_get(net: Net) -> None:
    headers = signed(net.key, method="GET", target="/v1/health", body=b"")
    net.verify(headers, method="get", target="/v1/health", body=b"")


def test_header_names_are_case_insensitive(net: Net) -> None:
    headers = signed(net.key)
    net.verify({k.lower(): v for k, v in headers.items()})
    net.verify({k.upper(): v for k, v in headers.items()})


def test_starlette_headers_are_accepted(net: Net) -> None:
    starlette = pytest.importorskip("starlette.datastructures")
    raw = [(k.lower().encode(), v.encode()) for k, v in signed(net.key).items()]
    net.verify(starlette.Headers(raw=raw))


def test_timestamp_at_the_edge_of_the_window_is_accepted(net: Net) -> None:
    skew = REQUEST_CLOCK_SKEW_SECONDS * 1000
    net.verify(signed(net.key, now_ms=NOW_MS - skew))
    net.verify(signed(net.key, now_ms=NOW_MS + skew))


# --- each failure, with its message -------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Finmesh-Subject", "Finmesh-Timestamp", "Finmesh-Nonce", "Finmesh-Signature"]
)
def test_missing_header(net: Net, header: str) -> None:
    headers = signed(net.key)
    del headers[header]
    refused(net, headers, f"missing header {header}")


def test_all_headers_missing_are_named(net: Net) -> None:
    refused(net, {"Content-Type": "application/xml"},
            "missing header Finmesh-Subject, Finmesh-Timestamp, Finmesh-Nonce, Finmesh-Signature")


def test_duplicate_header_is_refused(net: Net) -> None:
    starlette = pytest.importorskip("starlette.datastructures")
    headers = signed(net.key)
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"finmesh-subject", OTHER_BIC.encode()))
    refused(net, starlette.Headers(raw=raw), "appears more than once")


@pytest.mark.parametrize(
    ("header", "value", "match"),
    [
        ("Finmesh-Subject", "", "malformed header Finmesh-Subject"),
        ("Finmesh-Subject", "BANK DEFF", "malformed header Finmesh-Subject"),
        ("Finmesh-Subject", "BANK\nDEFF", "malformed header Finmesh-Subject"),
        ("Finmesh-Timestamp", "", "malformed header Finmesh-Timestamp"),
        ("Finmesh-Timestamp", "-1", "malformed header Finmesh-Timestamp"),
        ("Finmesh-Timestamp", " 1780315200000", "malformed header Finmesh-Timestamp"),
        ("Finmesh-Timestamp", "1_780_315_200_000", "malformed header Finmesh-Timestamp"),
        ("Finmesh-Timestamp", "1780315200.5", "malformed header Finmesh-Timestamp"),
        ("Finmesh-Timestamp", "\u0661\u0662", "malformed header Finmesh-Timestamp"),
        ("Finmesh-Timestamp", "9" * 40, "malformed header Finmesh-Timestamp"),
        ("Finmesh-Nonce", "abc", "malformed header Finmesh-Nonce"),
        ("Finmesh-Nonce", "0123456789ABCDEF0123456789ABCDEF", "malformed header Finmesh-Nonce"),
        ("Finmesh-Nonce", "g" * 32, "malformed header Finmesh-Nonce"),
        ("Finmesh-Signature", "", "malformed header Finmesh-Signature"),
        ("Finmesh-Signature", "!!!!", "malformed header Finmesh-Signature"),
        ("Finmesh-Signature", "abc", "malformed header Finmesh-Signature"),
        ("Finmesh-Signature", "A" * 400, "malformed header Finmesh-Signature"),
    ],
)
def test_malformed_header(net: Net, header: str, value: str, match: str) -> None:
    headers = signed(net.key)
    headers[header] = value
    refused(net, headers, match)


def test_malformed_method_or_target(net: Net) -> None:
    refused(net, signed(net.key), "malformed request method", method="PO ST")
    refused(net, signed(net.key), "malformed request target", target="/caf\u00e9")
    refused(net, signed(net.key), "malformed request target", target="")


def test_timestamp_too_old(net: Net) -> None:
    skew = REQUEST_CLOCK_SKEW_SECONDS * 1000
    refused(net, signed(net.key, now_ms=NOW_MS - skew - 1),
            r"timestamp outside the allowed window: 120\.001 s in the past")


def test_timestamp_in_the_future(net: Net) -> None:
    skew = REQUEST_CLOCK_SKEW_SECONDS * 1000
    refused(net, signed(net.key, now_ms=NOW_MS + skew + 1), "in the future")


def test_unknown_subject(net: Net) -> None:
    refused(net, signed(net.key, "NOPEDEFFXXX"), "unknown subject 'NOPEDEFFXXX'")


def test_unreadable_certificate_on_record(net: Net) -> None:
    refused(net, signed(net.key), "is unreadable", certificate_for=lambda _s: b"junk")


def test_certificate_not_issued_by_the_ca(net: Net) -> None:
    rogue = CertificateAuthority.create("rogue CA", now=NOW)
    rogue_cert = rogue.issue(BIC, pki.public_key_pem(net.key), kind="participant", now=NOW)
    refused(net, signed(net.key), "not by the network CA",
            certificate_for=lambda _s: rogue_cert)


def test_certificate_expired(net: Net) -> None:
    ident = pki.certificate_identity(net.certs[BIC])
    later_ms = int(ident.not_after.timestamp() * 1000) + 1000
    refused(net, signed(net.key, now_ms=later_ms),
            r"certificate for 'BANKDEFFXXX' refused: certificate expired at", now_ms=later_ms)


def test_certificate_not_yet_valid(net: Net) -> None:
    ident = pki.certificate_identity(net.certs[BIC])
    earlier_ms = int(ident.not_before.timestamp() * 1000) - 1000
    refused(net, signed(net.key, now_ms=earlier_ms), "not yet valid", now_ms=earlier_ms)


def test_participant_certificate_on_the_operator_api(net: Net) -> None:
    refused(net, signed(net.key), "participant certificate, operator expected",
            expected_kind="operator")


def test_operator_certificate_on_the_participant_api(net: Net) -> None:
    refused(net, signed(net.operator_key, "alice"), "operator certificate, participant expected")


def test_unknown_expected_kind_is_refused(net: Net) -> None:
    with pytest.raises(pki.PkiError, match="kind must be one of"):
        net.verify(signed(net.key), expected_kind="admin")


def test_subject_mismatch_with_certificate(net: Net) -> None:
    # The directory is wrong (or compromised) and returns another bank's certificate.
    refused(net, signed(net.other_key, BIC),
            "subject mismatch: header says 'BANKDEFFXXX', certificate names 'OTHRGB2LXXX'",
            certificate_for=lambda _s: net.certs[OTHER_BIC])


def test_signature_by_another_key(net: Net) -> None:
    refused(net, signed(net.other_key, BIC), "bad signature for subject 'BANKDEFFXXX'")


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"target": "/v1/messages?after=43&limit=10"},
        {"target": "/v1/messages"},
        {"body": BODY + b" "},
    ],
)
def test_tampered_request_is_refused(net: Net, change: dict[str, object]) -> None:
    refused(net, signed(net.key), "bad signature", **change)


def test_tampered_headers_are_refused(net: Net) -> None:
    for header, value in (
        ("Finmesh-Timestamp", str(NOW_MS + 1)),
        ("Finmesh-Nonce", "f" * 32),
    ):
        headers = signed(net.key)
        headers[header] = value
        refused(net, headers, "bad signature")
    headers = signed(net.key)
    raw = bytearray(base64.b64decode(headers["Finmesh-Signature"]))
    raw[-1] ^= 1
    headers["Finmesh-Signature"] = base64.b64encode(bytes(raw)).decode()
    refused(net, headers, "bad signature")
    headers["Finmesh-Signature"] = base64.b64encode(b"\x00" * 64).decode()
    refused(net, headers, "bad signature")


def test_signature_cannot_be_moved_to_another_subject(net: Net) -> None:
    # Same key registered under two subjects: the signed subject still pins the sender.
    shared = dict(net.certs)
    shared[OTHER_BIC] = net.ca.issue(
        OTHER_BIC, pki.public_key_pem(net.key), kind="participant", now=NOW
    )
    headers = signed(net.key, BIC)
    headers["Finmesh-Subject"] = OTHER_BIC
    refused(net, headers, "bad signature", certificate_for=shared.get)
