"""Signed requests (finmesh.identity.request_auth, RFC 9421 + RFC 9530): the wire form,
interoperability with an independent implementation (http-message-signatures), and every
way verification can fail."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from finmesh.domain.errors import AuthenticationFailed
from finmesh.domain.limits import REQUEST_CLOCK_SKEW_SECONDS
from finmesh.identity import pki
from finmesh.identity.ca import CertificateAuthority
from finmesh.identity.request_auth import (
    COVERED,
    VerifiedRequest,
    content_digest,
    sign_request,
    verify_request,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
BIC = "BANKDEFFXXX"
OTHER_BIC = "OTHRGB2LXXX"
TARGET = "/v1/messages?after=42&limit=10"
BODY = b"<Envelope>payload</Envelope>"
NONCE = "0123456789abcdef0123456789abcdef"


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
    ) -> VerifiedRequest:
        return verify_request(
            headers, method, target, body,
            certificate_for=certificate_for or self.lookup,
            ca_cert_pem=self.ca.cert_pem,
            now_ms=now_ms, expected_kind=expected_kind,
        )


@pytest.fixture(scope="module")
def net() -> Net:
    return Net()


def signed(
    key: ec.EllipticCurvePrivateKey, subject: str = BIC, *, method: str = "POST",
    target: str = TARGET, body: bytes = BODY, now_ms: int = NOW_MS, nonce: str | None = None,
) -> dict[str, str]:
    return sign_request(key, subject, method, target, body, now_ms=now_ms, nonce=nonce)


def refused(net: Net, headers: dict[str, str], match: str, **kw: object) -> None:
    with pytest.raises(AuthenticationFailed, match=match):
        net.verify(headers, **kw)  # type: ignore[arg-type]


def _raw_signature(headers: dict[str, str]) -> bytes:
    value = headers["Signature"]
    assert value.startswith("sig1=:") and value.endswith(":")
    return base64.b64decode(value[6:-1], validate=True)


# --- the wire form -----------------------------------------------------------------


def test_headers_and_signature_base(net: Net) -> None:
    headers = sign_request(net.key, BIC, "post", TARGET, BODY, now_ms=NOW_MS, nonce=NONCE)
    assert set(headers) == {"Content-Digest", "Signature-Input", "Signature"}
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    assert headers["Content-Digest"] == f"sha-256=:{digest}:"
    params = (
        '("@method" "@path" "@query" "content-digest")'
        f';created={NOW_MS // 1000};keyid="{BIC}";alg="ecdsa-p256-sha256";nonce="{NONCE}"'
    )
    assert headers["Signature-Input"] == f"sig1={params}"
    base = (
        '"@method": POST\n"@path": /v1/messages\n"@query": ?after=42&limit=10\n'
        f'"content-digest": sha-256=:{digest}:\n"@signature-params": {params}'
    ).encode()
    raw = _raw_signature(headers)
    assert len(raw) == 64  # r||s, RFC 9421 section 3.3.4
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    assert pki.verify_signature(net.certs[BIC], base, der)


def test_empty_body_has_the_well_known_digest() -> None:
    assert content_digest(b"") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"


def test_nonces_are_fresh_128_bit_hex(net: Net) -> None:
    inputs = {sign_request(net.key, BIC, "GET", "/", b"")["Signature-Input"] for _ in range(20)}
    nonces = {i.rsplit('nonce="', 1)[1].rstrip('"') for i in inputs}
    assert len(nonces) == 20 and all(len(n) == 32 and int(n, 16) >= 0 for n in nonces)


def test_sign_request_refuses_an_unsendable_target_or_subject(net: Net) -> None:
    for target in ("/a\nb", "/caf\u00e9"):
        with pytest.raises(ValueError, match="target"):
            sign_request(net.key, BIC, "GET", target, b"")
    with pytest.raises(ValueError, match="subject"):
        sign_request(net.key, 'BANK"DEFF', "GET", "/", b"")


# --- interoperability with http-message-signatures ---------------------------------

hms = pytest.importorskip("http_message_signatures")


@dataclass
class _Message:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


class _Keys:
    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self.private = private

    def resolve_private_key(self, key_id: str) -> ec.EllipticCurvePrivateKey:
        return self.private

    def resolve_public_key(self, key_id: str) -> ec.EllipticCurvePublicKey:
        return self.private.public_key()


def test_a_request_signed_by_the_library_verifies_here(net: Net) -> None:
    message = _Message("POST", f"http://node.example{TARGET}")
    signer = hms.HTTPMessageSigner(
        signature_algorithm=hms.algorithms.ECDSA_P256_SHA256, key_resolver=_Keys(net.key)
    )
    signer.sign(
        message, key_id=BIC, nonce=NONCE, label="bank", created=NOW, body=BODY,
        covered_component_ids=("content-digest", "@query", "@method", "@path"),
    )
    verified = net.verify(message.headers)
    assert (verified.subject, verified.nonce, verified.timestamp_ms) == (BIC, NONCE, NOW_MS)


def test_a_request_signed_here_verifies_with_the_library(net: Net) -> None:
    class Verifier(hms.HTTPMessageVerifier):  # type: ignore[misc]
        def validate_created_and_expires(self, sig_input: object, max_age: object = None) -> None:
            return None  # NOW is a fixed instant in the past; freshness is tested above

    message = _Message("POST", f"http://node.example{TARGET}", signed(net.key, nonce=NONCE))
    verifier = Verifier(
        signature_algorithm=hms.algorithms.ECDSA_P256_SHA256, key_resolver=_Keys(net.key)
    )
    [result] = verifier.verify(message, max_age=None, body=BODY, require_components=COVERED)
    assert result.parameters["keyid"] == BIC and result.nonce == NONCE
    message.headers["Content-Digest"] = content_digest(b"other")
    with pytest.raises(hms.InvalidSignature):
        verifier.verify(message, max_age=None, body=BODY)


# --- success -----------------------------------------------------------------------


def test_roundtrip(net: Net) -> None:
    verified = net.verify(signed(net.key, nonce=NONCE))
    assert (verified.subject, verified.nonce, verified.timestamp_ms) == (BIC, NONCE, NOW_MS)
    assert verified.identity.kind == "participant"


def test_operator_roundtrip(net: Net) -> None:
    verified = net.verify(signed(net.operator_key, "alice"), expected_kind="operator")
    assert verified.identity.roles == ("compliance",)


def test_empty_body_get_and_no_query(net: Net) -> None:
    headers = signed(net.key, method="GET", target="/v1/deliveries", body=b"")
    net.verify(headers, method="get", target="/v1/deliveries", body=b"")


def test_header_names_are_case_insensitive_and_starlette_headers_work(net: Net) -> None:
    headers = signed(net.key)
    net.verify({k.lower(): v for k, v in headers.items()})
    net.verify({k.upper(): v for k, v in headers.items()})
    starlette = pytest.importorskip("starlette.datastructures")
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    net.verify(starlette.Headers(raw=raw))


def test_created_at_the_edge_of_the_window_is_accepted(net: Net) -> None:
    skew = REQUEST_CLOCK_SKEW_SECONDS * 1000
    net.verify(signed(net.key, now_ms=NOW_MS - skew))
    net.verify(signed(net.key, now_ms=NOW_MS + skew))


def test_a_sha512_digest_is_accepted_too(net: Net) -> None:
    message = _Message("POST", f"http://node.example{TARGET}")

    class Sha512(hms.ContentDigest):  # type: ignore[misc]
        algorithm = "sha-512"

    class Signer(hms.HTTPMessageSigner):  # type: ignore[misc]
        content_digest_class = Sha512

    Signer(signature_algorithm=hms.algorithms.ECDSA_P256_SHA256, key_resolver=_Keys(net.key)).sign(
        message, key_id=BIC, nonce=NONCE, created=NOW, body=BODY,
        covered_component_ids=("@method", "@path", "@query"),
    )
    assert message.headers["Content-Digest"].startswith("sha-512=:")
    net.verify(message.headers)


# --- each failure, with its message -------------------------------------------------


@pytest.mark.parametrize("header", ["Content-Digest", "Signature-Input", "Signature"])
def test_missing_header(net: Net, header: str) -> None:
    headers = signed(net.key)
    del headers[header]
    refused(net, headers, f"missing header {header}")


def test_the_old_finmesh_headers_are_not_accepted(net: Net) -> None:
    refused(net, {"Finmesh-Subject": BIC, "Finmesh-Signature": "AAAA"},
            "missing header Content-Digest, Signature-Input, Signature")


def test_duplicate_header_is_refused(net: Net) -> None:
    starlette = pytest.importorskip("starlette.datastructures")
    raw = [(k.lower().encode(), v.encode()) for k, v in signed(net.key).items()]
    raw.append((b"signature-input", signed(net.other_key, OTHER_BIC)["Signature-Input"].encode()))
    refused(net, starlette.Headers(raw=raw), "appears more than once")


def _with_input(net: Net, params: str, components: str = " ".join(f'"{c}"' for c in COVERED)
                ) -> dict[str, str]:
    headers = signed(net.key)
    headers["Signature-Input"] = f"sig1=({components}){params}"
    return headers


GOOD = f';created={NOW_MS // 1000};keyid="{BIC}";nonce="{NONCE}"'


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (f';keyid="{BIC}";nonce="{NONCE}"', "lacks the required parameter created"),
        (f';created={NOW_MS // 1000};nonce="{NONCE}"', "lacks the required parameter keyid"),
        (f';created={NOW_MS // 1000};keyid="{BIC}"', "lacks the required parameter nonce"),
        (GOOD + ';alg="rsa-pss-sha512"', "parameter alg"),
        (GOOD + ";foo=1", "unknown parameters"),
        (f';created="1";keyid="{BIC}";nonce="{NONCE}"', "parameter created"),
        (f';created=-5;keyid="{BIC}";nonce="{NONCE}"', "parameter created"),
        (f';created={NOW_MS // 1000};keyid="BANK DEFF";nonce="{NONCE}"', "parameter keyid"),
        (f';created={NOW_MS // 1000};keyid="{BIC}";nonce="ABC"', "parameter nonce"),
        (f';created={NOW_MS // 1000};keyid="{BIC}";nonce="{NONCE.upper()}"', "parameter nonce"),
        (GOOD + f";expires={NOW_MS // 1000 - 1}", "has expired"),
    ],
)
def test_bad_signature_parameters(net: Net, params: str, match: str) -> None:
    refused(net, _with_input(net, params), match)


@pytest.mark.parametrize(
    "components",
    ['"@method" "@path" "@query"', '"@method" "@path" "@query" "content-digest" "date"',
     '"@method" "@path" "@query" "content-digest";sf', '"@method" "@target-uri" "content-digest"',
     ""],
)
def test_coverage_must_be_exactly_the_profile(net: Net, components: str) -> None:
    refused(net, _with_input(net, GOOD, components), "must cover exactly")


@pytest.mark.parametrize(
    ("header", "value", "match"),
    [
        ("Signature-Input", "", "malformed header Signature-Input"),
        ("Signature-Input", "sig1=(", "malformed header Signature-Input"),
        ("Signature-Input", "sig1=1", "not an inner list"),
        ("Signature-Input", "a=(), b=()", "exactly one is accepted"),
        ("Signature", "", "malformed header Signature"),
        ("Signature", "sig1=:!!!:", "malformed header Signature"),
        ("Signature", "sig2=:" + "A" * 86 + "==:", "do not match"),
        ("Signature", "sig1=:AAAA:", "64 bytes"),
        ("Signature", 'sig1="text"', "64 bytes"),
        ("Content-Digest", "sha-256=abc", "malformed header Content-Digest"),
        ("Content-Digest", "md5=:AAAA:", "carries none of"),
        ("Content-Digest", "x" * 3000, "exceeds 2048 characters"),
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


def test_created_too_old_or_in_the_future(net: Net) -> None:
    skew = REQUEST_CLOCK_SKEW_SECONDS * 1000
    refused(net, signed(net.key, now_ms=NOW_MS - skew - 1000),
            r"created outside the allowed window: 121 s in the past")
    refused(net, signed(net.key, now_ms=NOW_MS + skew + 1000), "in the future")


def test_unknown_keyid(net: Net) -> None:
    refused(net, signed(net.key, "NOPEDEFFXXX"), "unknown keyid 'NOPEDEFFXXX'")


def test_unreadable_or_foreign_certificate(net: Net) -> None:
    refused(net, signed(net.key), "is unreadable", certificate_for=lambda _s: b"junk")
    rogue = CertificateAuthority.create("rogue CA", now=NOW)
    rogue_cert = rogue.issue(BIC, pki.public_key_pem(net.key), kind="participant", now=NOW)
    refused(net, signed(net.key), "not by the network CA", certificate_for=lambda _s: rogue_cert)


def test_certificate_expired_or_not_yet_valid(net: Net) -> None:
    ident = pki.certificate_identity(net.certs[BIC])
    later_ms = int(ident.not_after.timestamp() * 1000) + 1000
    refused(net, signed(net.key, now_ms=later_ms),
            r"certificate for 'BANKDEFFXXX' refused: certificate expired at", now_ms=later_ms)
    earlier_ms = int(ident.not_before.timestamp() * 1000) - 1000
    refused(net, signed(net.key, now_ms=earlier_ms), "not yet valid", now_ms=earlier_ms)


def test_kind_is_enforced(net: Net) -> None:
    refused(net, signed(net.key), "participant certificate, operator expected",
            expected_kind="operator")
    refused(net, signed(net.operator_key, "alice"), "operator certificate, participant expected")
    with pytest.raises(pki.PkiError, match="kind must be one of"):
        net.verify(signed(net.key), expected_kind="admin")


def test_keyid_mismatch_with_certificate(net: Net) -> None:
    # The directory is wrong (or compromised) and returns another bank's certificate.
    refused(net, signed(net.other_key, BIC),
            "keyid mismatch: 'BANKDEFFXXX', but its certificate names 'OTHRGB2LXXX'",
            certificate_for=lambda _s: net.certs[OTHER_BIC])


def test_signature_by_another_key(net: Net) -> None:
    refused(net, signed(net.other_key, BIC), "bad signature for keyid 'BANKDEFFXXX'")


@pytest.mark.parametrize(
    "change",
    [{"method": "PUT"}, {"target": "/v1/messages?after=43&limit=10"}, {"target": "/v1/messages"},
     {"target": "/v1/messages/x?after=42&limit=10"}],
)
def test_tampered_request_is_refused(net: Net, change: dict[str, object]) -> None:
    refused(net, signed(net.key), "bad signature", **change)


def test_tampered_body_fails_the_digest(net: Net) -> None:
    refused(net, signed(net.key), "Content-Digest sha-256 does not match the body",
            body=BODY + b" ")
    headers = signed(net.key)
    headers["Content-Digest"] = content_digest(BODY + b" ")  # digest swapped to match
    refused(net, headers, "bad signature", body=BODY + b" ")


def test_tampered_parameters_or_signature_are_refused(net: Net) -> None:
    for old, new in ((str(NOW_MS // 1000), str(NOW_MS // 1000 + 1)), (NONCE, "f" * 32)):
        headers = signed(net.key, nonce=NONCE)
        headers["Signature-Input"] = headers["Signature-Input"].replace(old, new)
        refused(net, headers, "bad signature")
    headers = signed(net.key)
    raw = bytearray(_raw_signature(headers))
    raw[-1] ^= 1
    headers["Signature"] = f"sig1=:{base64.b64encode(bytes(raw)).decode()}:"
    refused(net, headers, "bad signature")
    headers["Signature"] = f"sig1=:{base64.b64encode(bytes(64)).decode()}:"
    refused(net, headers, "bad signature")


def test_signature_cannot_be_moved_to_another_keyid(net: Net) -> None:
    # Same key registered under two subjects: the signed keyid still pins the sender.
    shared = dict(net.certs)
    shared[OTHER_BIC] = net.ca.issue(
        OTHER_BIC, pki.public_key_pem(net.key), kind="participant", now=NOW
    )
    headers = signed(net.key, BIC)
    headers["Signature-Input"] = headers["Signature-Input"].replace(BIC, OTHER_BIC)
    refused(net, headers, "bad signature", certificate_for=shared.get)
