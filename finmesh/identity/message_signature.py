"""Message signatures: a detached signature over the exact bytes a bank submits, in a
form any crypto or JOSE library makes. The node checks it before it ACKs, stores it with
the message and delivers both; the receiver checks it again without trusting the node.

Two forms are accepted in a submission's ``signature`` field, and delivered as sent:

``der``  base64 (standard, padded) of a DER ``Ecdsa-Sig-Value`` (RFC 3279): ECDSA P-256
         with SHA-256 (``ecdsa-with-SHA256``, FIPS 186-5) over the bytes, as
         ``openssl dgst -sha256 -sign key.pem`` writes it.
``jws``  JWS compact serialization with a detached, unencoded payload (RFC 7515
         appendix F, RFC 7797): ``<base64url(header)>..<base64url(signature)>``, the
         header exactly ``alg`` ``ES256``, ``b64`` false and ``crit`` ``["b64"]``
         (``kid`` and ``typ`` may be added), the signature the 64-byte ``r||s`` over
         ``ASCII(base64url(header)) || "." || payload``. JOSE libraries make it with
         their "detached, unencoded payload" option.

Algorithms: ECDSA on P-256 with SHA-256 only (JWA ``ES256``), the key of the sender's
network certificate. Anything else is refused as a bad signature (NAK S02).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from finmesh.identity import pki

Form = Literal["der", "jws"]
JWS_HEADER_CHARS_MAX = 512
_JWS = re.compile(r"([A-Za-z0-9_-]{1,512})\.\.([A-Za-z0-9_-]{86})")
_HEADER_NAMES = {"alg", "b64", "crit", "kid", "typ"}


class BadSignatureForm(ValueError):
    """A signature field that is neither base64 DER nor a detached unencoded JWS."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jws(key: ec.EllipticCurvePrivateKey, payload: bytes, kid: str | None = None) -> str:
    """A detached, unencoded-payload JWS (RFC 7797) over ``payload``, compact form."""
    header: dict[str, Any] = {"alg": "ES256", "b64": False, "crit": ["b64"]}
    if kid is not None:
        header["kid"] = kid
    protected = _b64url(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    r, s = decode_dss_signature(pki.sign(key, protected.encode("ascii") + b"." + payload))
    return f"{protected}..{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def from_wire(text: str) -> bytes:
    """The stored bytes of a submission's ``signature``: the JWS text itself, or the
    DER bytes of base64. BadSignatureForm says which form was meant and why it fails."""
    if "." in text:
        if not _JWS.fullmatch(text):
            raise BadSignatureForm(
                "a JWS signature must be compact, detached and ES256:"
                " <base64url header>..<86 base64url characters>"
            )
        return text.encode("ascii")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadSignatureForm("signature must be base64 (DER) or a detached JWS") from None


def form_of(signature: bytes) -> Form:
    return "jws" if _JWS.fullmatch(signature.decode("ascii", "replace")) else "der"


def to_wire(signature: bytes) -> str:
    """The ``signature`` of a delivery: as the sender sent it."""
    if form_of(signature) == "jws":
        return signature.decode("ascii")
    return base64.b64encode(signature).decode("ascii")


def _jws_header(protected: str) -> dict[str, Any] | None:
    try:
        header = json.loads(_unb64url(protected))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or set(header) - _HEADER_NAMES:
        return None
    if header.get("alg") != "ES256" or header.get("b64") is not False:
        return None
    if header.get("crit") != ["b64"]:
        return None
    return header


def verify(cert: pki.CertLike, payload: bytes, signature: bytes) -> bool:
    """True only if ``signature`` (either form) is the certificate key's over ``payload``."""
    match = _JWS.fullmatch(signature.decode("ascii", "replace"))
    if match is None:
        return pki.verify_signature(cert, payload, signature)
    protected, raw_text = match.groups()
    if _jws_header(protected) is None:
        return False
    raw = _unb64url(raw_text)
    if len(raw) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    return pki.verify_signature(cert, protected.encode("ascii") + b"." + payload, der)
