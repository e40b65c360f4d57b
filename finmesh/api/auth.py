"""Request authentication: every participant request is signed (see finmesh.identity.pki)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from finmesh import config
from finmesh.api.errors import Disconnected, PayloadTooLarge, RequestTimeout
from finmesh.api.ratelimit import RateLimiter
from finmesh.domain import limits
from finmesh.domain.errors import AuthenticationFailed, BadRequest
from finmesh.identity import request_auth
from finmesh.node.root import Node

NONCE_KEEP_MS = 2 * limits.REQUEST_CLOCK_SKEW_SECONDS * 1000


@dataclass(frozen=True)
class Caller:
    subject: str
    cert_pem: bytes
    body: bytes
    roles: tuple[str, ...] = ()


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
) -> Caller:
    rates.peer.take(request.client.host if request.client else "unknown")
    _check_declared_length(request, body_limit)
    now = node.clock()
    # headers, freshness and certificate first: an unknown caller's body is never read
    checked = request_auth.check_headers(
        request.headers,
        request.method,
        request_target(request),
        certificate_for=(
            node.store.operator_cert if kind == "operator" else node.store.participant_cert
        ),
        ca_cert_pem=node.ca_cert_pem,
        now_ms=now,
        expected_kind=kind,
    )
    if kind == "participant":  # revoked: refused from the next request on, no cache
        node.trust.check_not_revoked(checked.identity)
    body = await read_body(request, body_limit)
    verified = request_auth.verify_body(checked, body)
    fresh = await run_in_threadpool(
        node.store.remember_nonce, verified.subject, verified.nonce, now + NONCE_KEEP_MS, now
    )
    if not fresh:
        raise AuthenticationFailed("nonce already used: replayed request")
    rates.subject.take(f"{kind}:{verified.subject}")
    if kind == "operator":
        roles = node.store.operator_roles(verified.subject)
        return Caller(subject=verified.subject, cert_pem=b"", body=body, roles=roles)
    cert = node.store.participant_cert(verified.subject)
    if cert is None:  # revoked between verification and now
        raise AuthenticationFailed(f"unknown subject {verified.subject}")
    measure = node.compliance.snapshot().disconnected(verified.subject[:8], node.clock())
    if measure is not None:
        raise Disconnected(
            f"{verified.subject} is disconnected by measure {measure.id} ({measure.reference})"
        )
    return Caller(subject=verified.subject, cert_pem=cert, body=body)
