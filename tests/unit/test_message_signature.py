"""Message signatures (finmesh.identity.message_signature): the DER form openssl writes
and the detached unencoded JWS (RFC 7797) any JOSE library makes, checked both ways
against joserfc, and every refusal."""

from __future__ import annotations

import base64
import json

import pytest

from finmesh.identity import message_signature as ms
from finmesh.identity import pki
from finmesh.identity.ca import CertificateAuthority

PAYLOAD = b"<BizMsg><AppHdr>...</AppHdr><Document>100.00 EUR</Document></BizMsg>"
CA = CertificateAuthority.create("test CA")
KEY = pki.generate_key()
OTHER = pki.generate_key()
CERT = CA.issue("BANKDEFFXXX", pki.public_key_pem(KEY), kind="participant")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_der_form_round_trips_through_the_wire() -> None:
    der = pki.sign(KEY, PAYLOAD)
    text = base64.b64encode(der).decode()
    stored = ms.from_wire(text)
    assert stored == der and ms.form_of(stored) == "der" and ms.to_wire(stored) == text
    assert ms.verify(CERT, PAYLOAD, stored)
    assert not ms.verify(CERT, PAYLOAD + b" ", stored)


def test_jws_form_is_detached_and_unencoded() -> None:
    jws = ms.sign_jws(KEY, PAYLOAD, kid="BANKDEFFXXX")
    protected, empty, signature = jws.split(".")
    assert empty == ""  # the payload travels beside it, unencoded
    header = json.loads(base64.urlsafe_b64decode(protected + "=="))
    assert header == {"alg": "ES256", "b64": False, "crit": ["b64"], "kid": "BANKDEFFXXX"}
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64
    stored = ms.from_wire(jws)
    assert ms.form_of(stored) == "jws" and ms.to_wire(stored) == jws
    assert ms.verify(CERT, PAYLOAD, stored)
    assert not ms.verify(CERT, PAYLOAD.replace(b"100.00", b"900.00"), stored)


joserfc = pytest.importorskip("joserfc")


def test_a_jws_made_by_joserfc_verifies_here() -> None:
    from joserfc import jws
    from joserfc.jwk import ECKey

    key = ECKey.import_key(pki.key_to_pem(KEY))
    made = jws.serialize_compact({"alg": "ES256", "b64": False, "crit": ["b64"]}, PAYLOAD, key)
    detached = jws.detach_content(made)
    assert ms.verify(CERT, PAYLOAD, ms.from_wire(detached))


def test_a_jws_made_here_verifies_with_joserfc() -> None:
    from joserfc import jws
    from joserfc.jwk import ECKey

    public = ECKey.import_key(pki.public_key_pem(KEY))
    found = jws.deserialize_compact(ms.sign_jws(KEY, PAYLOAD), public, payload=PAYLOAD)
    assert found.payload == PAYLOAD


def _jws_with(header: dict[str, object], key: object = KEY) -> bytes:
    protected = _b64url(json.dumps(header).encode())
    der = pki.sign(key, protected.encode() + b"." + PAYLOAD)  # type: ignore[arg-type]
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    return f"{protected}..{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}".encode()


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "ES384", "b64": False, "crit": ["b64"]},
        {"alg": "none", "b64": False, "crit": ["b64"]},
        {"alg": "ES256"},  # encoded payload: not a signature over the exact bytes
        {"alg": "ES256", "b64": True, "crit": ["b64"]},
        {"alg": "ES256", "b64": False},  # b64 must be critical (RFC 7797 section 6)
        {"alg": "ES256", "b64": False, "crit": ["b64", "exp"], "exp": 1},
        {"alg": "ES256", "b64": False, "crit": ["b64"], "x5u": "http://evil.example"},
    ],
)
def test_jws_headers_outside_the_profile_do_not_verify(header: dict[str, object]) -> None:
    assert not ms.verify(CERT, PAYLOAD, _jws_with(header))


def test_jws_by_another_key_does_not_verify() -> None:
    assert ms.verify(CERT, PAYLOAD, _jws_with({"alg": "ES256", "b64": False, "crit": ["b64"]}))
    assert not ms.verify(
        CERT, PAYLOAD, _jws_with({"alg": "ES256", "b64": False, "crit": ["b64"]}, OTHER)
    )


@pytest.mark.parametrize(
    "text",
    ["not base64!", "eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.c2ln", "eyJhbGci..short", "a.b.c.d"],
)
def test_malformed_wire_forms_are_refused(text: str) -> None:
    with pytest.raises(ms.BadSignatureForm):
        ms.from_wire(text)
