"""Console sign-in codes: an operator proves who they are to the web console.

A browser cannot sign requests with the operator's key, so the key signs a short
statement instead, and the operator pastes it into the console's sign-in page::

    finmesh-signin-v1
    <operator name>
    <issued, unix ms>
    <expires, unix ms>
    <nonce, 32 lowercase hex digits>

The code is ``NAME.ISSUED.EXPIRES.NONCE.SIGNATURE`` (signature: base64url without
padding of the DER ECDSA P-256/SHA-256 signature over those lines joined by ``\\n``).
The node checks it as strictly as a signed request: the certificate on record for the
name, issued by the network CA as an operator certificate, the signature, the period
(at most ``CODE_VALID_MS_MAX``) and the nonce, which the caller records so a code signs
in once only. ``finmesh operator add`` prints one (valid a day); ``finmesh operator
sign-in-code`` makes a fresh one with the operator's key whenever needed.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from finmesh.domain.errors import AuthenticationFailed
from finmesh.domain.limits import REQUEST_CLOCK_SKEW_SECONDS
from finmesh.identity import pki, request_auth

VERSION = "finmesh-signin-v1"
CODE_VALID_MS_MAX = 7 * 24 * 3600 * 1000
"""The longest period one code may be valid for: a week."""
CODE_VALID_MS_DEFAULT = 24 * 3600 * 1000
"""How long the code printed by `finmesh operator add` stays valid: a day."""
CODE_CHARS_MAX = 400

_CODE = re.compile(
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9._@-]{0,63})\.(?P<issued>[0-9]{1,16})\."
    r"(?P<expires>[0-9]{1,16})\.(?P<nonce>[0-9a-f]{32})\.(?P<sig>[A-Za-z0-9_-]{1,200})"
)


@dataclass(frozen=True)
class SignInCode:
    subject: str
    issued_ms: int
    expires_ms: int
    nonce: str
    signature: bytes

    def statement(self) -> bytes:
        return _statement(self.subject, self.issued_ms, self.expires_ms, self.nonce)


def _statement(subject: str, issued_ms: int, expires_ms: int, nonce: str) -> bytes:
    return "\n".join((VERSION, subject, str(issued_ms), str(expires_ms), nonce)).encode()


def issue_code(
    key: ec.EllipticCurvePrivateKey,
    subject: str,
    now_ms: int,
    valid_ms: int = CODE_VALID_MS_DEFAULT,
) -> str:
    """A sign-in code for ``subject`` signed with its operator ``key``."""
    if not 0 < valid_ms <= CODE_VALID_MS_MAX:
        raise ValueError(f"a code is valid between 1 ms and {CODE_VALID_MS_MAX} ms")
    nonce = secrets.token_hex(16)
    expires = now_ms + valid_ms
    signature = pki.sign(key, _statement(subject, now_ms, expires, nonce))
    encoded = base64.urlsafe_b64encode(signature).decode("ascii").rstrip("=")
    return f"{subject}.{now_ms}.{expires}.{nonce}.{encoded}"


def parse_code(text: str) -> SignInCode:
    """The parts of a code, or AuthenticationFailed saying what is malformed."""
    text = text.strip()
    if len(text) > CODE_CHARS_MAX:
        raise AuthenticationFailed(f"sign-in code longer than {CODE_CHARS_MAX} characters")
    match = _CODE.fullmatch(text)
    if match is None:
        raise AuthenticationFailed(
            "malformed sign-in code: expected NAME.ISSUED.EXPIRES.NONCE.SIGNATURE"
        )
    sig = match["sig"]
    try:
        signature = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except (binascii.Error, ValueError):
        raise AuthenticationFailed("malformed sign-in code: signature is not base64url") from None
    return SignInCode(
        match["name"], int(match["issued"]), int(match["expires"]), match["nonce"], signature
    )


def verify_code(
    code: SignInCode, cert_pem: bytes | None, ca_cert_pem: bytes, now_ms: int
) -> pki.CertIdentity:
    """Check ``code`` against the operator certificate on record; the caller must then
    record its nonce (until ``code.expires_ms``) and refuse a code seen before."""
    skew_ms = REQUEST_CLOCK_SKEW_SECONDS * 1000
    if code.expires_ms <= code.issued_ms or code.expires_ms - code.issued_ms > CODE_VALID_MS_MAX:
        raise AuthenticationFailed("sign-in code period is empty or longer than a week")
    if code.issued_ms > now_ms + skew_ms:
        raise AuthenticationFailed("sign-in code is issued in the future")
    if now_ms >= code.expires_ms:
        raise AuthenticationFailed("sign-in code has expired: make a new one")
    cert, identity = request_auth.check_certificate(
        code.subject, cert_pem, ca_cert_pem, now_ms=now_ms, kind=pki.as_kind("operator")
    )
    if not pki.verify_signature(cert, code.statement(), code.signature):
        raise AuthenticationFailed(f"bad signature on the sign-in code of {code.subject!r}")
    return identity
