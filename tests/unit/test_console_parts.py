"""The console's own parts without a server: sign-in codes, session cookies, CSRF
tokens, the secret file and the SVG charts (labels escaped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh.api.errors import CsrfRefused, status_for
from finmesh.console import svg
from finmesh.console.sessions import Sessions, load_secret
from finmesh.domain.errors import AuthenticationFailed
from finmesh.identity import pki, signin_code
from finmesh.identity.ca import CertificateAuthority

NOW = 1_800_000_000_000


@pytest.fixture(scope="module")
def operator() -> tuple[object, bytes, bytes]:
    ca = CertificateAuthority.create("test")
    key = pki.generate_key()
    cert = ca.issue("alice", pki.public_key_pem(key), kind="operator", roles=("compliance",))
    return key, cert, ca.cert_pem


def test_a_code_verifies_against_the_operator_certificate(operator) -> None:  # type: ignore[no-untyped-def]
    key, cert, ca = operator
    code = signin_code.parse_code(signin_code.issue_code(key, "alice", NOW))
    assert signin_code.verify_code(code, cert, ca, NOW + 1000).subject == "alice"
    with pytest.raises(AuthenticationFailed, match="expired"):
        signin_code.verify_code(code, cert, ca, code.expires_ms)
    with pytest.raises(AuthenticationFailed, match="future"):
        signin_code.verify_code(code, cert, ca, NOW - 10 * 60_000)
    with pytest.raises(AuthenticationFailed, match="no certificate on record"):
        signin_code.verify_code(code, None, ca, NOW)


def test_a_code_cannot_be_stretched_or_renamed(operator) -> None:  # type: ignore[no-untyped-def]
    key, cert, ca = operator
    name, issued, expires, nonce, sig = signin_code.issue_code(key, "alice", NOW).split(".")
    longer = signin_code.parse_code(f"{name}.{issued}.{int(expires) + 1}.{nonce}.{sig}")
    with pytest.raises(AuthenticationFailed, match="bad signature"):
        signin_code.verify_code(longer, cert, ca, NOW)
    with pytest.raises(ValueError):
        signin_code.issue_code(key, "alice", NOW, signin_code.CODE_VALID_MS_MAX + 1)
    starred = f"{name}.{issued}.{expires}.{nonce}.*"
    for garbled in ("", "alice", "alice.1.2.3.4", "a" * 500, starred):
        with pytest.raises(AuthenticationFailed):
            signin_code.parse_code(garbled)


def test_session_cookies_are_signed_and_expire() -> None:
    sessions = Sessions(b"k" * 32)
    session, cookie = sessions.issue("alice", NOW, 30)
    assert sessions.read(cookie, NOW + 29 * 60_000) == session
    with pytest.raises(AuthenticationFailed, match="expired"):
        sessions.read(cookie, NOW + 30 * 60_000)
    body, mac = cookie.split(".")
    forged_body = Sessions(b"k" * 32).issue("mallory", NOW, 30)[1].split(".")[0]
    for bad in (None, "", f"{forged_body}.{mac}", f"{body}.{mac[:-2]}AA", "x.y.z"):
        with pytest.raises(AuthenticationFailed):
            sessions.read(bad, NOW)
    with pytest.raises(AuthenticationFailed):
        Sessions(b"o" * 32).read(cookie, NOW)


def test_csrf_tokens_belong_to_one_session_and_are_refused_with_403() -> None:
    sessions = Sessions(b"k" * 32)
    sessions.check_csrf("s1", sessions.csrf("s1"))
    for token in (None, "", sessions.csrf("s2")):
        with pytest.raises(CsrfRefused) as caught:
            sessions.check_csrf("s1", token)
        assert status_for(caught.value) == (403, "csrf_refused")


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = load_secret(tmp_path)
    assert load_secret(tmp_path) == first and len(first) == 32
    assert (tmp_path / "console.secret").stat().st_mode & 0o077 == 0
    (tmp_path / "console.secret").write_bytes(b"short")
    with pytest.raises(ValueError, match="shorter"):
        load_secret(tmp_path)


def test_charts_escape_their_labels() -> None:
    line = svg.line_chart(["10:00", "10:01"], {"<b>x</b>": [1, 3]}, title="t & u")
    assert "<b>" not in line and "&lt;b&gt;x&lt;/b&gt; (4)" in line and "t &amp; u" in line
    bars = svg.bar_chart([("<i>EUR</i>", 5.0, "5 EUR"), ("USD", 10.0, "10 USD")], title="v")
    assert "<i>" not in bars and bars.count("<rect") == 2
    assert "nothing" in svg.bar_chart([], title="empty")
