"""Request authentication: every participant request is signed (see finmesh.identity.pki)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from finmesh import config
from finmesh.api.errors import Disconnected, PayloadTooLarge, RequestTimeout
from finmesh.api.intake_lane import REPLAYED
from finmesh.api.ratelimit import RateLimiter
from finmesh.domain import limits
from finmesh.domain.errors import AuthenticationFailed, BadRequest
from finmesh.identity import request_auth
from finmesh.node.root import Node
from finmesh.store.port import NonceClaim

NONCE_KEEP_MS = 2 * limits.REQUEST_CLOCK_SKEW_SECONDS * 1000


@dataclass(frozen=True)
class Caller:
    subject: str
    cert_pem: bytes
    body: bytes
    roles: tuple[str, ...] = ()
    nonce: NonceClaim | None = None
    """With ``defer_nonce``: the nonce the caller's own commit must remember."""


RECENT_NONCES_MAX = 100_000
"""Nonces a process remembers itself (about 15 MB), for deferred ones (see below)."""


class RecentNonces:
    """The nonces this process saw lately, for requests whose nonce is remembered in
    the store only later, in the commit of the work they ask for (``defer_nonce``): a
    replay sent to this process again is refused before it costs anything (a rate
    token, a parse); one sent to another worker or node is refused by the store at that
    commit. Bounded: expired ones go when full, then all (the store still decides). A
    request refused before that commit (a malformed body) leaves its nonce here only:
    sent again to another process it is refused the same way, and nothing is written."""

    def __init__(self, limit: int = RECENT_NONCES_MAX) -> None:
        self.limit = limit
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def first_sight(self, subject: str, nonce: str, expires_ms: int, now_ms: int) -> bool:
        key = (subject, nonce)
        with self._lock:
            known = self._seen.get(key)
            if known is not None and known >= now_ms:
                return False
            if len(self._seen) >= self.limit:
                self._seen = {k: v for k, v in self._seen.items() if v >= now_ms}
                if len(self._seen) >= self.limit:
                    self._seen.clear()
            self._seen[key] = expires_ms
            return True


RECENT = RecentNonces()


def _check_declared_length(request: Request, limit: int = limits.REQUEST_BYTES_MAX) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body of {declared} bytes exceeds {limit}")


BODY_SECONDS = config.body_seconds()


async def read_body(request: Request, limit: int = limits.REQUEST_BYTES_MAX) -> bytes:
    _check_declared_length(request, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"body exceeds {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout(
            f"the request body did not arrive within {BODY_SECONDS:g} s ({size} bytes came)"
        ) from None
    except ClientDisconnect:
        # nobody is left to answer; a coded refusal keeps it out of the error log
        raise BadRequest("the connection closed before the request body was complete") from None
    return b"".join(chunks)


def request_target(request: Request) -> str:
    query = request.scope.get("query_string", b"").decode("latin-1")
    # raw_path is what the client signed; scope["path"] is already percent-decoded
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(request.scope["path"])
    return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class Limits:
    """The node's request rate limits (see finmesh.config)."""

    peer: RateLimiter
    subject: RateLimiter

    @classmethod
    def from_config(cls) -> Limits:
        peer, subject = config.peer_requests_per_second(), config.subject_requests_per_second()
        return cls(RateLimiter(peer, 2 * peer), RateLimiter(subject, 2 * subject))


async def authenticate(
    request: Request,
    node: Node,
    rates: Limits,
    kind: str = "participant",
    body_limit: int = limits.REQUEST_BYTES_MAX,
    defer_nonce: bool = False,
) -> Caller:
    """The verified caller of ``request``, or AuthenticationFailed. ``defer_nonce``:
    the nonce is checked against this process's memory only and handed back in
    ``Caller.nonce``, for the caller's own commit to remember (the submit path: no
    transaction or thread hop of its own; see ``RecentNonces``)."""
    rates.peer.take(request.client.host if request.client else "unknown")
    _check_declared_length(request, body_limit)
    now = node.clock()
    members = node.trust.members.now() if kind == "participant" else None
    # headers, freshness and certificate first: an unknown caller's body is never read
    checked = request_auth.check_headers(
        request.headers,
        request.method,
        request_target(request),
        certificate_for=node.store.operator_cert if members is None else members.cert_pem,
        ca_cert_pem=node.ca_cert_pem,
        now_ms=now,
        expected_kind=kind,
    )
    if members is not None:  # revoked: refused from the next request on (Members)
        node.trust.check_not_revoked(checked.identity, members)
    body = await read_body(request, body_limit)
    verified = request_auth.verify_body(checked, body)
    expires = now + NONCE_KEEP_MS
    claim = None
    if defer_nonce:
        fresh = RECENT.first_sight(verified.subject, verified.nonce, expires, now)
        claim = NonceClaim(verified.subject, verified.nonce, expires, now)
    else:
        fresh = await run_in_threadpool(
            node.store.remember_nonce, verified.subject, verified.nonce, expires, now
        )
    if not fresh:
        raise AuthenticationFailed(REPLAYED)
    rates.subject.take(f"{kind}:{verified.subject}")
    if members is None:
        roles = node.store.operator_roles(verified.subject)
        return Caller(subject=verified.subject, cert_pem=b"", body=body, roles=roles)
    measure = node.compliance.snapshot().disconnected(verified.subject[:8], node.clock())
    if measure is not None:
        raise Disconnected(
            f"{verified.subject} is disconnected by measure {measure.id} ({measure.reference})"
        )
    cert = members.cert_pem(verified.subject)  # the one the signature was checked with
    if cert is None:  # not reachable: the view read it for check_headers
        raise AuthenticationFailed(f"unknown subject {verified.subject}")
    return Caller(subject=verified.subject, cert_pem=cert, body=body, nonce=claim)
