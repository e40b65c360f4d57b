"""Console sessions: a signed cookie naming the operator, its expiry and a session id.

The cookie is ``base64url(json) "." base64url(HMAC-SHA256)`` under a key kept in the
network folder (``console.secret``, created once, mode 0600), so every worker process
and restart of a node accepts it. A session ends when it expires or at sign-out, which
records its id in the nonces table (every node sees it). Roles are read from the store
on every request, never from the cookie, so a change of roles applies at once.
The CSRF token of a session is an HMAC of its id: a page from this node carries it in
each form; a form posted from elsewhere cannot know it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from finmesh.api.errors import CsrfRefused
from finmesh.domain.errors import AuthenticationFailed

COOKIE = "finmesh_console"
PRE_COOKIE = "finmesh_console_signin"
SIGNED_OUT = "console-signed-out"
"""Subject under which ended session ids are kept in the nonces table."""
SECRET_FILE = "console.secret"
SESSION_MINUTES_DEFAULT = 30


def session_minutes() -> int:
    """FINMESH_CONSOLE_SESSION_MINUTES: how long a console session lasts (default 30)."""
    value = int(os.environ.get("FINMESH_CONSOLE_SESSION_MINUTES", SESSION_MINUTES_DEFAULT))
    if not 1 <= value <= 24 * 60:
        raise ValueError("FINMESH_CONSOLE_SESSION_MINUTES must be between 1 and 1440")
    return value


@dataclass(frozen=True)
class Session:
    sid: str
    operator: str
    expires_ms: int


def load_secret(root: Path) -> bytes:
    """The network's console key, made on first use. Written whole to a private file
    and then linked into place, so a worker process never reads half a key and the
    first of several starting at once wins."""
    path = root / SECRET_FILE
    if not path.exists():
        draft = root / f".{SECRET_FILE}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    data = path.read_bytes()
    if len(data) < 32:
        raise ValueError(f"{path} is shorter than 32 bytes: remove it to make a new key")
    return data


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, purpose: str, data: bytes) -> bytes:
        return hmac.new(self._secret, purpose.encode() + b"\n" + data, hashlib.sha256).digest()

    def issue(self, operator: str, now_ms: int, minutes: int) -> tuple[Session, str]:
        session = Session(secrets.token_hex(16), operator, now_ms + minutes * 60_000)
        body = json.dumps(
            {"sid": session.sid, "sub": operator, "exp": session.expires_ms},
            separators=(",", ":"),
        ).encode()
        return session, f"{_b64(body)}.{_b64(self._mac('session', body))}"

    def read(self, cookie: str | None, now_ms: int) -> Session:
        """The session of a cookie, or AuthenticationFailed (forged, expired, garbled)."""
        if not cookie or cookie.count(".") != 1 or len(cookie) > 1000:
            raise AuthenticationFailed("not signed in")
        body_text, mac_text = cookie.split(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except ValueError:
            raise AuthenticationFailed("garbled session cookie") from None
        if not hmac.compare_digest(mac, self._mac("session", body)):
            raise AuthenticationFailed("session cookie not signed by this network")
        data = json.loads(body)
        session = Session(str(data["sid"]), str(data["sub"]), int(data["exp"]))
        if now_ms >= session.expires_ms:
            raise AuthenticationFailed("the session has expired: sign in again")
        return session

    def csrf(self, sid: str) -> str:
        return _b64(self._mac("csrf", sid.encode()))

    def check_csrf(self, sid: str, token: str | None) -> None:
        if not token or not hmac.compare_digest(token, self.csrf(sid)):
            raise CsrfRefused("the form carries no valid CSRF token: nothing was changed")
