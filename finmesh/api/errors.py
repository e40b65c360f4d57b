"""The one place where finmesh errors become HTTP responses."""

from __future__ import annotations

import json
import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from finmesh.api import events
from finmesh.api.ratelimit import RateLimited
from finmesh.domain.errors import (
    AuthenticationFailed,
    BadRequest,
    FinmeshError,
    NotFound,
    Refused,
    Rejected,
)
from finmesh.identity.request_auth import claimed_subject
from finmesh.node.compliance import Forbidden
from finmesh.node.trust import CertificateRevoked
from finmesh.sanctions.errors import ListFormatError
from finmesh.store.port import StalePolicy, StoreUnavailable

log = logging.getLogger("finmesh.api")


class PayloadTooLarge(BadRequest):
    """The request body exceeds REQUEST_BYTES_MAX."""


class RequestTimeout(BadRequest):
    """The request body did not arrive within config.body_seconds() (a slow client)."""


class CsrfRefused(AuthenticationFailed):
    """A console form posted without its session's CSRF token (forged elsewhere, or
    stale): nothing is changed."""


class Disconnected(Refused):
    """The caller's institution is cut off by a measure in force."""


# (error class, HTTP status, stable error code) — most specific first.
ERROR_TABLE: tuple[tuple[type[FinmeshError], int, str], ...] = (
    (PayloadTooLarge, 413, "payload_too_large"),
    (RequestTimeout, 408, "request_timeout"),
    (RateLimited, 429, "rate_limited"),
    (StoreUnavailable, 503, "store_unavailable"),
    (Disconnected, 403, "disconnected"),
    (Forbidden, 403, "forbidden"),
    (StalePolicy, 409, "stale"),
    (CertificateRevoked, 401, "certificate_revoked"),
    (CsrfRefused, 403, "csrf_refused"),
    (AuthenticationFailed, 401, "authentication_failed"),
    (NotFound, 404, "not_found"),
    (Refused, 409, "refused"),
    (Rejected, 400, "rejected"),
    (BadRequest, 400, "bad_request"),
    (ListFormatError, 422, "list_format"),
    (FinmeshError, 500, "internal_error"),
)


HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}

REASON_PHRASES = {400: "Bad Request", 431: "Request Header Fields Too Large"}


def raw_response(status: int, code: str, message: str) -> bytes:
    """A whole HTTP/1.1 response in the API's error shape, for the connection layer's own
    refusals (a malformed or oversized request head) that never reach the application.
    The connection is closed after it."""
    body = json.dumps({"error": code, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status} {REASON_PHRASES.get(status, 'Error')}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def status_for(exc: FinmeshError) -> tuple[int, str]:
    for cls, status, code in ERROR_TABLE:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal_error"


def finmesh_response(request: Request, exc: FinmeshError) -> JSONResponse:
    """A finmesh error as the API answers it (the FastAPI handler and the hot paths)."""
    status, code = status_for(exc)
    body: dict[str, object] = {"error": code, "message": str(exc)}
    headers: dict[str, str] = {}
    if isinstance(exc, Rejected):
        body["reason"] = exc.reason.code
    if isinstance(exc, ListFormatError):
        body.update(code=exc.code, where=exc.where, detail=exc.detail)
    if isinstance(exc, RequestTimeout):
        headers["Connection"] = "close"  # the rest of a trickled body is not waited for
    if isinstance(exc, AuthenticationFailed):
        peer = request.client.host if request.client else None
        events.auth_refused(code, str(exc), claimed_subject(request.headers) or None, peer)
    if isinstance(exc, StoreUnavailable):
        events.store_unavailable(str(exc), request.url.path)
    if isinstance(exc, RateLimited | StoreUnavailable):
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
        body["retry_after_s"] = round(exc.retry_after_s, 3)
    return JSONResponse(body, status_code=status, headers=headers)


def unexpected_response(request: Request) -> JSONResponse:
    """A bug, not a client's fault: logged whole (call it while handling the exception),
    answered in the API's own shape."""
    where = {"event": "http.unhandled", "path": request.url.path}
    log.exception("unhandled error", extra=where)
    return JSONResponse(
        {"error": "internal_error", "message": "internal error; the node logged it"},
        status_code=500,
    )


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FinmeshError)
        return finmesh_response(request, exc)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_response(request)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return JSONResponse({"error": "invalid_request", "message": problems}, status_code=422)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        # the framework's own refusals (unknown path, wrong method) in the same shape
        assert isinstance(exc, StarletteHTTPException)
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": code, "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(FinmeshError, handle)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)
